from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ranking.models import Period
from ranking.services import ServiceError
from ranking.services.results import results_compute


class Command(BaseCommand):
    help = "Compute totals, index, tier, rank, change and proposed awards of a period."

    def add_arguments(self, parser):
        parser.add_argument("period", help="period code, e.g. CCHC-2025")

    def handle(self, *args, period: str, **options):
        code = period.strip()
        found = Period.objects.filter(code=code).first()
        if found is None:
            raise CommandError(_("Unknown period “%(code)s”.") % {"code": code})
        try:
            summary = results_compute(period=found)
        except ServiceError as error:
            raise CommandError(str(error)) from error
        for group, counts in summary.tier_counts:
            self.stdout.write(f"{group.name}: " + ", ".join(f"{label} {n}" for label, n in counts))
        self.stdout.write(
            _("%(agencies)d agencies ranked; %(awards)d proposed for a certificate of merit.")
            % {"agencies": summary.agencies, "awards": summary.proposed_awards}
        )
