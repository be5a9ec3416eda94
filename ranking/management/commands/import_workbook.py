from argparse import BooleanOptionalAction

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ranking.jobs import terminal_progress
from ranking.workbook.importer import workbook_import


class Command(BaseCommand):
    help = "Import the year workbook (docs/workbook.md) in one transaction: all of it, or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument(
            "--progress",
            action=BooleanOptionalAction,
            default=None,
            help="draw a progress bar on stderr (default: when stderr is a terminal)",
        )

    def handle(self, *args, file: str, dry_run: bool, progress: bool | None = None, **options):
        bar = terminal_progress(self.stderr, _("Workbook rows"), wanted=progress)
        try:
            report = workbook_import(file=file, dry_run=dry_run, progress=bar)
        finally:
            if bar is not None:
                bar.close()
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
