"""Self-assessment: an agency fills its scores, notes and evidence; the head submits."""

from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Agency, User
from ranking import scoring
from ranking.assessments.evidence import EvidenceRefused, evidence_check
from ranking.assessments.sheets import assessment_sheet
from ranking.enums import AssessmentStatus, Method
from ranking.errors import ScoreConflict, ServiceError, recorded
from ranking.models import Assessment, Criterion, Evidence, Period, Score
from ranking.notifications import notify
from ranking.numbers import too_large
from ranking.periods.criteria import leaf_applies, leaf_applies_sql, score_problem
from ranking.periods.outdated import changed_fields, field_values, inputs_changed, results_outdated
from ranking.rows import ModelColumns, Statement, for_update
from ranking.rules import require

SCORE_PLACES = Decimal("0.0001")


# The assessment's row with its period and agency, as `select_related("period", "agency")`
# reads them, written out once (see `ranking.rows`).
LOCKED_ASSESSMENT = ModelColumns(Assessment, "a")
LOCKED_PERIOD = ModelColumns(Period, "p")
LOCKED_AGENCY = ModelColumns(Agency, "g")
ASSESSMENT_LOCK = Statement(
    "ranking_assessment_lock",
    lambda: (
        f"SELECT {LOCKED_ASSESSMENT.sql}, {LOCKED_PERIOD.sql}, {LOCKED_AGENCY.sql} "
        f'FROM "{Assessment._meta.db_table}" a '
        f'INNER JOIN "{Period._meta.db_table}" p ON a."period_id" = p."id" '
        f'INNER JOIN "{Agency._meta.db_table}" g ON a."agency_id" = g."id" '
        f'WHERE a."id" = %s{for_update("a")}'
    ),
    locks=True,
)


def assessment_locked(assessment: Assessment) -> Assessment:
    """The assessment's row as it stands, locked for this transaction, with its period and agency.

    Every write reads status, phase and deadline from here, never from the object a page read
    before: a submission committed a moment ago is seen (and waits for a write in progress).
    Only the assessment's row is locked; saves of other agencies go on. Raises
    `Assessment.DoesNotExist` when there is none.
    """
    with connection.cursor() as cursor:
        ASSESSMENT_LOCK.execute(cursor, (assessment.pk,))
        row = cursor.fetchone()
    if row is None:
        raise Assessment.DoesNotExist("Assessment matching query does not exist.")
    periods = LOCKED_ASSESSMENT.width + LOCKED_PERIOD.width
    locked = LOCKED_ASSESSMENT.build(row[: LOCKED_ASSESSMENT.width])
    locked.period = LOCKED_PERIOD.build(row[LOCKED_ASSESSMENT.width : periods])
    locked.agency = LOCKED_AGENCY.build(row[periods:])
    return locked


def leaf_of(*, assessment: Assessment, criterion_id: int) -> Criterion:
    """The leaf `criterion_id` of the assessment's period that applies to its agency. One query."""
    criterion = (
        Criterion.objects.filter(period_id=assessment.period_id, pk=criterion_id)
        .filter(leaf_applies(assessment.group_id))
        .order_by("pk")
        .first()
    )
    if criterion is None:
        raise ServiceError(_("This criterion is not scored by this agency."))
    return criterion


def score_for_update(*, assessment: Assessment, criterion: Criterion) -> Score:
    """The score row of a leaf, created on first use and locked for this transaction."""
    try:
        with transaction.atomic():
            score, _created = Score.objects.get_or_create(assessment=assessment, criterion=criterion)
    except IntegrityError:
        # Another request created it a moment ago; lock the row it made.
        pass
    score = Score.objects.select_for_update().get(assessment=assessment, criterion=criterion)
    score.criterion = criterion
    score.assessment = assessment
    score._as_read = field_values(score)
    return score


