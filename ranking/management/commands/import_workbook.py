from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ranking.services.workbook import workbook_import


class Command(BaseCommand):
    help = "Import the year workbook (WORKBOOK.md) in one transaction: all of it, or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, file: str, dry_run: bool, **options):
        report = workbook_import(file=file, dry_run=dry_run)
        if not report.ok:
            for line in report.problems:
                self.stderr.write(line)
            count = len(report.problems)
            raise CommandError(
                ngettext(
                    "%(count)d problem found; nothing was imported.",
                    "%(count)d problems found; nothing was imported.",
                    count,
                )
                % {"count": count}
            )
        for counts in report.sheets:
            self.stdout.write(
                _("%(sheet)s: %(new)d new, %(updated)d updated, %(unchanged)d unchanged")
                % {
                    "sheet": counts.sheet,
                    "new": counts.new,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                }
            )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
