"""Appraisal and explanation services (ranking/services/review.py).

Agency SNV submitted its self-assessment of period CCHC 2025 (phase: appraisal); reviewer
`thamdinh` is assigned to it, `thamdinh2` is not. The criteria:

    1     field
    1.1   number, max 6, step 0.5      self-score 5.5
    1.2   choice 4 / 2 / 0, max 4      self-score 4
    1.3   yes/no, max 2                self-score 2
    2     field
    2.1   survey, max 10               (entered by the council later)
    3     deduction, floor 2           self-score −1
    4     bonus, cap 3                 not scored

Messages are asserted as the English msgids (`override("en")`).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from accounts.models import Role, User
from ranking.assessments.appraisal import (
    appraisal_approve,
    appraisal_start,
    assessment_mark_reviewed,
    assessment_return,
    explanation_decide,
    explanation_set,
    explanation_submit,
    field_accept_self,
    field_accept_undo,
    review_open,
    score_review_set,
)
from ranking.assessments.services import assessment_submit, score_self_set
from ranking.assessments.sheets import assessment_sheet
from ranking.enums import AssessmentStatus, Decision, Method, Phase
from ranking.errors import ScoreConflict, ServiceError
from ranking.models import Assessment, Criterion, Period, Score
from ranking.rules import PERMISSION_MESSAGES
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    CriterionFactory,
    PeriodFactory,
    ScoreFactory,
    UserFactory,
    make_tiers,
)

pytestmark = pytest.mark.django_db

D = Decimal
SITE = "https://danhgia.danang.gov.vn"
SELF_SCORES = {"1.1": "5.5", "1.2": "4", "1.3": "2", "3": "-1"}


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Nobody signs in here: hashing every user's password with PBKDF2 would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE + "/"


def days(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def recorded(msgid: str, **params) -> str:
    """A history reason as the services write it: in the site's language, whoever acted."""
    with override(settings.LANGUAGE_CODE):
        text = gettext(msgid)
        return text % params if params else text


@dataclass
class Year:
    period: Period
    assessment: Assessment
    leaves: dict[str, Criterion]
    officer: User
    head: User
    officer_b: User
    reviewer: User
    reviewer_other: User
    council: User

    def score(self, code: str) -> Score:
        return Score.objects.get(assessment=self.assessment, criterion=self.leaves[code])

    def fresh(self) -> Assessment:
        return Assessment.objects.select_related("period", "agency").get(pk=self.assessment.pk)

    def status(self, status: str, **fields) -> None:
        Assessment.objects.filter(pk=self.assessment.pk).update(status=status, **fields)

    def phase(self, phase: str, **fields) -> None:
        Period.objects.filter(pk=self.period.pk).update(phase=phase, **fields)


