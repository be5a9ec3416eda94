"""The council's year end: phases, survey scores, demotions, results, awards, publication."""

import datetime
import functools
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import AGENCY_ROLES, Agency, Role, User
from ranking.assessments.services import leaf_of, save_score, score_for_update, value_checked
from ranking.enums import AssessmentStatus, Method, Phase
from ranking.errors import ServiceError, recorded
from ranking.models import Assessment, AwardEntry, Demotion, Period, Publication, Result, Score, Tier
from ranking.notifications import notify_period
from ranking.periods.criteria import period_fields
from ranking.periods.outdated import results_outdated
from ranking.results.compute import ComputeSummary, results_compute, results_current
from ranking.results.selectors import award_list, council_notes, period_results
from ranking.rules import require

PHASE_ORDER = list(Phase.values)


def period_locked(period: Period) -> Period:
    return Period.objects.select_for_update().get(pk=period.pk)


class ResultsOutdated(ServiceError):
    """The stored results were not computed from the period's inputs as they stand."""


def refuse_outdated(period: Period, message: str) -> None:
    """Refuse unless the stored results come from exactly the current inputs (`period` is locked)."""
    if not results_current(period=period):
        raise ResultsOutdated(message)


def withdrawing_outdated(service):
    """A period service that may refuse outdated results: its transaction is rolled back, then
    the results and their approval are withdrawn in a transaction of their own, so that the
    council is told to compute again, and the refusal goes on to the caller."""

    @functools.wraps(service)
    def run(*, user: User, period: Period, **kwargs):
        try:
            return service(user=user, period=period, **kwargs)
        except ResultsOutdated:
            with transaction.atomic():
                locked = period_locked(period)
                if not results_current(period=locked):
                    results_outdated(
                        periods=[locked],
                        user=user,
                        reason=recorded(
                            gettext_noop("the scores or settings changed after the results were computed")
                        ),
                    )
            raise

    return run


def period_save(period: Period, *, user: User, reason: str, fields: list[str]) -> None:
    period._history_user = user
    period._change_reason = reason
    period.save(update_fields=fields)


@transaction.atomic
def period_phase_set(*, user: User, period: Period, phase: str, reason: str = "") -> None:
    """Move a period to another phase (publication has its own service)."""
    period = period_locked(period)
    require(user, "ranking.set_phase", period)
    if phase not in PHASE_ORDER or phase == Phase.PUBLISHED:
        raise ServiceError(_("Publish the results with the publication step."))
    going_back = PHASE_ORDER.index(phase) < PHASE_ORDER.index(period.phase)
    if going_back and not reason.strip():
        raise ServiceError(_("Write the reason for going back to an earlier phase."))
    if phase == Phase.FINALIZATION:
        # Agencies that wrote no explanation accept the reviewed scores. Locked, so that an
        # explanation submitted at this moment is not overwritten (the row is read again).
        approved = Assessment.objects.select_for_update(of=("self",)).filter(
            period=period, status=AssessmentStatus.APPROVED
        )
        for assessment in approved:
            assessment.status = AssessmentStatus.FINALIZED
            assessment._history_user = user
            assessment._change_reason = recorded(gettext_noop("No explanation before finalization"))
            assessment.save(update_fields=["status"])
    period.phase = phase
    label = Phase(phase).label
    period_save(
        period,
        user=user,
        reason=recorded(gettext_noop("Phase: %(phase)s"), {"phase": label})
        + (f" — {reason.strip()}" if reason.strip() else ""),
        fields=["phase"],
    )


@transaction.atomic
def period_phase_undo(
    *, user: User, period: Period, back_to: str, moved_to: str, since: datetime.datetime, history_id: int
) -> None:
    """Take back a phase change nobody has acted on since.

    `moved_to` and `history_id` are the phase and the period's history record the change made,
    `since` when it was asked for: the period must still be as that change left it, and no
    assessment or score of the period may have changed from then on (a move to finalization
    that finalized assessments counts as acting).
    """
    period = period_locked(period)
    require(user, "ranking.set_phase", period)
    last = (
        period.history.order_by("-history_date", "-history_id").values_list("history_id", flat=True).first()
    )
    acted = (
        Assessment.history.filter(period_id=period.pk, history_date__gte=since).exists()
        or Score.history.filter(assessment__period_id=period.pk, history_date__gte=since).exists()
    )
    if period.phase != moved_to or last != history_id or acted:
        raise ServiceError(_("The phase change can no longer be undone: the period has changed since."))
    period_phase_set(
        user=user, period=period, phase=back_to, reason=recorded(gettext_noop("Phase change undone"))
    )


