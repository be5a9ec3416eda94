"""The group an agency is assessed and ranked in, period by period.

An agency has a usual group (`Agency.group`); each of its assessments carries the group of
that period (`Assessment.group`), the usual one when the assessment is created. The council
may choose another for a period (a department grouped one way for administrative reform and
another for records work), until the period's award list is approved or it is published.
The group decides which leaves apply, the maximum, the ranks and the awards: it is an input
of the results, and changing it withdraws them.

Scores of leaves that no longer apply to the new group are kept (a move back brings them
back) but count for nothing, as every leaf that does not apply.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Agency, AgencyGroup, User
from ranking.enums import Phase
from ranking.errors import ServiceError, recorded
from ranking.models import Assessment, Period
from ranking.periods.outdated import results_outdated
from ranking.rules import require
from ranking.text import clean_text


@transaction.atomic
def assessment_group_set(
    *, user: User, assessment: Assessment, group: AgencyGroup, reason: str
) -> Assessment:
    """Put the agency in `group` for the assessment's period, with the reason recorded in the
    assessment's history; withdraws the period's computed results."""
    period = Period.objects.select_for_update().get(pk=assessment.period_id)
    require(user, "ranking.set_period_group", period)
    locked = Assessment.objects.select_for_update(of=("self",)).select_related("agency").get(pk=assessment.pk)
    locked.period = period
    reason = clean_text(reason).strip()
    if not reason:
        raise ServiceError(
            _("Write the reason for putting %(agency)s in another group.") % {"agency": locked.agency.name}
        )
    if locked.group_id == group.pk:
        return locked
    locked.group = group
    locked._history_user = user
    locked._change_reason = (
        recorded(gettext_noop("Group in this period: %(group)s"), {"group": group.name}) + f" — {reason}"
    )
    locked.save(update_fields=["group"])
    results_outdated(
        periods=[period],
        user=user,
        reason=recorded(gettext_noop("group of %(agency)s"), {"agency": locked.agency.name}),
    )
    return locked


def assessments_follow_usual_group(*, agency: Agency, previous_group_id: int, user: User | None) -> int:
    """The agency's usual group changed from `previous_group_id`: its assessments of periods
    not yet published that were in that group move with it (a group the council chose for a
    period stays). Returns how many moved; the caller withdraws the results, as for any
    change of an agency."""
    if previous_group_id == agency.group_id:
        return 0
    moving = list(
        Assessment.objects.filter(agency=agency, group_id=previous_group_id).exclude(
            period__phase=Phase.PUBLISHED
        )
    )
    reason = recorded(gettext_noop("Follows the agency's usual group"))
    for assessment in moving:
        assessment.group_id = agency.group_id
        assessment._history_user = user
        assessment._change_reason = reason
        assessment.save(update_fields=["group"])
    return len(moving)