@pytest.fixture
def year() -> Year:
    sbn = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    agency = AgencyFactory(code="SNV", name="Sở Nội vụ", group=sbn)
    agency_b = AgencyFactory(code="STC", name="Sở Tài chính", group=sbn)
    period = PeriodFactory(
        code="CCHC-2025",
        year=2025,
        name="CCHC 2025",
        phase=Phase.APPRAISAL,
        self_assessment_deadline=days(-5),
        explanation_deadline=days(20),
    )
    make_tiers(period)

    def node(code, parent=None, **fields):
        return CriterionFactory(period=period, code=code, parent=parent, title=f"Tiêu chí {code}", **fields)

    one = node("1", max_points=D("12"))
    two = node("2", max_points=D("10"))
    leaves = {
        "1.1": node("1.1", one, max_points=D("6"), step=D("0.5")),
        "1.2": node(
            "1.2",
            one,
            max_points=D("4"),
            method=Method.CHOICE,
            options=[["Đúng hạn", "4"], ["Chậm dưới 10 ngày", "2"], ["Chậm trên 10 ngày", "0"]],
        ),
        "1.3": node("1.3", one, max_points=D("2"), method=Method.YESNO, allow_not_arising=True),
        "2.1": node("2.1", two, max_points=D("10"), method=Method.SURVEY),
        "3": node("3", max_points=D("2"), method=Method.DEDUCTION),
        "4": node("4", max_points=D("3"), method=Method.BONUS),
    }
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER)
    assessment = AssessmentFactory(
        period=period,
        agency=agency,
        reviewer=reviewer,
        status=AssessmentStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    for code, value in SELF_SCORES.items():
        ScoreFactory(assessment=assessment, criterion=leaves[code], self_score=D(value))
    AssessmentFactory(period=period, agency=agency_b, status=AssessmentStatus.SUBMITTED)
    return Year(
        period=period,
        assessment=assessment,
        leaves=leaves,
        officer=UserFactory(username="canbo_snv", role=Role.OFFICER, agency=agency),
        head=UserFactory(username="lanhdao_snv", role=Role.HEAD, agency=agency),
        officer_b=UserFactory(username="canbo_stc", role=Role.OFFICER, agency=agency_b),
        reviewer=reviewer,
        reviewer_other=UserFactory(username="thamdinh2", role=Role.REVIEWER),
        council=UserFactory(username="hoidong", role=Role.COUNCIL),
    )


def review(year: Year, code: str, value: str | None, comment: str = "", user=None, **kwargs) -> Score:
    return score_review_set(
        user=user or year.reviewer,
        assessment=year.fresh(),
        criterion_id=year.leaves[code].id,
        value=None if value is None else D(value),
        comment=comment,
        **kwargs,
    )


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


AGENCY_MAIL = ["canbo_snv@example.gov.vn", "lanhdao_snv@example.gov.vn"]


# --- review_open -----------------------------------------------------------------------------


def test_opening_a_submission_puts_it_under_appraisal(year):
    before = timezone.now()

    review_open(user=year.reviewer, assessment=year.fresh())

    assessment = year.fresh()
    assert assessment.status == AssessmentStatus.IN_REVIEW
    assert before <= assessment.review_opened_at <= timezone.now()
    last = assessment.history.first()
    assert (last.history_user, last.history_change_reason) == (year.reviewer, recorded("Appraisal opened"))


def test_opening_twice_keeps_the_first_moment(year):
    review_open(user=year.reviewer, assessment=year.fresh())
    first = year.fresh().review_opened_at
    changes = year.assessment.history.count()

    review_open(user=year.council, assessment=year.fresh())

    assert year.fresh().review_opened_at == first
    assert year.assessment.history.count() == changes


def test_the_council_opens_too(year):
    review_open(user=year.council, assessment=year.fresh())

    assert year.fresh().status == AssessmentStatus.IN_REVIEW


@pytest.mark.parametrize("who", ["reviewer_other", "officer", "head"])
def test_others_opening_the_page_change_nothing(year, who):
    review_open(user=getattr(year, who), assessment=year.fresh())

    assessment = year.fresh()
    assert (assessment.status, assessment.review_opened_at) == (AssessmentStatus.SUBMITTED, None)


def test_opening_a_draft_changes_nothing(year):
    year.status(AssessmentStatus.DRAFT)

    review_open(user=year.reviewer, assessment=year.fresh())

    assert (year.fresh().status, year.fresh().review_opened_at) == (AssessmentStatus.DRAFT, None)


# --- appraisal_start: the reviewer's action (issue 9, item 13) -----------------------------------------


def test_starting_the_appraisal_opens_it_once(year):
    appraisal_start(user=year.reviewer, assessment=year.fresh())

    assessment = year.fresh()
    assert assessment.status == AssessmentStatus.IN_REVIEW
    assert assessment.review_opened_at is not None
    changes = year.assessment.history.count()
    with pytest.raises(ServiceError) as again:
        appraisal_start(user=year.council, assessment=year.fresh())
    assert again.value.messages == ["The appraisal of this assessment has already started."]
    assert (year.fresh().review_opened_at, year.assessment.history.count()) == (
        assessment.review_opened_at,
        changes,
    )


@pytest.mark.parametrize("who", ["reviewer_other", "officer", "head"])
def test_only_an_appraiser_may_start_the_appraisal(year, who):
    with pytest.raises(PermissionDenied) as refused:
        appraisal_start(user=getattr(year, who), assessment=year.fresh())

    assert str(refused.value) == str(PERMISSION_MESSAGES["ranking.review_assessment"])
    assert (year.fresh().status, year.fresh().review_opened_at) == (AssessmentStatus.SUBMITTED, None)


def test_the_appraisal_of_a_draft_cannot_be_started(year):
    year.status(AssessmentStatus.DRAFT)

    with pytest.raises(PermissionDenied):
        appraisal_start(user=year.reviewer, assessment=year.fresh())

    assert (year.fresh().status, year.fresh().review_opened_at) == (AssessmentStatus.DRAFT, None)


# --- score_review_set ------------------------------------------------------------------------------


def test_agreeing_needs_no_comment(year):
    review(year, "1.1", "5.5")

    score = year.score("1.1")
    assert (score.reviewed_score, score.final_score, score.review_comment, score.version) == (
        D("5.5"),
        D("5.5"),
        "",
        2,
    )
    last = score.history.first()
    assert (last.history_user, last.history_change_reason) == (year.reviewer, recorded("Appraisal"))


def test_a_differing_score_needs_a_comment(year):
    with pytest.raises(ServiceError) as refused:
        review(year, "1.1", "4", comment="   ")

    assert refused.value.messages == ["Write a comment: the reviewed score differs from the self-score."]
    score = year.score("1.1")
    assert (score.reviewed_score, score.final_score, score.version) == (None, None, 1)


def test_a_differing_score_with_a_comment_is_the_final_score_for_now(year):
    review(year, "1.1", "4", comment="  Thiếu văn bản chỉ đạo  ")

    score = year.score("1.1")
    assert (score.self_score, score.reviewed_score, score.final_score, score.review_comment) == (
        D("5.5"),
        D("4"),
        D("4"),
        "Thiếu văn bản chỉ đạo",
    )


def test_a_differing_deduction_needs_a_comment(year):
    with pytest.raises(ServiceError):
        review(year, "3", "-2")

    review(year, "3", "-2", comment="Hai báo cáo chậm")
    assert year.score("3").final_score == D("-2")


def test_a_leaf_the_agency_left_empty_can_be_reviewed(year):
    review(year, "4", "1", comment="Sáng kiến được thành phố công nhận")

    score = year.score("4")
    assert (score.self_score, score.reviewed_score, score.final_score) == (None, D("1"), D("1"))


def test_the_first_reviewed_score_opens_the_submission(year):
    review(year, "1.2", "4")

    assessment = year.fresh()
    assert assessment.status == AssessmentStatus.IN_REVIEW
    assert assessment.review_opened_at is not None


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("1.1", "6.5", "Score 6.5 is above the maximum of 6."),
        ("1.1", "0.25", "Score 0.25 is not a multiple of the step 0.5."),
        (
            "1.2",
            "3",
            "Score 3 is not one of the options: Đúng hạn = 4; Chậm dưới 10 ngày = 2; Chậm trên 10 ngày = 0.",
        ),
        ("1.3", "1", "A yes/no criterion takes 0 or 2, not 1."),
        ("3", "-3", "Deduction -3 is below the floor of −2."),
        ("4", "4", "Score 4 is above the maximum of 3."),
        ("2.1", "8", "Survey criteria are scored from the survey results."),
    ],
)
def test_reviewed_values_are_checked(year, code, value, message):
    with pytest.raises(ServiceError) as refused:
        review(year, code, value, comment="Nhận xét")

    assert refused.value.messages == [message]