# A score row with its criterion, as `select_related("criterion")` reads them, if the criterion
# is a leaf of the period that applies to the agency's group (see `ranking.rows`).
LOCKED_SCORE = ModelColumns(Score, "s")
LOCKED_CRITERION = ModelColumns(Criterion, "c")


def leaf_score_lock_sql() -> str:
    """Parameters: assessment, criterion, period, the agency's group."""
    applies = leaf_applies_sql('s."criterion_id"', None).sql
    return (
        f"SELECT {LOCKED_SCORE.sql}, {LOCKED_CRITERION.sql} "
        f'FROM "{Score._meta.db_table}" s INNER JOIN "{Criterion._meta.db_table}" c '
        f'ON s."criterion_id" = c."id" '
        f'WHERE s."assessment_id" = %s AND s."criterion_id" = %s AND c."period_id" = %s '
        f"AND {applies}{for_update('s')}"
    )


LEAF_SCORE_LOCK = Statement("ranking_leaf_score_lock", leaf_score_lock_sql, locks=True)


def leaf_score_for_update(*, assessment: Assessment, criterion_id: int) -> tuple[Criterion, Score | None]:
    """The leaf `criterion_id` (as `leaf_of`) and its score row, locked for this transaction.

    One query when the score row exists: the row, locked, with its criterion, if the criterion
    is a leaf of the assessment's period that applies to its agency. Otherwise the leaf alone
    (refused as by `leaf_of`) and None: the caller checks what it must, then creates the row
    with `score_for_update`.
    """
    with connection.cursor() as cursor:
        LEAF_SCORE_LOCK.execute(
            cursor, (assessment.pk, criterion_id, assessment.period_id, assessment.group_id)
        )
        row = cursor.fetchone()
    if row is not None:
        score = LOCKED_SCORE.build(row[: LOCKED_SCORE.width])
        score.criterion = LOCKED_CRITERION.build(row[LOCKED_SCORE.width :])
        score._as_read = field_values(score)
        score.assessment = assessment
        return score.criterion, score
    return leaf_of(assessment=assessment, criterion_id=criterion_id), None


def check_version(score: Score, version: int | None) -> None:
    if version is not None and version != score.version:
        raise ScoreConflict(score)


def save_score(score: Score, *, user: User, reason: str, assessment: Assessment | None = None) -> None:
    """Save a score read by `score_for_update` or `leaf_score_for_update`, with who and why.

    Where the change reaches what results are computed from (the final score, "does not
    arise", or any field not known to be outside the results), the period's results are
    withdrawn. `assessment` is the score's, as locked by the caller.
    """
    score.version += 1
    score._history_user = user
    score._change_reason = reason
    score.save()
    if inputs_changed(Score, changed_fields(getattr(score, "_as_read", None), score)):
        if assessment is None:
            assessment = Assessment.objects.select_related("period", "agency").get(pk=score.assessment_id)
        results_outdated(
            periods=[assessment.period],
            user=user,
            reason=recorded(
                gettext_noop("criterion %(code)s of %(agency)s (%(change)s)"),
                {"code": score.criterion.code, "agency": assessment.agency.name, "change": reason},
            ),
        )


