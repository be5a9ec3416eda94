"""The council's word on whether an assessed agency is ranked, and on its late submission.

"Ranked" is the default; "not ranked" keeps the index and tier but gives no rank and no
certificate; "not assessed" leaves the agency out of the results, listed with its reason.
Both facts are inputs of the results: changing them withdraws computed results.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from ranking.enums import Standing
from ranking.errors import ServiceError, recorded
from ranking.models import Assessment, Period
from ranking.periods.outdated import results_outdated
from ranking.rules import require
from ranking.text import clean_text


def assessment_for_council(*, user: User, assessment: Assessment) -> Assessment:
    """The assessment with its period, both locked, once the council's permission is checked."""
    period = Period.objects.select_for_update().get(pk=assessment.period_id)
    require(user, "ranking.set_standing", period)
    locked = Assessment.objects.select_for_update(of=("self",)).select_related("agency").get(pk=assessment.pk)
    locked.period = period
    return locked


@transaction.atomic
def assessment_standing_set(*, user: User, assessment: Assessment, standing: str, reason: str) -> Assessment:
    """Set whether the agency is ranked, not ranked or not assessed; a reason is required
    for anything but the default."""
    assessment = assessment_for_council(user=user, assessment=assessment)
    if standing not in Standing.values:
        raise ServiceError(_("Choose ranked, not ranked or not assessed."))
    reason = clean_text(reason).strip()
    if standing != Standing.RANKED and not reason:
        raise ServiceError(
            _("Write the reason why %(agency)s is not ranked or not assessed.")
            % {"agency": assessment.agency.name}
        )
    if (assessment.standing, assessment.standing_reason) == (standing, reason):
        return assessment
    assessment.standing, assessment.standing_reason = standing, reason
    assessment._history_user = user
    assessment._change_reason = recorded(
        gettext_noop("Standing: %(standing)s"), {"standing": Standing(standing).label}
    ) + (f" — {reason}" if reason else "")
    assessment.save(update_fields=["standing", "standing_reason"])
    results_outdated(
        periods=[assessment.period],
        user=user,
        reason=recorded(gettext_noop("standing of %(agency)s"), {"agency": assessment.agency.name}),
    )
    return assessment


@transaction.atomic
def assessment_late_set(*, user: User, assessment: Assessment, late: bool, reason: str) -> Assessment:
    """Record or clear that the agency submitted late, with the council's reason."""
    assessment = assessment_for_council(user=user, assessment=assessment)
    reason = clean_text(reason).strip()
    if not reason:
        raise ServiceError(_("Write the reason for recording or clearing the late submission."))
    if (assessment.late, assessment.late_reason) == (late, reason):
        return assessment
    assessment.late, assessment.late_reason = late, reason
    assessment._history_user = user
    assessment._change_reason = (
        recorded(gettext_noop("Recorded as late") if late else gettext_noop("Late record cleared"))
        + f" — {reason}"
    )
    assessment.save(update_fields=["late", "late_reason"])
    results_outdated(
        periods=[assessment.period],
        user=user,
        reason=recorded(gettext_noop("late record of %(agency)s"), {"agency": assessment.agency.name}),
    )
    return assessment