@pytest.mark.parametrize("who", ["reviewer_other", "officer", "head", "officer_b"])
def test_only_the_assigned_reviewer_or_the_council_reviews(year, who):
    with pytest.raises(PermissionDenied) as refused:
        review(year, "1.1", "5.5", user=getattr(year, who))

    assert str(refused.value) == PERMISSION_MESSAGES["ranking.review_assessment"]
    assert year.score("1.1").reviewed_score is None
    assert year.fresh().status == AssessmentStatus.SUBMITTED


def test_the_council_reviews_any_assessment(year):
    review(year, "1.1", "5", comment="Làm tròn theo hướng dẫn", user=year.council)

    assert year.score("1.1").reviewed_score == D("5")


@pytest.mark.parametrize(
    "status", [AssessmentStatus.DRAFT, AssessmentStatus.RETURNED, AssessmentStatus.REVIEWED]
)
def test_no_review_outside_a_submission(year, status):
    year.status(status)

    with pytest.raises(PermissionDenied):
        review(year, "1.1", "5.5")


def test_a_stale_version_is_refused(year):
    review(year, "1.1", "5.5", version=1)

    with pytest.raises(ScoreConflict) as conflict:
        review(year, "1.1", "4", comment="Trừ điểm", user=year.council, version=1)

    assert (conflict.value.score.reviewed_score, conflict.value.score.version) == (D("5.5"), 2)
    score = year.score("1.1")
    assert (score.reviewed_score, score.review_comment, score.version) == (D("5.5"), "", 2)


