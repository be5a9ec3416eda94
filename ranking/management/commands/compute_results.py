from argparse import BooleanOptionalAction

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ranking.errors import ServiceError
from ranking.jobs import terminal_progress
from ranking.models import Period
from ranking.results.compute import results_compute


class Command(BaseCommand):
    help = "Compute totals, index, tier, rank, change and proposed awards of a period."

    def add_arguments(self, parser):
        parser.add_argument("period", help="period code, e.g. CCHC-2025")
        parser.add_argument(
            "--progress",
            action=BooleanOptionalAction,
            default=None,
            help="draw a progress bar on stderr (default: when stderr is a terminal)",
        )

    def handle(self, *args, period: str, progress: bool | None = None, **options):
        code = period.strip()
        found = Period.objects.filter(code=code).first()
        if found is None:
            raise CommandError(_("Unknown period “%(code)s”.") % {"code": code})
        bar = terminal_progress(self.stderr, _("Agencies"), wanted=progress)
        try:
            summary = results_compute(period=found, progress=bar)
        except ServiceError as error:
            raise CommandError(str(error)) from error
        finally:
            if bar is not None:
                bar.close()
        for group, counts in summary.tier_counts:
            self.stdout.write(f"{group.name}: " + ", ".join(f"{label} {n}" for label, n in counts))
        self.stdout.write(
            _("%(agencies)d agencies ranked; %(awards)d proposed for a certificate of merit.")
            % {"agencies": summary.agencies, "awards": summary.proposed_awards}
        )