def value_checked(criterion: Criterion, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite():
        raise ServiceError(_("“%(value)s” is not a number.") % {"value": value})
    problem = too_large(value, value)
    if problem:
        # Before quantize, which cannot place 4 decimals on a number of 25 digits or more.
        raise ServiceError(problem)
    if value != value.quantize(SCORE_PLACES):
        # Stored with 4 decimals: a finer value would be rounded without a word.
        raise ServiceError(_("Write at most 4 decimals."))
    problem = score_problem(criterion, value)
    if problem:
        raise ServiceError(problem)
    return value


@transaction.atomic
def score_self_set(
    *,
    user: User,
    assessment: Assessment,
    criterion_id: int,
    value: Decimal | None,
    not_arising: bool = False,
    note: str = "",
    no_evidence_reason: str = "",
    version: int | None = None,
) -> Score:
    """Save one self-score with its note; `version` is the one the user's page showed."""
    assessment = assessment_locked(assessment)
    require(user, "ranking.fill_assessment", assessment)
    criterion, score = leaf_score_for_update(assessment=assessment, criterion_id=criterion_id)
    if criterion.method == Method.SURVEY:
        raise ServiceError(_("Survey criteria are scored from the survey results, not by the agency."))
    if not_arising and not criterion.allow_not_arising:
        raise ServiceError(_("This criterion does not allow “does not arise”."))
    value = None if not_arising else value_checked(criterion, value)
    if score is None:
        score = score_for_update(assessment=assessment, criterion=criterion)
    check_version(score, version)
    changed = (score.self_score, score.not_arising, score.note, score.no_evidence_reason) != (
        value,
        not_arising,
        note,
        no_evidence_reason,
    )
    if changed:
        score.self_score, score.not_arising = value, not_arising
        score.note, score.no_evidence_reason = note, no_evidence_reason
        save_score(score, user=user, reason=recorded(gettext_noop("Self-assessment")), assessment=assessment)
    return score


def quota_check(*, assessment: Assessment, upload: UploadedFile) -> None:
    """Refuse a file that would take the assessment's evidence past EVIDENCE_QUOTA_BYTES."""
    # Locked: two uploads at the same moment cannot both take the last free space.
    Assessment.objects.select_for_update().only("pk").get(pk=assessment.pk)
    used = Evidence.objects.filter(score__assessment=assessment).aggregate(used=Sum("size"))["used"] or 0
    quota = settings.EVIDENCE_QUOTA_BYTES
    if used + upload.size > quota:
        raise ServiceError(
            _(
                "The evidence files of one assessment may take %(quota)s in all; %(used)s are taken, "
                "so %(name)s (%(size)s) does not fit. Remove files that are no longer needed."
            )
            % {
                "quota": filesizeformat(quota),
                "used": filesizeformat(used),
                "name": upload.name,
                "size": filesizeformat(upload.size),
            }
        )


@transaction.atomic
def evidence_add(
    *, user: User, assessment: Assessment, criterion_id: int, upload: UploadedFile, purpose: str
) -> Evidence:
    """Attach a file to a leaf, for the self-assessment or for an explanation."""
    permission = (
        "ranking.explain_assessment" if purpose == Evidence.Purpose.EXPLANATION else "ranking.fill_assessment"
    )
    assessment = assessment_locked(assessment)
    require(user, permission, assessment)
    criterion = leaf_of(assessment=assessment, criterion_id=criterion_id)
    if criterion.method == Method.SURVEY:
        raise ServiceError(_("Survey criteria are scored from the survey results: they take no evidence."))
    try:
        checked = evidence_check(upload)
    except EvidenceRefused as error:
        raise ServiceError(str(error)) from error
    quota_check(assessment=assessment, upload=upload)
    score = score_for_update(assessment=assessment, criterion=criterion)
    evidence = Evidence(
        score=score,
        purpose=purpose,
        original_name=upload.name[-255:],
        content_type=checked.content_type,
        size=upload.size,
        uploaded_by=user,
    )
    evidence.file.save(f"evidence{checked.extension}", upload, save=False)
    evidence._history_user = user
    evidence.save()
    return evidence


@transaction.atomic
def evidence_delete(*, user: User, evidence: Evidence) -> None:
    assessment = assessment_locked(evidence.score.assessment)
    permission = (
        "ranking.explain_assessment"
        if evidence.purpose == Evidence.Purpose.EXPLANATION
        else "ranking.fill_assessment"
    )
    require(user, permission, assessment)
    evidence._history_user = user
    stored = evidence.file.name
    storage = evidence.file.storage
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(stored))