@transaction.atomic
def survey_score_set(
    *, user: User, assessment: Assessment, criterion_id: int, value: Decimal | None, reason: str = ""
):
    """The council enters a survey result; it is the leaf's final score.

    `reason` (in the site's language) is the history's; by default "Survey result".
    """
    period = period_locked(assessment.period)
    require(user, "ranking.finalize_period", period)
    assessment = Assessment.objects.select_related("agency").get(pk=assessment.pk, period=period)
    assessment.period = period
    criterion = leaf_of(assessment=assessment, criterion_id=criterion_id)
    if criterion.method != Method.SURVEY:
        raise ServiceError(_("Only survey criteria are entered here."))
    value = value_checked(criterion, value)
    score = score_for_update(assessment=assessment, criterion=criterion)
    if score.final_score != value:
        score.self_score = score.reviewed_score = score.final_score = value
        save_score(
            score, user=user, reason=reason or recorded(gettext_noop("Survey result")), assessment=assessment
        )
    return score


@transaction.atomic
def demotion_set(
    *,
    user: User,
    period: Period,
    agency: Agency,
    reason: str,
    steps: int | None = None,
    cap_tier: Tier | None = None,
) -> Demotion:
    """Lower an agency by tiers or cap it at a tier, with the reason recorded."""
    period = period_locked(period)
    require(user, "ranking.finalize_period", period)
    if not reason.strip():
        raise ServiceError(_("Write the reason for the demotion."))
    if not steps and cap_tier is None:
        raise ServiceError(_("Give the number of tiers, or the highest tier allowed."))
    tiers = Tier.objects.filter(period=period).count()
    if steps is not None and not 1 <= steps < max(tiers, 2):
        raise ServiceError(
            _("Demote by 1 to %(most)d tiers: the scheme has %(tiers)d.")
            % {"most": max(tiers - 1, 1), "tiers": tiers}
        )
    if cap_tier is not None and cap_tier.period_id != period.id:
        raise ServiceError(_("That tier belongs to another period."))
    demotion = Demotion.objects.filter(period=period, agency=agency).first() or Demotion(
        period=period, agency=agency, created_by=user
    )
    before = (demotion.steps, demotion.cap_tier_id) if demotion.pk else None
    demotion.steps, demotion.cap_tier, demotion.reason = steps or None, cap_tier, reason.strip()
    demotion._history_user = user
    demotion.save()
    if before != (demotion.steps, demotion.cap_tier_id):
        results_outdated(
            periods=[period],
            user=user,
            reason=recorded(gettext_noop("demotion of %(agency)s"), {"agency": agency.name}),
        )
    return demotion


@transaction.atomic
def demotion_remove(*, user: User, demotion: Demotion, reason: str) -> None:
    period = period_locked(demotion.period)
    require(user, "ranking.finalize_period", period)
    if not reason.strip():
        raise ServiceError(_("Write the reason for lifting the demotion."))
    demotion = Demotion.objects.select_related("agency").filter(pk=demotion.pk, period=period).first()
    if demotion is None:
        raise ServiceError(_("This demotion has already been lifted."))
    demotion._history_user = user
    demotion._change_reason = reason.strip()
    demotion.delete()
    results_outdated(
        periods=[period],
        user=user,
        reason=recorded(gettext_noop("demotion of %(agency)s lifted"), {"agency": demotion.agency.name}),
    )


@transaction.atomic
def results_compute_by(*, user: User, period: Period) -> ComputeSummary:
    period = period_locked(period)
    require(user, "ranking.finalize_period", period)
    return results_compute(period=period)


@transaction.atomic
def award_change(*, user: User, period: Period, agency: Agency, included: bool, reason: str) -> AwardEntry:
    """The council adds an agency to the certificate list or removes one, with a reason."""
    period = period_locked(period)
    require(user, "ranking.finalize_period", period)
    if period.results_computed_at is None:
        raise ServiceError(_("Compute the results first."))
    if not reason.strip():
        raise ServiceError(_("Write the reason for changing the list."))
    if included and Result.objects.filter(period=period, agency=agency, rank__isnull=True).exists():
        raise ServiceError(
            _("%(agency)s is not ranked: it gets no certificate of merit.") % {"agency": agency.name}
        )
    entry = AwardEntry.objects.filter(period=period, agency=agency).first() or AwardEntry(
        period=period, agency=agency, proposed=False
    )
    entry.included, entry.reason, entry.changed_by = included, reason.strip(), user
    entry._history_user = user
    entry.save()
    if period.awards_approved_at:
        period.awards_approved_at = None
        period_save(
            period,
            user=user,
            reason=recorded(gettext_noop("Award list changed")),
            fields=["awards_approved_at"],
        )
    return entry


@withdrawing_outdated
@transaction.atomic
def results_approve(*, user: User, period: Period) -> None:
    """The council approves the computed results and the award list as they stand.

    Only results computed from the period's inputs as they stand are approved.
    """
    period = period_locked(period)
    require(user, "ranking.finalize_period", period)
    if period.results_computed_at is None:
        raise ServiceError(_("Compute the results first."))
    refuse_outdated(
        period,
        _(
            "The results were not approved: scores or settings of the period changed after the results "
            "were computed. Compute the results again, check them, then approve."
        ),
    )
    period.awards_approved_at = timezone.now()
    period_save(
        period,
        user=user,
        reason=recorded(gettext_noop("Results and award list approved")),
        fields=["awards_approved_at"],
    )