def test_a_score_for_does_not_arise_needs_a_comment(year):
    """The agency said "does not arise"; a reviewed score of 2 differs from that (issue 3: a
    comment is required wherever the reviewed score differs), and the sheet itself counts it
    as an uncommented difference."""
    Score.objects.filter(assessment=year.assessment, criterion=year.leaves["1.3"]).update(
        self_score=None, not_arising=True
    )

    with pytest.raises(ServiceError) as refused:
        review(year, "1.3", "2")

    assert refused.value.messages == ["Write a comment: the reviewed score differs from the self-score."]


# --- field_accept_self ------------------------------------------------------------------------------


def test_accepting_a_field_fills_only_the_leaves_not_reviewed(year):
    review(year, "1.2", "2", comment="Chậm 5 ngày")
    review(year, "1.3", None, comment="Năm 2025 không có đề án", not_arising=True)
    versions = {code: year.score(code).version for code in ("1.1", "1.2", "1.3", "3")}

    accepted = field_accept_self(user=year.reviewer, assessment=year.fresh(), field_code="1")

    assert (accepted.filled, accepted.kept) == ({year.leaves["1.1"].id: versions["1.1"] + 1}, 2)
    scores = {code: year.score(code) for code in ("1.1", "1.2", "1.3", "3")}
    assert {
        c: (s.reviewed_score, s.final_score, s.review_comment, s.reviewer_not_arising)
        for c, s in scores.items()
    } == {
        "1.1": (D("5.5"), D("5.5"), "", None),
        "1.2": (D("2"), D("2"), "Chậm 5 ngày", None),
        "1.3": (None, None, "Năm 2025 không có đề án", True),
        "3": (None, None, "", None),
    }
    assert {c: s.version - versions[c] for c, s in scores.items()} == {"1.1": 1, "1.2": 0, "1.3": 0, "3": 0}
    last = scores["1.1"].history.first()
    assert (last.history_user, last.history_change_reason) == (
        year.reviewer,
        recorded("Self-scores of field %(field)s accepted", field="1"),
    )


def test_accepting_a_field_keeps_a_comment_without_a_score(year):
    review(year, "1.1", None, comment="Cần bổ sung minh chứng")

    accepted = field_accept_self(user=year.reviewer, assessment=year.fresh(), field_code="1")

    assert (sorted(accepted.filled), accepted.kept) == (
        sorted([year.leaves["1.2"].id, year.leaves["1.3"].id]),
        1,
    )
    assert (year.score("1.1").reviewed_score, year.score("1.1").review_comment) == (
        None,
        "Cần bổ sung minh chứng",
    )
    assert (year.score("1.2").reviewed_score, year.score("1.3").reviewed_score) == (D("4"), D("2"))


def test_undoing_an_acceptance_leaves_unreviewed_what_it_filled_and_nothing_changed_since(year):
    accepted = field_accept_self(user=year.reviewer, assessment=year.fresh(), field_code="1")
    review(year, "1.2", "2", comment="Chậm 5 ngày")

    undone = field_accept_undo(
        user=year.reviewer, assessment=year.fresh(), field_code="1", filled=accepted.filled
    )

    assert undone == 2
    scores = {code: year.score(code) for code in ("1.1", "1.2", "1.3")}
    assert {c: (s.reviewed_score, s.final_score, s.review_comment) for c, s in scores.items()} == {
        "1.1": (None, None, ""),
        "1.2": (D("2"), D("2"), "Chậm 5 ngày"),
        "1.3": (None, None, ""),
    }
    last = scores["1.1"].history.first()
    assert (last.history_user, last.history_change_reason) == (
        year.reviewer,
        recorded("Acceptance of the self-scores of field %(field)s undone", field="1"),
    )


def test_undoing_never_takes_back_a_score_the_reviewer_gave(year):
    score = review(year, "1.1", "5.5")

    undone = field_accept_undo(
        user=year.reviewer,
        assessment=year.fresh(),
        field_code="1",
        filled={year.leaves["1.1"].id: score.version},
    )

    assert undone == 0
    assert year.score("1.1").reviewed_score == D("5.5")


def test_only_appraisers_undo_an_acceptance(year):
    accepted = field_accept_self(user=year.reviewer, assessment=year.fresh(), field_code="1")

    with pytest.raises(PermissionDenied):
        field_accept_undo(
            user=year.reviewer_other, assessment=year.fresh(), field_code="1", filled=accepted.filled
        )

    assert year.score("1.1").reviewed_score == D("5.5")