def assessment_set_status(assessment: Assessment, status: str, *, user: User, reason: str, **fields) -> None:
    """The one place an assessment changes status: saved with who, when and why."""
    assessment.status = status
    for name, value in fields.items():
        setattr(assessment, name, value)
    assessment._history_user = user
    assessment._change_reason = reason
    assessment.save()


def assessment_give_back(
    assessment: Assessment,
    status: str,
    *,
    user: User,
    reason: str,
    missing: str,
    note: str,
    event: str,
    **fields,
) -> None:
    """Give an assessment back to the agency (returned for correction or reopened by the
    council): the agency must be told why, in `reason` (`missing` refuses none), which the
    history `note` quotes; an appraisal that had started starts again."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(missing)
    assessment_set_status(
        assessment,
        status,
        user=user,
        reason=recorded(note, {"reason": reason}),
        review_opened_at=None,
        **fields,
    )
    notify(event, assessment=assessment, actor=user, reason=reason)


def submission_problems(*, assessment: Assessment) -> list[str]:
    """What still keeps the assessment from being submitted, one line per leaf."""
    sheet = assessment_sheet(assessment=assessment)
    problems = [_("%(code)s has no score.") % {"code": row.criterion.code} for row in sheet.unscored]
    problems += [
        _("%(code)s needs evidence, or a written reason why there is none.") % {"code": row.criterion.code}
        for row in sheet.missing_evidence
    ]
    return problems


@transaction.atomic
def assessment_submit(*, user: User, assessment: Assessment) -> None:
    """The head signs off the self-assessment; it becomes read-only for the agency."""
    assessment = assessment_locked(assessment)
    require(user, "ranking.submit_assessment", assessment)
    problems = submission_problems(assessment=assessment)
    if problems:
        raise ServiceError(_("The assessment cannot be submitted yet:"), *problems)
    deadline = assessment.period.self_assessment_deadline
    # A submission after the deadline (the council reopened it) is late; a correction asked
    # for by a reviewer is not. The council may clear the record with a reason.
    late = (
        assessment.status != AssessmentStatus.RETURNED
        and deadline is not None
        and timezone.localdate() > deadline
    )
    assessment_set_status(
        assessment,
        AssessmentStatus.SUBMITTED,
        user=user,
        reason=recorded(gettext_noop("Submitted late") if late else gettext_noop("Submitted")),
        submitted_at=timezone.now(),
        submitted_by=user,
        reopened=False,
        **({"late": True, "late_reason": ""} if late and not assessment.late else {}),
    )
    notify("submitted", assessment=assessment, actor=user)


@transaction.atomic
def assessment_withdraw(*, user: User, assessment: Assessment) -> None:
    """The head takes a submission back to edit it, while no reviewer has opened it."""
    assessment = assessment_locked(assessment)
    require(user, "ranking.withdraw_assessment", assessment)
    assessment_set_status(
        assessment,
        AssessmentStatus.DRAFT,
        user=user,
        reason=recorded(gettext_noop("Withdrawn by the head")),
        submitted_at=None,
    )


@transaction.atomic
def assessment_reopen(*, user: User, assessment: Assessment, reason: str) -> None:
    """The council lets an agency edit again, after the deadline or after submission."""
    assessment = assessment_locked(assessment)
    require(user, "ranking.reopen_assessment", assessment)
    assessment_give_back(
        assessment,
        AssessmentStatus.DRAFT,
        user=user,
        reason=reason,
        missing=_("Write the reason for reopening."),
        note=gettext_noop("Reopened: %(reason)s"),
        event="reopened",
        reopened=True,
    )


def progress(sheet) -> dict:
    """The figures of the progress line: scored leaves, missing evidence, live total and index.

    `sheet` is an `AssessmentSheet` or its `SheetFigures`.
    """
    totals: scoring.Totals = sheet.self_totals
    return {
        "scored": sheet.scored_count,
        "required": sheet.required_count,
        "missing_evidence": sheet.missing_evidence_count,
        "total": totals.total,
        "maximum": totals.maximum,
        "index": totals.index,
    }