def snapshot(period: Period) -> dict:
    """The period's results and award list as they are announced, with every name and figure
    a published page or workbook shows: the fields of a `Publication`. Seven queries.

    Each result row keeps the council's reasons the conference workbook notes: the demotion's
    (`demotion_reason`) and, for an agency the council added to the certificate list or
    removed from it, `award_change` (`added`, `reason`).
    """
    tiers = list(Tier.objects.filter(period=period).order_by("order").values_list("pk", "label"))
    tier_label = dict(tiers)
    notes = council_notes(period=period)
    award_changes = {change.code: change for change in notes.award_changes}
    results = [
        {
            "group": r.group.name,
            "group_code": r.group.code,
            "group_order": r.group.order,
            "rank": r.rank,
            "agency": r.agency.code,
            "agency_id": r.agency_id,
            "name": r.agency.name,
            "total": str(r.total),
            "maximum": str(r.maximum),
            "index": str(r.index),
            "field_scores": dict(r.field_scores),
            "field_maxima": dict(r.field_maxima),
            "field_indices": dict(r.field_indices),
            "tier": r.tier.label,
            "tier_before_demotion": tier_label[r.tier_before_demotion_id],
            "demoted": r.demoted,
            "previous_rank": r.previous_rank,
            **_council_notes_of(r.agency.code, notes.demotions, award_changes),
            "standing": r.standing,
            "standing_reason": r.standing_reason,
            "late": r.late,
        }
        for r in period_results(period=period)
    ]
    awards = [
        {
            "agency": e.agency.code,
            "agency_id": e.agency_id,
            "name": e.agency.name,
            "group": e.group.name,
            "group_code": e.group.code,
            "group_order": e.group.order,
        }
        for e in award_list(period=period)
    ]
    return {
        "results": results,
        "awards": awards,
        "excluded": list(period.results_excluded),
        "tier_labels": [label for _pk, label in tiers],
        "field_codes": [field.code for field in period_fields(period=period)],
    }


def _council_notes_of(code: str, demotions: dict[str, str], award_changes: dict) -> dict:
    keys = {}
    if code in demotions:
        keys["demotion_reason"] = demotions[code]
    if code in award_changes:
        change = award_changes[code]
        keys["award_change"] = {"added": change.added, "reason": change.reason}
    return keys


@withdrawing_outdated
@transaction.atomic
def period_publish(*, user: User, period: Period) -> Publication:
    """Publish and freeze the results; each publication is a numbered, kept version.

    Only results computed from the period's inputs as they stand are published.
    """
    period = period_locked(period)
    require(user, "ranking.publish_period", period)
    waiting = list(
        Assessment.objects.filter(period=period, status=AssessmentStatus.EXPLAINED)
        .order_by("agency__code")
        .values_list("agency__name", flat=True)
    )
    if waiting:
        raise ServiceError(
            _("Explanations still await a decision; results cannot be published before they are answered:"),
            *waiting,
        )
    refuse_outdated(
        period,
        _(
            "The results were not published: scores or settings of the period changed after the results "
            "were computed. Compute the results again and approve them before publishing."
        ),
    )
    now = timezone.now()
    publication = Publication.objects.create(
        period=period,
        version=period.version,
        published_at=now,
        published_by=user,
        **snapshot(period),
    )
    period.phase, period.published_at = Phase.PUBLISHED, now
    period_save(
        period,
        user=user,
        reason=recorded(gettext_noop("Published (version %(version)d)"), {"version": period.version}),
        fields=["phase", "published_at"],
    )
    notify_period(
        "published",
        period=period,
        users=User.objects.filter(is_active=True, role__in=[*AGENCY_ROLES, Role.REVIEWER, Role.COUNCIL]),
    )
    return publication


@transaction.atomic
def period_reopen(*, user: User, period: Period, reason: str) -> None:
    """Reopen published results for a correction; the next publication is a new version."""
    period = period_locked(period)
    require(user, "ranking.reopen_period", period)
    if not reason.strip():
        raise ServiceError(_("Write the reason for the correction."))
    Publication.objects.filter(period=period, version=period.version).update(
        reopened_at=timezone.now(), reopened_by=user, reopen_reason=reason.strip()
    )
    period.phase = Phase.FINALIZATION
    period.version += 1
    period.awards_approved_at = None
    period_save(
        period,
        user=user,
        reason=recorded(gettext_noop("Reopened for correction: %(reason)s"), {"reason": reason.strip()}),
        fields=["phase", "version", "awards_approved_at"],
    )