def test_accepting_a_field_opens_the_submission(year):
    field_accept_self(user=year.council, assessment=year.fresh(), field_code="3")

    assert year.score("3").reviewed_score == D("-1")
    assert year.fresh().status == AssessmentStatus.IN_REVIEW


def test_accepting_the_survey_field_changes_nothing(year):
    accepted = field_accept_self(user=year.reviewer, assessment=year.fresh(), field_code="2")
    assert (accepted.filled, accepted.kept) == ({}, 0)
    assert not Score.objects.filter(assessment=year.assessment, criterion=year.leaves["2.1"]).exists()


def test_accepting_twice_counts_nothing_the_second_time(year):
    first = field_accept_self(user=year.reviewer, assessment=year.fresh(), field_code="1")
    second = field_accept_self(user=year.reviewer, assessment=year.fresh(), field_code="1")
    assert (len(first.filled), first.kept) == (3, 0)
    assert (second.filled, second.kept) == ({}, 3)


def test_only_appraisers_accept_a_field(year):
    with pytest.raises(PermissionDenied):
        field_accept_self(user=year.reviewer_other, assessment=year.fresh(), field_code="1")

    assert year.score("1.1").reviewed_score is None


# --- assessment_return ---------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "  "])
def test_returning_needs_a_reason(year, reason, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ServiceError) as refused:
        assessment_return(user=year.reviewer, assessment=year.fresh(), reason=reason)

    assert refused.value.messages == ["Write what the agency must correct."]
    assert year.fresh().status == AssessmentStatus.SUBMITTED
    assert mailoutbox == []


def test_returning_sends_it_back_to_the_agency(year, mailoutbox, django_capture_on_commit_callbacks):
    review(year, "1.1", "4", comment="Thiếu minh chứng")

    with django_capture_on_commit_callbacks(execute=True):
        assessment_return(user=year.reviewer, assessment=year.fresh(), reason=" Bổ sung minh chứng 1.1 ")

    assessment = year.fresh()
    assert (assessment.status, assessment.review_opened_at) == (AssessmentStatus.RETURNED, None)
    last = assessment.history.first()
    assert (last.history_user, last.history_change_reason) == (
        year.reviewer,
        recorded("Returned for correction: %(reason)s", reason="Bổ sung minh chứng 1.1"),
    )
    assert recipients(mailoutbox) == AGENCY_MAIL
    link = SITE + reverse("assessment_detail", args=[assessment.pk])
    for message in mailoutbox:
        assert "CCHC 2025" in message.subject
        assert "Bổ sung minh chứng 1.1" in message.body
        assert "Sở Nội vụ" in message.body
        assert link in message.body


def test_a_returned_assessment_is_corrected_and_submitted_again(year):
    review(year, "1.1", "4", comment="Thiếu minh chứng")
    assessment_return(user=year.reviewer, assessment=year.fresh(), reason="Bổ sung")

    score_self_set(
        user=year.officer,
        assessment=year.fresh(),
        criterion_id=year.leaves["1.1"].id,
        value=D("4"),
        version=2,
    )
    assessment_submit(user=year.head, assessment=year.fresh())

    assert year.fresh().status == AssessmentStatus.SUBMITTED
    score = year.score("1.1")
    assert (score.self_score, score.reviewed_score, score.review_comment) == (
        D("4"),
        D("4"),
        "Thiếu minh chứng",
    )


@pytest.mark.parametrize("who", ["reviewer_other", "head"])
def test_only_appraisers_return(year, who):
    with pytest.raises(PermissionDenied):
        assessment_return(user=getattr(year, who), assessment=year.fresh(), reason="Bổ sung")

    assert year.fresh().status == AssessmentStatus.SUBMITTED


# --- assessment_mark_reviewed ----------------------------------------------------------------------


def test_closing_the_appraisal_lists_what_is_missing(year, mailoutbox, django_capture_on_commit_callbacks):
    # 1.1 agreed, then the agency corrected it after a return: the difference has no comment.
    review(year, "1.1", "5.5")
    assessment_return(user=year.reviewer, assessment=year.fresh(), reason="Kiểm tra lại 1.1")
    score_self_set(
        user=year.officer,
        assessment=year.fresh(),
        criterion_id=year.leaves["1.1"].id,
        value=D("6"),
        version=2,
    )
    assessment_submit(user=year.head, assessment=year.fresh())
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ServiceError) as refused:
        assessment_mark_reviewed(user=year.reviewer, assessment=year.fresh())

    assert refused.value.messages == [
        "The appraisal cannot be closed yet:",
        "1.2 has no reviewed score.",
        "1.3 has no reviewed score.",
        "1.1 needs a comment: the reviewed score differs.",
    ]
    assert year.fresh().status == AssessmentStatus.SUBMITTED
    assert mailoutbox == []


