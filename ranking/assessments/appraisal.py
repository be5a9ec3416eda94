"""Appraisal and explanation: reviewers set reviewed scores, agencies explain, reviewers decide."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from ranking import scoring
from ranking.assessments.services import (
    assessment_give_back,
    assessment_locked,
    assessment_set_status,
    check_version,
    leaf_of,
    leaf_score_for_update,
    save_score,
    score_for_update,
    value_checked,
)
from ranking.assessments.sheets import assessment_sheet
from ranking.enums import AssessmentStatus, Decision, Method
from ranking.errors import ServiceError, recorded
from ranking.models import Assessment, Period, Score
from ranking.notifications import notify
from ranking.periods.outdated import field_values
from ranking.rules import require


def locked(assessment: Assessment) -> Assessment:
    return assessment_locked(assessment)


@transaction.atomic
def review_open(*, user: User, assessment: Assessment) -> None:
    """A reviewer opened the submission: from now on the agency cannot withdraw it."""
    if assessment.review_opened_at is not None or not user.has_perm("ranking.review_assessment", assessment):
        return
    assessment = locked(assessment)
    if assessment.review_opened_at is not None or not user.has_perm("ranking.review_assessment", assessment):
        return
    fields = {"review_opened_at": timezone.now()}
    assessment_set_status(
        assessment,
        AssessmentStatus.IN_REVIEW if assessment.status == AssessmentStatus.SUBMITTED else assessment.status,
        user=user,
        reason=recorded(gettext_noop("Appraisal opened")),
        **fields,
    )


@transaction.atomic
def appraisal_start(*, user: User, assessment: Assessment) -> None:
    """The reviewer starts the appraisal of a submission: from now on the agency cannot withdraw it."""
    assessment = locked(assessment)
    require(user, "ranking.review_assessment", assessment)
    if assessment.review_opened_at is not None:
        raise ServiceError(_("The appraisal of this assessment has already started."))
    review_open(user=user, assessment=assessment)


@transaction.atomic
def score_review_set(
    *,
    user: User,
    assessment: Assessment,
    criterion_id: int,
    value: Decimal | None,
    comment: str = "",
    version: int | None = None,
    not_arising: bool | None = None,
) -> Score:
    """Set a reviewed score; a comment is required wherever it differs from the self-score.

    `not_arising` is the reviewer's word on whether the leaf arises (None: leave it as it
    is); it may differ from the agency's, with a comment, and decides the final figures. A
    leaf that does not arise takes no score. Until an explanation is decided, the reviewed
    score is the final score.
    """
    assessment = locked(assessment)
    require(user, "ranking.review_assessment", assessment)
    criterion, score = leaf_score_for_update(assessment=assessment, criterion_id=criterion_id)
    if criterion.method == Method.SURVEY:
        raise ServiceError(_("Survey criteria are scored from the survey results."))
    agency_says = bool(score and score.not_arising)
    # Agreeing with an agency's "does not arise" stays possible where the leaf no longer allows it.
    if not_arising and not criterion.allow_not_arising and not agency_says:
        raise ServiceError(_("This criterion does not allow “does not arise”."))
    overruled = (score.reviewer_not_arising if score else None) if not_arising is None else not_arising
    if not_arising is None and value is not None and scoring.final_not_arising(agency_says, overruled):
        # A score given without a word on "does not arise" says the leaf arises.
        overruled = False
    value = None if scoring.final_not_arising(agency_says, overruled) else value_checked(criterion, value)
    if score is None:
        score = score_for_update(assessment=assessment, criterion=criterion)
    check_version(score, version)
    comment = comment.strip()
    if value is not None and value != score.self_score and not comment:
        raise ServiceError(_("Write a comment: the reviewed score differs from the self-score."))
    if not comment and overruled is not None and overruled != score.not_arising:
        raise ServiceError(_("Write a comment: you judge differently from the agency whether this arises."))
    appraisal = (value, comment, overruled)
    if (score.reviewed_score, score.review_comment, score.reviewer_not_arising) != appraisal:
        score.reviewed_score, score.review_comment, score.reviewer_not_arising = appraisal
        score.final_score = value
        save_score(score, user=user, reason=recorded(gettext_noop("Appraisal")), assessment=assessment)
    if assessment.status == AssessmentStatus.SUBMITTED:
        review_open(user=user, assessment=assessment)
    return score


@dataclass(frozen=True)
class FieldAccepted:
    """What accepting a field's self-scores did: the leaves filled (criterion id → the score's
    version right after), and how many the reviewer had already touched and were kept."""

    filled: dict[int, int]
    kept: int


def untouched(score: Score) -> bool:
    """The reviewer has given no score, comment or word on "does not arise" to this leaf."""
    return score.reviewed_score is None and not score.review_comment and score.reviewer_not_arising is None


def accepted_reason(field_code: str) -> str:
    return recorded(gettext_noop("Self-scores of field %(field)s accepted"), {"field": field_code})


@transaction.atomic
def field_accept_self(*, user: User, assessment: Assessment, field_code: str) -> FieldAccepted:
    """Take the self-score as reviewed on every leaf of a field the reviewer has not touched.

    A reviewed score, a comment or the reviewer's word on "does not arise" is the reviewer's
    work: such a leaf is kept as it is and counted. A leaf the agency left empty has nothing
    to take, and one the agency said does not arise already stands as the agency said.
    """
    assessment = locked(assessment)
    require(user, "ranking.review_assessment", assessment)
    sheet = assessment_sheet(assessment=assessment)
    filled: dict[int, int] = {}
    kept = 0
    for row in sheet.leaves:
        if row.criterion.field_code != field_code or row.criterion.method == Method.SURVEY:
            continue
        if row.score is not None and not untouched(row.score):
            kept += 1
            continue
        if row.score is None or row.score.self_score is None or row.score.not_arising:
            continue
        score = score_for_update(assessment=assessment, criterion=row.criterion)
        if not untouched(score):
            kept += 1
            continue
        score.reviewed_score = score.final_score = score.self_score
        save_score(score, user=user, reason=accepted_reason(field_code), assessment=assessment)
        filled[row.criterion.pk] = score.version
    if assessment.status == AssessmentStatus.SUBMITTED:
        review_open(user=user, assessment=assessment)
    return FieldAccepted(filled=filled, kept=kept)


@transaction.atomic
def field_accept_undo(*, user: User, assessment: Assessment, field_code: str, filled: dict[int, int]) -> int:
    """Take back what `field_accept_self` filled: each leaf is left unreviewed again, unless it
    changed since (its version moved on) or its last change was not that acceptance. Returns
    how many leaves were taken back."""
    assessment = locked(assessment)
    require(user, "ranking.review_assessment", assessment)
    reason = accepted_reason(field_code)
    undone = 0
    scores = (
        Score.objects.select_for_update(of=("self",))
        .select_related("criterion")
        .filter(
            assessment=assessment, criterion_id__in=list(filled), criterion__period_id=assessment.period_id
        )
        .order_by("pk")
    )
    for score in scores:
        last = score.history.order_by("-history_date", "-history_id").first()
        if (
            score.version != filled[score.criterion_id]
            or score.criterion.field_code != field_code
            or last is None
            or last.history_change_reason != reason
            or score.reviewed_score != score.self_score
            or score.review_comment
            or score.reviewer_not_arising is not None
        ):
            continue
        score._as_read = field_values(score)
        score.reviewed_score = score.final_score = None
        save_score(
            score,
            user=user,
            reason=recorded(
                gettext_noop("Acceptance of the self-scores of field %(field)s undone"), {"field": field_code}
            ),
            assessment=assessment,
        )
        undone += 1
    return undone


@transaction.atomic
def assessment_return(*, user: User, assessment: Assessment, reason: str) -> None:
    """Send a submission back to the agency for correction."""
    assessment = locked(assessment)
    require(user, "ranking.review_assessment", assessment)
    assessment_give_back(
        assessment,
        AssessmentStatus.RETURNED,
        user=user,
        reason=reason,
        missing=_("Write what the agency must correct."),
        note=gettext_noop("Returned for correction: %(reason)s"),
        event="returned",
    )


@transaction.atomic
def assessment_mark_reviewed(*, user: User, assessment: Assessment) -> None:
    """Close the appraisal of one assessment: every leaf reviewed, every difference explained."""
    assessment = locked(assessment)
    require(user, "ranking.review_assessment", assessment)
    sheet = assessment_sheet(assessment=assessment)
    problems = [_("%(code)s has no reviewed score.") % {"code": r.criterion.code} for r in sheet.unreviewed]
    problems += [
        _("%(code)s needs a comment: the reviewed score differs.") % {"code": r.criterion.code}
        for r in sheet.uncommented
    ]
    if problems:
        raise ServiceError(_("The appraisal cannot be closed yet:"), *problems)
    assessment_set_status(
        assessment,
        AssessmentStatus.REVIEWED,
        user=user,
        reason=recorded(gettext_noop("Appraisal complete")),
        reviewed_at=timezone.now(),
    )
    notify("reviewed", assessment=assessment, actor=user)


@transaction.atomic
def appraisal_approve(*, user: User, assessment: Assessment) -> None:
    """The council approves an appraisal; the agency then sees the reviewed scores."""
    assessment = locked(assessment)
    require(user, "ranking.approve_appraisal", assessment)
    assessment_set_status(
        assessment, AssessmentStatus.APPROVED, user=user, reason=recorded(gettext_noop("Appraisal approved"))
    )
    notify("approved", assessment=assessment, actor=user)


@transaction.atomic
def appraisals_approve(*, user: User, period: Period, assessment_ids: list[int]) -> list[Assessment]:
    """The council approves several appraisals of a period at once, all or none.

    Each goes through `appraisal_approve` (permission, phase, history, notification). The
    council confirmed one list: approving part of it would leave a state nobody chose, so
    if one of them cannot be approved, none is, and the refusal names every one that could
    not be and why. Notifications are sent on commit, so a refusal sends none.
    """
    require(user, "ranking.approve_appraisals", period)
    chosen = list(
        Assessment.objects.filter(period=period, pk__in=assessment_ids)
        .select_related("period", "agency")
        .order_by("pk")
    )
    if not chosen:
        raise ServiceError(_("Choose at least one appraisal to approve."))
    refusals = []
    for assessment in chosen:
        try:
            with transaction.atomic():
                appraisal_approve(user=user, assessment=assessment)
        except PermissionDenied:
            refusals.append(
                _("%(agency)s: its appraisal is not awaiting approval (%(status)s).")
                % {"agency": assessment.agency.name, "status": assessment.get_status_display()}
            )
    if refusals:
        # Leaving the transaction with an exception takes back the approvals already made.
        raise ServiceError(
            _("No appraisal was approved, the others of your choice included: %(count)d cannot be approved.")
            % {"count": len(refusals)},
            *refusals,
        )
    return chosen


@transaction.atomic
def explanation_set(
    *,
    user: User,
    assessment: Assessment,
    criterion_id: int,
    explanation: str,
    proposed_score: Decimal | None,
    version: int | None = None,
) -> Score:
    """The agency explains why it disagrees with a reviewed score and proposes another."""
    assessment = locked(assessment)
    require(user, "ranking.explain_assessment", assessment)
    criterion, score = leaf_score_for_update(assessment=assessment, criterion_id=criterion_id)
    if criterion.method == Method.SURVEY:
        raise ServiceError(_("Survey results are measured, not appraised: there is nothing to explain."))
    proposed_score = value_checked(criterion, proposed_score)
    explanation = explanation.strip()
    if proposed_score is not None and not explanation:
        raise ServiceError(_("Write the explanation for the proposed score."))
    if score is None:
        score = score_for_update(assessment=assessment, criterion=criterion)
    check_version(score, version)
    if (score.explanation, score.proposed_score) != (explanation, proposed_score):
        score.explanation, score.proposed_score = explanation, proposed_score
        save_score(score, user=user, reason=recorded(gettext_noop("Explanation")), assessment=assessment)
    return score


@transaction.atomic
def explanation_submit(*, user: User, assessment: Assessment) -> None:
    """The head sends the explanations to the reviewer; without any, the reviewed scores stand."""
    assessment = locked(assessment)
    require(user, "ranking.submit_explanation", assessment)
    explained = Score.objects.filter(assessment=assessment).exclude(explanation="").exists()
    if explained:
        assessment_set_status(
            assessment,
            AssessmentStatus.EXPLAINED,
            user=user,
            reason=recorded(gettext_noop("Explanation submitted")),
            explanation_submitted_at=timezone.now(),
        )
        notify("explained", assessment=assessment, actor=user)
    else:
        assessment_set_status(
            assessment,
            AssessmentStatus.FINALIZED,
            user=user,
            reason=recorded(gettext_noop("Reviewed scores accepted by the agency")),
        )


@transaction.atomic
def explanation_decide(
    *,
    user: User,
    assessment: Assessment,
    criterion_id: int,
    decision: str,
    reason: str,
    score_value: Decimal | None = None,
) -> Score:
    """Accept (the proposed score becomes final), accept in part (another score) or reject
    (the reviewed score stays), always with a reason. Deciding the last open explanation
    finalizes the assessment."""
    assessment = locked(assessment)
    require(user, "ranking.decide_explanation", assessment)
    criterion = leaf_of(assessment=assessment, criterion_id=criterion_id)
    if decision not in Decision.values:
        raise ServiceError(_("Choose accept, accept in part or reject."))
    if not reason.strip():
        raise ServiceError(_("Write the reason for the decision."))
    score = score_for_update(assessment=assessment, criterion=criterion)
    if not score.explanation:
        raise ServiceError(_("The agency wrote no explanation for %(code)s.") % {"code": criterion.code})
    if decision == Decision.ACCEPTED:
        if score.proposed_score is None:
            raise ServiceError(_("The agency proposed no score: accept in part with a score, or reject."))
        final = score.proposed_score
    elif decision == Decision.PARTIAL:
        if score_value is None:
            raise ServiceError(_("Enter the score accepted in part."))
        final = value_checked(criterion, score_value)
    else:
        final = score.reviewed_score
    score.decision, score.decision_reason, score.final_score = decision, reason.strip(), final
    if final is not None and score.final_not_arising:
        # A score accepted for a leaf the reviewer had left out: it arises and counts.
        score.reviewer_not_arising = False
    save_score(score, user=user, reason=recorded(gettext_noop("Explanation decided")), assessment=assessment)
    undecided = Score.objects.filter(assessment=assessment, decision="").exclude(explanation="").exists()
    if not undecided:
        assessment_set_status(
            assessment,
            AssessmentStatus.FINALIZED,
            user=user,
            reason=recorded(gettext_noop("Explanations decided")),
        )
        notify("answered", assessment=assessment, actor=user)
    return score
