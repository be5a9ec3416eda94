from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ranking.backup import backup_restore, counts
from ranking.errors import ServiceError


class Command(BaseCommand):
    help = "Replace the database and the evidence files with a backup made by `backup`."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(_("No backup at %(path)s.") % {"path": path})
        try:
            manifest = backup_restore(path=path)
        except ServiceError as error:
            raise CommandError(str(error)) from error
        now = counts()
        self.stdout.write(
            _("Restored the backup of %(created)s: %(scores)d scores, %(evidence)d evidence files.")
            % {"created": manifest["created"], **now}
        )
        if now != manifest["counts"]:
            raise CommandError(
                _("The restored data does not match the backup's counts: %(counts)s") % {"counts": now}
            )