def test_closing_the_appraisal(year, mailoutbox, django_capture_on_commit_callbacks):
    review(year, "1.1", "4", comment="Thiếu minh chứng")
    review(year, "1.2", "4")
    review(year, "1.3", "0", comment="Chưa thực hiện")
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        assessment_mark_reviewed(user=year.reviewer, assessment=year.fresh())

    assessment = year.fresh()
    assert assessment.status == AssessmentStatus.REVIEWED
    assert before <= assessment.reviewed_at <= timezone.now()
    last = assessment.history.first()
    assert (last.history_user, last.history_change_reason) == (year.reviewer, recorded("Appraisal complete"))
    assert recipients(mailoutbox) == ["hoidong@example.gov.vn"]
    assert SITE + reverse("review_detail", args=[assessment.pk]) in mailoutbox[0].body
    assert "Sở Nội vụ" in mailoutbox[0].subject


def test_only_appraisers_close_the_appraisal(year):
    for code in ("1.1", "1.2", "1.3"):
        review(year, code, SELF_SCORES[code])

    with pytest.raises(PermissionDenied):
        assessment_mark_reviewed(user=year.reviewer_other, assessment=year.fresh())

    assert year.fresh().status == AssessmentStatus.IN_REVIEW


# --- appraisal_approve ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reviewer", "head"])
def test_only_the_council_approves(year, who):
    year.status(AssessmentStatus.REVIEWED)

    with pytest.raises(PermissionDenied) as refused:
        appraisal_approve(user=getattr(year, who), assessment=year.fresh())

    assert str(refused.value) == PERMISSION_MESSAGES["ranking.approve_appraisal"]
    assert year.fresh().status == AssessmentStatus.REVIEWED


def test_the_council_approves_an_appraisal(year, mailoutbox, django_capture_on_commit_callbacks):
    year.status(AssessmentStatus.REVIEWED)

    with django_capture_on_commit_callbacks(execute=True):
        appraisal_approve(user=year.council, assessment=year.fresh())

    assessment = year.fresh()
    assert assessment.status == AssessmentStatus.APPROVED
    last = assessment.history.first()
    assert (last.history_user, last.history_change_reason) == (year.council, recorded("Appraisal approved"))
    assert recipients(mailoutbox) == AGENCY_MAIL
    assert all(SITE + reverse("assessment_detail", args=[assessment.pk]) in m.body for m in mailoutbox)
    assert year.officer.has_perm("ranking.view_appraisal", assessment)


def test_an_appraisal_still_open_cannot_be_approved(year):
    year.status(AssessmentStatus.IN_REVIEW)

    with pytest.raises(PermissionDenied):
        appraisal_approve(user=year.council, assessment=year.fresh())


# --- explanations ------------------------------------------------------------------------------------


REVIEWED = {
    "1.1": ("4", "Thiếu văn bản"),
    "1.2": ("0", "Chậm 15 ngày"),
    "1.3": ("0", "Chưa làm"),
    "3": ("-1", ""),
}


@pytest.fixture
def approved(year) -> Year:
    """The appraisal is approved and the period is in its explanation phase."""
    for code, (value, comment) in REVIEWED.items():
        Score.objects.filter(assessment=year.assessment, criterion=year.leaves[code]).update(
            reviewed_score=D(value), final_score=D(value), review_comment=comment
        )
    year.status(AssessmentStatus.APPROVED, reviewed_at=timezone.now())
    year.phase(Phase.EXPLANATION)
    return year


def explain(year: Year, code: str, text: str, proposed: str | None, user=None, **kwargs) -> Score:
    return explanation_set(
        user=user or year.officer,
        assessment=year.fresh(),
        criterion_id=year.leaves[code].id,
        explanation=text,
        proposed_score=None if proposed is None else D(proposed),
        **kwargs,
    )


def test_the_agency_explains_and_proposes(approved):
    explain(approved, "1.1", "  Đã có Kế hoạch số 12/KH-SNV  ", "5.5")

    score = approved.score("1.1")
    assert (score.explanation, score.proposed_score, score.final_score, score.version) == (
        "Đã có Kế hoạch số 12/KH-SNV",
        D("5.5"),
        D("4"),
        2,
    )
    last = score.history.first()
    assert (last.history_user, last.history_change_reason) == (approved.officer, recorded("Explanation"))


