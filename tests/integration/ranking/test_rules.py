"""Who may do what, when (ranking/rules.py): every permission as a table.

Each case sets an assessment's status, its period's phase and deadlines, then asks every
person of the year whether they hold the permission; the expected answer is the exact set of
people who do. Deadlines are set relative to `timezone.localdate()`: a deadline is the last
day on which work is accepted, so "today" is still open and "yesterday" has passed.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import Role
from ranking.enums import AssessmentStatus as S
from ranking.enums import Phase as P
from tests.factories import AgencyFactory, AgencyGroupFactory, AssessmentFactory, PeriodFactory, UserFactory

pytestmark = pytest.mark.django_db

PEOPLE = (
    "officer",
    "head",
    "officer_b",
    "head_b",
    "reviewer",
    "reviewer_other",
    "council",
    "admin",
    "viewer",
    "anonymous",
)
AGENCY = {"officer", "head"}
APPRAISERS = {"reviewer", "council"}
EVERYONE = set(PEOPLE)
NOBODY: set[str] = set()

TOMORROW, TODAY, YESTERDAY, NONE = 1, 0, -1, None


def day(offset: int | None) -> datetime.date | None:
    return None if offset is None else timezone.localdate() + datetime.timedelta(days=offset)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Nobody signs in here: hashing ten passwords per test with PBKDF2 would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    group = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành")
    agency_a = AgencyFactory(code="SNV", name="Sở Nội vụ", group=group)
    agency_b = AgencyFactory(code="STC", name="Sở Tài chính", group=group)
    people = {
        "officer": UserFactory(username="canbo_snv", role=Role.OFFICER, agency=agency_a),
        "head": UserFactory(username="lanhdao_snv", role=Role.HEAD, agency=agency_a),
        "officer_b": UserFactory(username="canbo_stc", role=Role.OFFICER, agency=agency_b),
        "head_b": UserFactory(username="lanhdao_stc", role=Role.HEAD, agency=agency_b),
        "reviewer": UserFactory(username="thamdinh1", role=Role.REVIEWER),
        "reviewer_other": UserFactory(username="thamdinh2", role=Role.REVIEWER),
        "council": UserFactory(username="hoidong", role=Role.COUNCIL),
        "admin": UserFactory(username="quantri", role=Role.ADMIN),
        "viewer": UserFactory(username="ubnd", role=Role.VIEWER),
        "anonymous": AnonymousUser(),
    }
    period = PeriodFactory(code="CCHC-2025", name="CCHC 2025")
    assessment = AssessmentFactory(period=period, agency=agency_a, reviewer=people["reviewer"])
    AssessmentFactory(period=period, agency=agency_b, reviewer=people["reviewer_other"])
    return people, assessment


def holders(people: dict, permission: str, obj) -> set[str]:
    return {name for name, user in people.items() if user.has_perm(permission, obj)}


def at(
    assessment,
    *,
    status: str,
    phase: str,
    deadline: int | None = TOMORROW,
    explanation_deadline: int | None = TOMORROW,
    reopened: bool = False,
    opened: bool = False,
):
    period = assessment.period
    period.phase = phase
    period.self_assessment_deadline = day(deadline)
    period.explanation_deadline = day(explanation_deadline)
    period.save()
    assessment.status = status
    assessment.reopened = reopened
    assessment.review_opened_at = timezone.now() if opened else None
    assessment.save()
    return assessment


# --- fill_assessment and submit_assessment -----------------------------------------------------

# (status, phase, self-assessment deadline, reopened) → who may fill in; the head alone may submit.
FILL_CASES = [
    pytest.param(S.DRAFT, P.SELF_ASSESSMENT, TOMORROW, False, AGENCY, id="draft-before-deadline"),
    pytest.param(S.DRAFT, P.SELF_ASSESSMENT, TODAY, False, AGENCY, id="draft-on-the-deadline-day"),
    pytest.param(S.DRAFT, P.SELF_ASSESSMENT, NONE, False, AGENCY, id="draft-without-deadline"),
    pytest.param(S.DRAFT, P.SELF_ASSESSMENT, YESTERDAY, False, NOBODY, id="draft-after-deadline"),
    pytest.param(S.DRAFT, P.SETUP, TOMORROW, False, NOBODY, id="draft-during-setup"),
    pytest.param(S.DRAFT, P.APPRAISAL, TOMORROW, False, NOBODY, id="draft-during-appraisal"),
    pytest.param(S.DRAFT, P.SELF_ASSESSMENT, YESTERDAY, True, AGENCY, id="reopened-after-deadline"),
    pytest.param(S.DRAFT, P.APPRAISAL, YESTERDAY, True, AGENCY, id="reopened-during-appraisal"),
    pytest.param(S.DRAFT, P.EXPLANATION, YESTERDAY, True, NOBODY, id="reopened-during-explanation"),
    pytest.param(S.RETURNED, P.APPRAISAL, YESTERDAY, False, AGENCY, id="returned-during-appraisal"),
    pytest.param(S.RETURNED, P.SELF_ASSESSMENT, YESTERDAY, False, AGENCY, id="returned-after-deadline"),
    pytest.param(S.RETURNED, P.EXPLANATION, YESTERDAY, False, NOBODY, id="returned-during-explanation"),
    pytest.param(S.SUBMITTED, P.SELF_ASSESSMENT, TOMORROW, False, NOBODY, id="submitted"),
    pytest.param(S.IN_REVIEW, P.SELF_ASSESSMENT, TOMORROW, False, NOBODY, id="in-review"),
    pytest.param(S.REVIEWED, P.APPRAISAL, TOMORROW, False, NOBODY, id="reviewed"),
    pytest.param(S.APPROVED, P.EXPLANATION, TOMORROW, False, NOBODY, id="approved"),
    pytest.param(S.EXPLAINED, P.EXPLANATION, TOMORROW, False, NOBODY, id="explained"),
    pytest.param(S.FINALIZED, P.FINALIZATION, TOMORROW, False, NOBODY, id="finalized"),
    pytest.param(S.FINALIZED, P.PUBLISHED, TOMORROW, False, NOBODY, id="published"),
]


@pytest.mark.parametrize(("status", "phase", "deadline", "reopened", "expected"), FILL_CASES)
def test_fill_assessment(world, status, phase, deadline, reopened, expected):
    people, assessment = world
    at(assessment, status=status, phase=phase, deadline=deadline, reopened=reopened)

    assert holders(people, "ranking.fill_assessment", assessment) == expected


@pytest.mark.parametrize(("status", "phase", "deadline", "reopened", "expected"), FILL_CASES)
def test_submit_assessment_is_the_heads_alone(world, status, phase, deadline, reopened, expected):
    people, assessment = world
    at(assessment, status=status, phase=phase, deadline=deadline, reopened=reopened)

    assert holders(people, "ranking.submit_assessment", assessment) == expected & {"head"}


def test_an_inactive_member_may_do_nothing(world):
    people, assessment = world
    at(assessment, status=S.DRAFT, phase=P.SELF_ASSESSMENT)
    head = people["head"]
    head.is_active = False
    head.save()

    assert not head.has_perm("ranking.view_assessment", assessment)
    assert not head.has_perm("ranking.fill_assessment", assessment)
    assert not head.has_perm("ranking.submit_assessment", assessment)


def test_an_officer_moved_to_another_agency_loses_the_old_one(world):
    people, assessment = world
    at(assessment, status=S.DRAFT, phase=P.SELF_ASSESSMENT)
    officer = people["officer"]
    officer.agency = people["officer_b"].agency
    officer.save()

    assert not officer.has_perm("ranking.fill_assessment", assessment)
    assert not officer.has_perm("ranking.view_assessment", assessment)


# --- withdraw_assessment -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "phase", "deadline", "opened", "expected"),
    [
        pytest.param(S.SUBMITTED, P.SELF_ASSESSMENT, TOMORROW, False, {"head"}, id="before-deadline"),
        pytest.param(S.SUBMITTED, P.SELF_ASSESSMENT, TODAY, False, {"head"}, id="on-the-deadline-day"),
        pytest.param(S.SUBMITTED, P.SELF_ASSESSMENT, NONE, False, {"head"}, id="without-deadline"),
        pytest.param(S.SUBMITTED, P.SELF_ASSESSMENT, YESTERDAY, False, NOBODY, id="after-deadline"),
        pytest.param(S.SUBMITTED, P.SELF_ASSESSMENT, TOMORROW, True, NOBODY, id="opened-by-reviewer"),
        pytest.param(S.IN_REVIEW, P.SELF_ASSESSMENT, TOMORROW, True, NOBODY, id="in-review"),
        pytest.param(S.SUBMITTED, P.APPRAISAL, TOMORROW, False, NOBODY, id="during-appraisal"),
        pytest.param(S.DRAFT, P.SELF_ASSESSMENT, TOMORROW, False, NOBODY, id="draft"),
        pytest.param(S.RETURNED, P.APPRAISAL, TOMORROW, False, NOBODY, id="returned"),
        pytest.param(S.REVIEWED, P.APPRAISAL, TOMORROW, True, NOBODY, id="reviewed"),
    ],
)
def test_withdraw_assessment(world, status, phase, deadline, opened, expected):
    people, assessment = world
    at(assessment, status=status, phase=phase, deadline=deadline, opened=opened)

    assert holders(people, "ranking.withdraw_assessment", assessment) == expected


# --- reopen_assessment -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "phase", "deadline", "expected"),
    [
        pytest.param(S.DRAFT, P.SELF_ASSESSMENT, YESTERDAY, {"council"}, id="draft-after-deadline"),
        pytest.param(S.DRAFT, P.SELF_ASSESSMENT, TOMORROW, {"council"}, id="draft-before-deadline"),
        pytest.param(S.SUBMITTED, P.SELF_ASSESSMENT, YESTERDAY, {"council"}, id="submitted"),
        pytest.param(S.SUBMITTED, P.APPRAISAL, YESTERDAY, {"council"}, id="submitted-in-appraisal"),
        pytest.param(S.IN_REVIEW, P.APPRAISAL, YESTERDAY, {"council"}, id="in-review"),
        pytest.param(S.REVIEWED, P.APPRAISAL, YESTERDAY, {"council"}, id="reviewed"),
        pytest.param(S.RETURNED, P.APPRAISAL, YESTERDAY, NOBODY, id="returned-is-already-open"),
        pytest.param(S.APPROVED, P.APPRAISAL, YESTERDAY, NOBODY, id="approved"),
        pytest.param(S.DRAFT, P.SETUP, TOMORROW, NOBODY, id="setup"),
        pytest.param(S.DRAFT, P.EXPLANATION, YESTERDAY, NOBODY, id="draft-in-explanation"),
        pytest.param(S.REVIEWED, P.EXPLANATION, YESTERDAY, NOBODY, id="reviewed-in-explanation"),
        pytest.param(S.FINALIZED, P.FINALIZATION, YESTERDAY, NOBODY, id="finalized"),
    ],
)
def test_reopen_assessment(world, status, phase, deadline, expected):
    people, assessment = world
    at(assessment, status=status, phase=phase, deadline=deadline)

    assert holders(people, "ranking.reopen_assessment", assessment) == expected


# --- review_assessment ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "phase", "expected"),
    [
        pytest.param(S.SUBMITTED, P.SELF_ASSESSMENT, APPRAISERS, id="submitted-as-it-arrives"),
        pytest.param(S.SUBMITTED, P.APPRAISAL, APPRAISERS, id="submitted"),
        pytest.param(S.IN_REVIEW, P.SELF_ASSESSMENT, APPRAISERS, id="in-review-early"),
        pytest.param(S.IN_REVIEW, P.APPRAISAL, APPRAISERS, id="in-review"),
        pytest.param(S.SUBMITTED, P.SETUP, NOBODY, id="setup"),
        pytest.param(S.IN_REVIEW, P.EXPLANATION, NOBODY, id="explanation-phase"),
        pytest.param(S.IN_REVIEW, P.FINALIZATION, NOBODY, id="finalization-phase"),
        pytest.param(S.DRAFT, P.APPRAISAL, NOBODY, id="draft"),
        pytest.param(S.RETURNED, P.APPRAISAL, NOBODY, id="returned"),
        pytest.param(S.REVIEWED, P.APPRAISAL, NOBODY, id="reviewed"),
        pytest.param(S.APPROVED, P.APPRAISAL, NOBODY, id="approved"),
    ],
)
def test_review_assessment(world, status, phase, expected):
    people, assessment = world
    at(assessment, status=status, phase=phase, deadline=YESTERDAY)

    assert holders(people, "ranking.review_assessment", assessment) == expected


def test_an_unassigned_assessment_is_the_councils_alone(world):
    people, assessment = world
    at(assessment, status=S.SUBMITTED, phase=P.APPRAISAL)
    assessment.reviewer = None
    assessment.save()

    assert holders(people, "ranking.review_assessment", assessment) == {"council"}
    assert holders(people, "ranking.view_assessment", assessment) == {"officer", "head", "council", "admin"}


# --- approve_appraisal -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "phase", "expected"),
    [
        pytest.param(S.REVIEWED, P.APPRAISAL, {"council"}, id="reviewed"),
        pytest.param(S.REVIEWED, P.EXPLANATION, {"council"}, id="reviewed-late"),
        pytest.param(S.REVIEWED, P.SELF_ASSESSMENT, NOBODY, id="self-assessment-phase"),
        pytest.param(S.REVIEWED, P.FINALIZATION, NOBODY, id="finalization-phase"),
        pytest.param(S.IN_REVIEW, P.APPRAISAL, NOBODY, id="in-review"),
        pytest.param(S.SUBMITTED, P.APPRAISAL, NOBODY, id="submitted"),
        pytest.param(S.APPROVED, P.APPRAISAL, NOBODY, id="approved"),
    ],
)
def test_approve_appraisal(world, status, phase, expected):
    people, assessment = world
    at(assessment, status=status, phase=phase, deadline=YESTERDAY)

    assert holders(people, "ranking.approve_appraisal", assessment) == expected


# --- view_assessment, view_history, view_appraisal ----------------------------------------------

STATUSES = [s.value for s in S]
INSIDE = {"officer", "head", "reviewer", "council", "admin"}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("permission", ["ranking.view_assessment", "ranking.view_history"])
def test_an_assessment_is_seen_by_its_agency_its_reviewer_the_council_and_admins(world, permission, status):
    people, assessment = world
    at(assessment, status=status, phase=P.APPRAISAL)

    assert holders(people, permission, assessment) == INSIDE


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.DRAFT, {"reviewer", "council", "admin"}),
        (S.SUBMITTED, {"reviewer", "council", "admin"}),
        (S.RETURNED, {"reviewer", "council", "admin"}),
        (S.IN_REVIEW, {"reviewer", "council", "admin"}),
        (S.REVIEWED, {"reviewer", "council", "admin"}),
        (S.APPROVED, INSIDE),
        (S.EXPLAINED, INSIDE),
        (S.FINALIZED, INSIDE),
    ],
)
def test_view_appraisal_reaches_the_agency_once_approved(world, status, expected):
    people, assessment = world
    at(assessment, status=status, phase=P.EXPLANATION)

    assert holders(people, "ranking.view_appraisal", assessment) == expected


# --- explain_assessment and submit_explanation -----------------------------------------------------

EXPLAIN_CASES = [
    pytest.param(S.APPROVED, P.EXPLANATION, TOMORROW, AGENCY, id="approved-before-deadline"),
    pytest.param(S.APPROVED, P.EXPLANATION, TODAY, AGENCY, id="approved-on-the-deadline-day"),
    pytest.param(S.APPROVED, P.EXPLANATION, NONE, AGENCY, id="approved-without-deadline"),
    pytest.param(S.APPROVED, P.EXPLANATION, YESTERDAY, NOBODY, id="approved-after-deadline"),
    pytest.param(S.APPROVED, P.APPRAISAL, TOMORROW, NOBODY, id="appraisal-phase"),
    pytest.param(S.APPROVED, P.FINALIZATION, TOMORROW, NOBODY, id="finalization-phase"),
    pytest.param(S.REVIEWED, P.EXPLANATION, TOMORROW, NOBODY, id="not-yet-approved"),
    pytest.param(S.EXPLAINED, P.EXPLANATION, TOMORROW, NOBODY, id="already-explained"),
    pytest.param(S.FINALIZED, P.EXPLANATION, TOMORROW, NOBODY, id="finalized"),
]


@pytest.mark.parametrize(("status", "phase", "deadline", "expected"), EXPLAIN_CASES)
def test_explain_assessment(world, status, phase, deadline, expected):
    people, assessment = world
    # The self-assessment deadline has long passed: it does not govern explanations.
    at(assessment, status=status, phase=phase, deadline=YESTERDAY, explanation_deadline=deadline)

    assert holders(people, "ranking.explain_assessment", assessment) == expected


@pytest.mark.parametrize(("status", "phase", "deadline", "expected"), EXPLAIN_CASES)
def test_submit_explanation_is_the_heads_alone(world, status, phase, deadline, expected):
    people, assessment = world
    at(assessment, status=status, phase=phase, deadline=YESTERDAY, explanation_deadline=deadline)

    assert holders(people, "ranking.submit_explanation", assessment) == expected & {"head"}


# --- decide_explanation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "phase", "explanation_deadline", "expected"),
    [
        pytest.param(S.EXPLAINED, P.EXPLANATION, TOMORROW, APPRAISERS, id="explained"),
        pytest.param(S.EXPLAINED, P.EXPLANATION, YESTERDAY, APPRAISERS, id="after-the-agencys-deadline"),
        pytest.param(S.EXPLAINED, P.FINALIZATION, YESTERDAY, APPRAISERS, id="during-finalization"),
        pytest.param(S.EXPLAINED, P.PUBLISHED, YESTERDAY, NOBODY, id="published"),
        pytest.param(S.EXPLAINED, P.APPRAISAL, TOMORROW, NOBODY, id="appraisal-phase"),
        pytest.param(S.APPROVED, P.EXPLANATION, TOMORROW, NOBODY, id="approved"),
        pytest.param(S.FINALIZED, P.FINALIZATION, YESTERDAY, NOBODY, id="finalized"),
    ],
)
def test_decide_explanation(world, status, phase, explanation_deadline, expected):
    people, assessment = world
    at(assessment, status=status, phase=phase, deadline=YESTERDAY, explanation_deadline=explanation_deadline)

    assert holders(people, "ranking.decide_explanation", assessment) == expected


# --- periods ------------------------------------------------------------------------------------------


def period_at(assessment, *, phase: str, computed: bool = False, approved: bool = False):
    period = assessment.period
    period.phase = phase
    period.results_computed_at = timezone.now() if computed else None
    period.awards_approved_at = timezone.now() if approved else None
    period.save()
    return period


ALL_PHASES = [p.value for p in P]


@pytest.mark.parametrize("phase", ALL_PHASES)
def test_set_phase(world, phase):
    people, assessment = world
    period = period_at(assessment, phase=phase)

    expected = NOBODY if phase == P.PUBLISHED else {"council", "admin"}
    assert holders(people, "ranking.set_phase", period) == expected


@pytest.mark.parametrize("phase", ALL_PHASES)
def test_finalize_period(world, phase):
    people, assessment = world
    period = period_at(assessment, phase=phase, computed=True)

    expected = {"council"} if phase == P.FINALIZATION else NOBODY
    assert holders(people, "ranking.finalize_period", period) == expected


@pytest.mark.parametrize(
    ("phase", "computed", "approved", "expected"),
    [
        pytest.param(P.FINALIZATION, True, True, {"council"}, id="computed-and-approved"),
        pytest.param(P.FINALIZATION, True, False, NOBODY, id="not-approved"),
        pytest.param(P.FINALIZATION, False, True, NOBODY, id="not-computed"),
        pytest.param(P.FINALIZATION, False, False, NOBODY, id="nothing-yet"),
        pytest.param(P.EXPLANATION, True, True, NOBODY, id="explanation-phase"),
        pytest.param(P.PUBLISHED, True, True, NOBODY, id="already-published"),
    ],
)
def test_publish_period(world, phase, computed, approved, expected):
    people, assessment = world
    period = period_at(assessment, phase=phase, computed=computed, approved=approved)

    assert holders(people, "ranking.publish_period", period) == expected


@pytest.mark.parametrize("phase", ALL_PHASES)
def test_reopen_period(world, phase):
    people, assessment = world
    period = period_at(assessment, phase=phase, computed=True, approved=True)

    expected = {"council"} if phase == P.PUBLISHED else NOBODY
    assert holders(people, "ranking.reopen_period", period) == expected


@pytest.mark.parametrize("phase", ALL_PHASES)
def test_view_public_results(world, phase):
    people, assessment = world
    period = period_at(assessment, phase=phase, computed=True, approved=True)

    expected = EVERYONE if phase == P.PUBLISHED else NOBODY
    assert holders(people, "ranking.view_public_results", period) == expected


@pytest.mark.parametrize(
    ("permission", "expected"),
    [
        ("ranking.view_progress", {"council", "admin"}),
        ("ranking.review_queue", {"reviewer", "reviewer_other", "council"}),
    ],
)
def test_period_wide_pages(world, permission, expected):
    people, assessment = world

    assert holders(people, permission, None) == expected
    assert holders(people, permission, assessment.period) == expected


OBJECT_PERMISSIONS = [
    "ranking.view_assessment",
    "ranking.fill_assessment",
    "ranking.submit_assessment",
    "ranking.withdraw_assessment",
    "ranking.reopen_assessment",
    "ranking.review_assessment",
    "ranking.approve_appraisal",
    "ranking.view_appraisal",
    "ranking.explain_assessment",
    "ranking.submit_explanation",
    "ranking.decide_explanation",
    "ranking.view_history",
    "ranking.set_phase",
    "ranking.finalize_period",
    "ranking.publish_period",
    "ranking.reopen_period",
    "ranking.view_public_results",
]


def test_asking_without_an_object_never_fails(world):
    """`{% if perms.ranking.set_phase %}` in a template asks without an object: the answer
    may be yes or no, but not an AttributeError that turns the page into a server error."""
    people, _assessment = world
    failures = []
    for name, user in people.items():
        for permission in OBJECT_PERMISSIONS:
            try:
                user.has_perm(permission)
            except Exception as error:
                failures.append(f"{name}: {permission} → {type(error).__name__}: {error}")

    assert failures == [], "\n".join(failures)
