"""`python manage.py export_results PERIOD FILE.xlsx`: write a period's conference workbook."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils.translation import gettext as _

from ranking.exports import conference_workbook
from ranking.models import Period, Result


class Command(BaseCommand):
    help = "Write the conference workbook of a period: one sheet per group, tier counts, certificates."

    def add_arguments(self, parser):
        parser.add_argument("period", help="Period code, e.g. CCHC-2025.")
        parser.add_argument("file", help="The .xlsx file to write.")

    def handle(self, *args, period: str, file: str, **options):
        code = period.strip()
        found = Period.objects.filter(code=code).first()
        if found is None:
            raise CommandError(_("Unknown period “%(code)s”.") % {"code": code})
        # One query answers both whether there is anything to export and what to report.
        size = Result.objects.filter(period=found).aggregate(
            agencies=Count("pk"), groups=Count("group", distinct=True)
        )
        if not size["agencies"]:
            raise CommandError(
                _("Results of period %(code)s have not been computed; run compute_results first.")
                % {"code": found.code}
            )
        workbook = conference_workbook(period=found)
        try:
            workbook.save(file)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": file, "error": error.strerror or error}
            ) from error
        self.stdout.write(
            _("Wrote %(file)s: %(agencies)d agencies in %(groups)d groups.")
            % {"file": file, "agencies": size["agencies"], "groups": size["groups"]}
        )