def test_an_explanation_may_come_without_a_proposed_score(approved):
    explain(approved, "1.3", "Đề nghị xem xét lại", None)

    assert (approved.score("1.3").explanation, approved.score("1.3").proposed_score) == (
        "Đề nghị xem xét lại",
        None,
    )


@pytest.mark.parametrize(
    ("code", "text", "proposed", "message"),
    [
        ("1.1", "   ", "5.5", "Write the explanation for the proposed score."),
        ("1.1", "Lý do", "7", "Score 7 is above the maximum of 6."),
        (
            "1.2",
            "Lý do",
            "3",
            "Score 3 is not one of the options: Đúng hạn = 4; Chậm dưới 10 ngày = 2; Chậm trên 10 ngày = 0.",
        ),
    ],
)
def test_explanations_are_checked(approved, code, text, proposed, message):
    with pytest.raises(ServiceError) as refused:
        explain(approved, code, text, proposed)

    assert refused.value.messages == [message]
    assert (approved.score(code).explanation, approved.score(code).version) == ("", 1)


@pytest.mark.parametrize("who", ["officer_b", "reviewer", "council"])
def test_only_the_agency_explains(approved, who):
    with pytest.raises(PermissionDenied) as refused:
        explain(approved, "1.1", "Lý do", "5.5", user=getattr(approved, who))

    assert str(refused.value) == PERMISSION_MESSAGES["ranking.explain_assessment"]


def test_no_explanation_after_its_deadline(approved):
    approved.phase(Phase.EXPLANATION, explanation_deadline=days(-1))

    with pytest.raises(PermissionDenied):
        explain(approved, "1.1", "Lý do", "5.5")


def test_a_stale_explanation_is_refused(approved):
    explain(approved, "1.1", "Lý do một", "5", version=1)

    with pytest.raises(ScoreConflict):
        explain(approved, "1.1", "Lý do hai", "5.5", user=approved.head, version=1)

    assert (approved.score("1.1").explanation, approved.score("1.1").proposed_score) == ("Lý do một", D("5"))


def test_an_officer_cannot_submit_the_explanation(approved):
    explain(approved, "1.1", "Lý do", "5.5")

    with pytest.raises(PermissionDenied) as refused:
        explanation_submit(user=approved.officer, assessment=approved.fresh())

    assert str(refused.value) == PERMISSION_MESSAGES["ranking.submit_explanation"]
    assert approved.fresh().status == AssessmentStatus.APPROVED


def test_the_head_submits_the_explanation(approved, mailoutbox, django_capture_on_commit_callbacks):
    explain(approved, "1.1", "Lý do", "5.5")
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        explanation_submit(user=approved.head, assessment=approved.fresh())

    assessment = approved.fresh()
    assert assessment.status == AssessmentStatus.EXPLAINED
    assert before <= assessment.explanation_submitted_at <= timezone.now()
    last = assessment.history.first()
    assert (last.history_user, last.history_change_reason) == (
        approved.head,
        recorded("Explanation submitted"),
    )
    assert recipients(mailoutbox) == ["thamdinh@example.gov.vn"]
    assert SITE + reverse("review_detail", args=[assessment.pk]) in mailoutbox[0].body
    with pytest.raises(PermissionDenied):
        explain(approved, "1.2", "Lý do", "4")


