from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from ranking.backup import backup_create
from ranking.errors import ServiceError


class Command(BaseCommand):
    help = "Back up the database and the evidence files into one .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="default: var/backups/backup-<time>.tar.gz")

    def handle(self, *args, file: str | None, **options):
        path = Path(file) if file else Path("var/backups") / f"backup-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            manifest = backup_create(path=path)
        except ServiceError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Backup written to %(path)s: %(scores)d scores, %(evidence)d evidence files.")
            % {"path": path, **manifest["counts"]}
        )
