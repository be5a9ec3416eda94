"""`python manage.py export_results PERIOD FILE.xlsx`: write a period's conference workbook.

A published period's workbook is its last publication, exactly as announced; any other
period's shows its current results. `--publication N` writes published version N.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ranking.models import Period
from ranking.reports.exports.conference import conference_workbook_save
from ranking.results.publications import PublishedResults, shown_workbook_results


class Command(BaseCommand):
    help = "Write the conference workbook of a period: one sheet per group, tier counts, certificates."

    def add_arguments(self, parser):
        parser.add_argument("period", help="Period code, e.g. CCHC-2025.")
        parser.add_argument("file", help="The .xlsx file to write.")
        parser.add_argument(
            "--publication",
            type=int,
            metavar="N",
            help="Write published version N of the period (default: the last one of a published period).",
        )

    def handle(self, *args, period: str, file: str, publication: int | None = None, **options):
        code = period.strip()
        found = Period.objects.filter(code=code).first()
        if found is None:
            raise CommandError(_("Unknown period “%(code)s”.") % {"code": code})
        if publication is None:
            source = shown_workbook_results(period=found)
        else:
            published = found.publications.filter(version=publication).first()
            if published is None:
                raise CommandError(
                    _("Period %(code)s has no published version %(version)d.")
                    % {"code": found.code, "version": publication}
                )
            published.period = found
            source = PublishedResults(published)
        if not source.results:
            raise CommandError(
                _("Results of period %(code)s have not been computed; run compute_results first.")
                % {"code": found.code}
            )
        try:
            conference_workbook_save(file, period=found, source=source)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": file, "error": error.strerror or error}
            ) from error
        self.stdout.write(
            _("Wrote %(file)s: %(agencies)d agencies in %(groups)d groups.")
            % {
                "file": file,
                "agencies": len(source.results),
                "groups": len({result.group_id for result in source.results}),
            }
        )