def test_without_explanations_the_reviewed_scores_are_final(
    approved, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        explanation_submit(user=approved.head, assessment=approved.fresh())

    assessment = approved.fresh()
    assert assessment.status == AssessmentStatus.FINALIZED
    assert assessment.explanation_submitted_at is None
    last = assessment.history.first()
    assert (last.history_user, last.history_change_reason) == (
        approved.head,
        recorded("Reviewed scores accepted by the agency"),
    )
    assert mailoutbox == []
    assert assessment_sheet(assessment=assessment).final_totals.total == D("3")  # 4 + 0 + 0 − 1


# --- explanation_decide -------------------------------------------------------------------------------


@pytest.fixture
def explained(approved) -> Year:
    explain(approved, "1.1", "Đã có Kế hoạch số 12/KH-SNV", "5.5")
    explain(approved, "1.2", "Chỉ chậm 3 ngày", "4")
    explain(approved, "1.3", "Đề nghị xem xét lại", None)
    explanation_submit(user=approved.head, assessment=approved.fresh())
    return approved


def decide(year: Year, code: str, decision: str, reason: str = "Đã xem xét", value=None, user=None) -> Score:
    return explanation_decide(
        user=user or year.reviewer,
        assessment=year.fresh(),
        criterion_id=year.leaves[code].id,
        decision=decision,
        reason=reason,
        score_value=None if value is None else D(value),
    )


@pytest.mark.parametrize(
    ("code", "decision", "reason", "value", "message"),
    [
        ("1.1", Decision.ACCEPTED, "  ", None, "Write the reason for the decision."),
        ("1.1", "maybe", "Lý do", None, "Choose accept, accept in part or reject."),
        ("3", Decision.REJECTED, "Lý do", None, "The agency wrote no explanation for 3."),
        (
            "1.3",
            Decision.ACCEPTED,
            "Lý do",
            None,
            "The agency proposed no score: accept in part with a score, or reject.",
        ),
        ("1.2", Decision.PARTIAL, "Lý do", None, "Enter the score accepted in part."),
        (
            "1.2",
            Decision.PARTIAL,
            "Lý do",
            "3",
            "Score 3 is not one of the options: Đúng hạn = 4; Chậm dưới 10 ngày = 2; Chậm trên 10 ngày = 0.",
        ),
    ],
)
def test_decisions_are_checked(explained, code, decision, reason, value, message):
    with pytest.raises(ServiceError) as refused:
        decide(explained, code, decision, reason, value)

    assert refused.value.messages == [message]
    score = explained.score(code)
    assert (score.decision, score.final_score) == ("", D(REVIEWED[code][0]))


@pytest.mark.parametrize("who", ["reviewer_other", "head", "officer"])
def test_only_appraisers_decide(explained, who):
    with pytest.raises(PermissionDenied) as refused:
        decide(explained, "1.1", Decision.ACCEPTED, user=getattr(explained, who))

    assert str(refused.value) == PERMISSION_MESSAGES["ranking.decide_explanation"]


def test_deciding_every_explanation(explained, mailoutbox, django_capture_on_commit_callbacks):
    year = explained
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decide(year, "1.1", Decision.ACCEPTED, "  Văn bản hợp lệ ")
        decide(year, "1.2", Decision.PARTIAL, "Chậm 3 ngày", "2", user=year.council)
    assert year.fresh().status == AssessmentStatus.EXPLAINED
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        decide(year, "1.3", Decision.REJECTED, "Không có minh chứng")

    scores = {code: year.score(code) for code in ("1.1", "1.2", "1.3", "3")}
    assert {
        c: (s.reviewed_score, s.final_score, s.decision, s.decision_reason) for c, s in scores.items()
    } == {
        "1.1": (D("4"), D("5.5"), "accepted", "Văn bản hợp lệ"),
        "1.2": (D("0"), D("2"), "partial", "Chậm 3 ngày"),
        "1.3": (D("0"), D("0"), "rejected", "Không có minh chứng"),
        "3": (D("-1"), D("-1"), "", ""),
    }
    last = scores["1.2"].history.first()
    assert (last.history_user, last.history_change_reason) == (year.council, recorded("Explanation decided"))
    assessment = year.fresh()
    assert assessment.status == AssessmentStatus.FINALIZED
    last = assessment.history.first()
    assert (last.history_user, last.history_change_reason) == (
        year.reviewer,
        recorded("Explanations decided"),
    )
    assert recipients(mailoutbox) == AGENCY_MAIL
    assert all(SITE + reverse("assessment_detail", args=[assessment.pk]) in m.body for m in mailoutbox)
    assert assessment_sheet(assessment=assessment).final_totals.total == D("6.5")  # 5.5 + 2 + 0 − 1


def test_a_decision_can_be_changed_until_the_last_one(explained):
    decide(explained, "1.1", Decision.REJECTED)
    assert explained.score("1.1").final_score == D("4")

    decide(explained, "1.1", Decision.ACCEPTED)

    assert (explained.score("1.1").final_score, explained.score("1.1").decision) == (D("5.5"), "accepted")
    assert explained.fresh().status == AssessmentStatus.EXPLAINED


def test_explanations_are_decided_during_finalization_too(explained):
    explained.phase(Phase.FINALIZATION)

    for code in ("1.1", "1.2", "1.3"):
        decide(explained, code, Decision.REJECTED)

    assert explained.fresh().status == AssessmentStatus.FINALIZED
