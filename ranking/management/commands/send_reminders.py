"""E-mail agencies whose work is still open a few days before a deadline (run daily from cron)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ranking.enums import AssessmentStatus, Phase
from ranking.models import Assessment
from ranking.notifications import notify, undelivered_mail

# phase → (the deadline that closes it, the statuses of the assessments with work left)
REMINDED = {
    Phase.SELF_ASSESSMENT: ("self_assessment_deadline", (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)),
    Phase.EXPLANATION: ("explanation_deadline", (AssessmentStatus.APPROVED,)),
}


class Command(BaseCommand):
    help = (
        "E-mail the officers and heads of every agency whose self-assessment (draft or returned) or "
        "explanation (appraisal approved, not yet explained) is still open when the deadline is at "
        "most --days days away."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=3, help="remind when the deadline is at most this many days away"
        )

    def handle(self, *args, days: int, **options):
        if days < 0:
            raise CommandError(_("--days cannot be negative."))
        today = timezone.localdate()
        last = today + datetime.timedelta(days=days)
        sent = 0
        # notify() sends once the transaction commits: every e-mail leaves together at the end.
        with undelivered_mail() as failed, transaction.atomic():
            for phase, (deadline_field, statuses) in REMINDED.items():
                assessments = (
                    Assessment.objects.filter(
                        period__phase=phase,
                        status__in=statuses,
                        **{f"period__{deadline_field}__gte": today, f"period__{deadline_field}__lte": last},
                    )
                    .select_related("period", "agency")
                    .order_by("period__code", "agency__code")
                )
                for assessment in assessments:
                    deadline = getattr(assessment.period, deadline_field)
                    sent += notify("reminder", assessment=assessment, deadline=shown_date(deadline))
        self.stdout.write(
            ngettext("%(count)d reminder e-mail queued.", "%(count)d reminder e-mails queued.", sent)
            % {"count": sent}
        )
        if failed:
            # A non-zero exit, so that cron reports it.
            raise CommandError(
                ngettext(
                    "%(count)d reminder e-mail could not be sent; the log says why.",
                    "%(count)d reminder e-mails could not be sent; the log says why.",
                    len(failed),
                )
                % {"count": len(failed)}
            )


def shown_date(day: datetime.date) -> str:
    """dd/mm/yyyy, the way every page and e-mail writes a date."""
    return day.strftime("%d/%m/%Y")
