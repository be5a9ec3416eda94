"""Permissions checked on the row as it stands, inside the write's transaction (issue 9, item 3).

A page reads an assessment (or a period), then its write reaches the service; meanwhile
another request may have changed the row (the head submitted, the reviewer closed the
appraisal, the council went back a phase). Each write service re-reads the row, locked, and
checks the permission on it: a write prepared on the earlier state is refused and writes
nothing.

The tests hand each service the object as a page read it before the other change was
committed, which is exactly the window the old check (made before the locked transaction)
left open, on every database. The last test races a self-score against the head's
submission on two PostgreSQL connections, holding the save right after its permission check.
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

import ranking.assessments.services as assessment_services
from accounts.models import Role
from ranking.assessments.appraisal import (
    appraisal_approve,
    assessment_mark_reviewed,
    assessment_return,
    explanation_decide,
    explanation_set,
    explanation_submit,
    field_accept_self,
    review_open,
    score_review_set,
)
from ranking.assessments.services import (
    assessment_reopen,
    assessment_submit,
    assessment_withdraw,
    evidence_add,
    evidence_delete,
    score_self_set,
)
from ranking.enums import AssessmentStatus, Decision, Method, Phase
from ranking.models import Assessment, AwardEntry, Demotion, Evidence, Period, Result, Score
from ranking.results.compute import results_compute
from ranking.results.finalization import (
    award_change,
    demotion_remove,
    demotion_set,
    period_phase_set,
    period_publish,
    results_approve,
    results_compute_by,
    survey_score_set,
)
from tests.concurrency import Step
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    CriterionFactory,
    PeriodFactory,
    UserFactory,
    make_tiers,
)

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Evidence files go to a fresh folder per test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


class Year:
    """CCHC-2026 with one department, SNV, and three leaves (1.1 and 1.2 scored by the agency,
    2.1 a survey); every leaf of SNV self-scored, reviewed and final (7, 8, 9)."""

    def __init__(self, *, phase: str, status: str):
        today = timezone.localdate()
        self.period = PeriodFactory(
            year=2026,
            phase=phase,
            self_assessment_deadline=today + datetime.timedelta(days=10),
            explanation_deadline=today + datetime.timedelta(days=20),
        )
        make_tiers(self.period)
        group = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành")
        self.agency = AgencyFactory(code="SNV", name="Sở Nội vụ", group=group)
        self.officer = UserFactory(username="canbo.snv", role=Role.OFFICER, agency=self.agency)
        self.head = UserFactory(username="lanhdao.snv", role=Role.HEAD, agency=self.agency)
        self.reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER)
        self.council = UserFactory(username="hoidong", role=Role.COUNCIL)
        field = CriterionFactory(period=self.period, code="1", max_points=D("20"))
        survey = CriterionFactory(period=self.period, code="2", max_points=D("10"))
        self.leaves = {
            "1.1": CriterionFactory(period=self.period, parent=field, code="1.1", max_points=D("10")),
            "1.2": CriterionFactory(period=self.period, parent=field, code="1.2", max_points=D("10")),
            "2.1": CriterionFactory(
                period=self.period, parent=survey, code="2.1", max_points=D("10"), method=Method.SURVEY
            ),
        }
        submitted = status != AssessmentStatus.DRAFT
        self.assessment = AssessmentFactory(
            period=self.period,
            agency=self.agency,
            reviewer=self.reviewer,
            status=status,
            submitted_at=timezone.now() if submitted else None,
            review_opened_at=timezone.now() if status == AssessmentStatus.IN_REVIEW else None,
        )
        for code, value in (("1.1", "7"), ("1.2", "8"), ("2.1", "9")):
            Score.objects.create(
                assessment=self.assessment,
                criterion=self.leaves[code],
                self_score=D(value),
                reviewed_score=D(value),
                final_score=D(value),
            )

    def as_a_page_read_it(self) -> Assessment:
        """The assessment as a view loads it (ranking/views/common.py), before the other change."""
        return Assessment.objects.select_related("period", "agency__group", "reviewer").get(
            pk=self.assessment.pk
        )

    def current(self) -> Assessment:
        return Assessment.objects.select_related("period", "agency").get(pk=self.assessment.pk)

    def fresh_period(self) -> Period:
        return Period.objects.get(pk=self.period.pk)

    def score(self, code: str) -> Score:
        return Score.objects.get(assessment=self.assessment, criterion=self.leaves[code])

    def back_to(self, phase: str) -> None:
        period_phase_set(user=self.council, period=self.fresh_period(), phase=phase, reason="Bổ sung")


def upload(name="bien-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# --- the agency's writes after the head submitted ---------------------------------------------------


@pytest.mark.django_db
def test_a_self_score_from_before_the_submission_is_refused():
    year = Year(phase=Phase.SELF_ASSESSMENT, status=AssessmentStatus.DRAFT)
    page = year.as_a_page_read_it()
    assessment_submit(user=year.head, assessment=year.current())

    with pytest.raises(PermissionDenied):
        score_self_set(user=year.officer, assessment=page, criterion_id=year.leaves["1.1"].pk, value=D("3"))

    score = year.score("1.1")
    assert (score.self_score, score.version) == (D("7"), 1)
    assert score.history.count() == 1


@pytest.mark.django_db
def test_evidence_added_from_before_the_submission_is_refused():
    year = Year(phase=Phase.SELF_ASSESSMENT, status=AssessmentStatus.DRAFT)
    page = year.as_a_page_read_it()
    assessment_submit(user=year.head, assessment=year.current())

    with pytest.raises(PermissionDenied):
        evidence_add(
            user=year.officer,
            assessment=page,
            criterion_id=year.leaves["1.1"].pk,
            upload=upload(),
            purpose=Evidence.Purpose.SELF_ASSESSMENT,
        )

    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_evidence_deleted_from_before_the_submission_is_refused():
    year = Year(phase=Phase.SELF_ASSESSMENT, status=AssessmentStatus.DRAFT)
    evidence_add(
        user=year.officer,
        assessment=year.current(),
        criterion_id=year.leaves["1.1"].pk,
        upload=upload(),
        purpose=Evidence.Purpose.SELF_ASSESSMENT,
    )
    page = Evidence.objects.select_related("score__assessment__period").get()
    assessment_submit(user=year.head, assessment=year.current())

    with pytest.raises(PermissionDenied):
        evidence_delete(user=year.officer, evidence=page)

    assert Evidence.objects.get().pk == page.pk


@pytest.mark.django_db
def test_an_explanation_from_before_it_was_submitted_is_refused():
    year = Year(phase=Phase.EXPLANATION, status=AssessmentStatus.APPROVED)
    explanation_set(
        user=year.officer,
        assessment=year.current(),
        criterion_id=year.leaves["1.1"].pk,
        explanation="Đã có kế hoạch",
        proposed_score=D("9"),
    )
    page = year.as_a_page_read_it()
    explanation_submit(user=year.head, assessment=year.current())

    with pytest.raises(PermissionDenied):
        explanation_set(
            user=year.officer,
            assessment=page,
            criterion_id=year.leaves["1.2"].pk,
            explanation="Bổ sung sau khi gửi",
            proposed_score=D("10"),
        )

    assert (year.score("1.2").explanation, year.score("1.2").proposed_score) == ("", None)


# --- the reviewer's writes after the appraisal closed ----------------------------------------------


@pytest.mark.django_db
def test_a_reviewed_score_from_before_the_appraisal_closed_is_refused():
    year = Year(phase=Phase.APPRAISAL, status=AssessmentStatus.IN_REVIEW)
    page = year.as_a_page_read_it()
    assessment_mark_reviewed(user=year.council, assessment=year.current())

    with pytest.raises(PermissionDenied):
        score_review_set(
            user=year.reviewer,
            assessment=page,
            criterion_id=year.leaves["1.1"].pk,
            value=D("2"),
            comment="Thiếu",
        )

    assert (year.score("1.1").reviewed_score, year.score("1.1").final_score) == (D("7"), D("7"))


@pytest.mark.django_db
def test_self_scores_accepted_from_before_the_appraisal_closed_are_refused():
    year = Year(phase=Phase.APPRAISAL, status=AssessmentStatus.IN_REVIEW)
    Score.objects.filter(pk=year.score("1.1").pk).update(self_score=D("10"), review_comment="Chỉ đạt 7")
    page = year.as_a_page_read_it()
    assessment_mark_reviewed(user=year.council, assessment=year.current())

    with pytest.raises(PermissionDenied):
        field_accept_self(user=year.reviewer, assessment=page, field_code="1")

    assert year.score("1.1").final_score == D("7")


@pytest.mark.django_db
def test_opening_an_appraisal_returned_meanwhile_changes_nothing():
    year = Year(phase=Phase.APPRAISAL, status=AssessmentStatus.SUBMITTED)
    page = year.as_a_page_read_it()
    assessment_return(user=year.reviewer, assessment=year.current(), reason="Thiếu minh chứng")

    review_open(user=year.reviewer, assessment=page)

    current = year.current()
    assert (current.status, current.review_opened_at) == (AssessmentStatus.RETURNED, None)


@pytest.mark.django_db
def test_a_decision_from_before_the_council_went_back_a_phase_is_refused():
    year = Year(phase=Phase.EXPLANATION, status=AssessmentStatus.EXPLAINED)
    Score.objects.filter(pk=year.score("1.1").pk).update(explanation="Đã có kế hoạch", proposed_score=D("10"))
    page = year.as_a_page_read_it()
    year.back_to(Phase.APPRAISAL)

    with pytest.raises(PermissionDenied):
        explanation_decide(
            user=year.reviewer,
            assessment=page,
            criterion_id=year.leaves["1.1"].pk,
            decision=Decision.ACCEPTED,
            reason="Đủ căn cứ",
        )

    score = year.score("1.1")
    assert (score.decision, score.final_score) == ("", D("7"))


# --- the council's writes after the council went back a phase ---------------------------------------


@pytest.fixture
def finalizing(db) -> Year:
    return Year(phase=Phase.FINALIZATION, status=AssessmentStatus.FINALIZED)


@pytest.mark.django_db
def test_a_survey_result_from_before_the_phase_changed_is_refused(finalizing):
    year = finalizing
    page = year.as_a_page_read_it()
    year.back_to(Phase.EXPLANATION)

    with pytest.raises(PermissionDenied):
        survey_score_set(user=year.council, assessment=page, criterion_id=year.leaves["2.1"].pk, value=D("1"))

    assert year.score("2.1").final_score == D("9")


@pytest.mark.django_db
def test_a_demotion_from_before_the_phase_changed_is_refused(finalizing):
    year = finalizing
    page = year.fresh_period()
    year.back_to(Phase.EXPLANATION)

    with pytest.raises(PermissionDenied):
        demotion_set(user=year.council, period=page, agency=year.agency, reason="Kỷ luật", steps=1)

    assert not Demotion.objects.exists()


@pytest.mark.django_db
def test_lifting_a_demotion_from_before_the_phase_changed_is_refused(finalizing):
    year = finalizing
    demotion_set(user=year.council, period=year.fresh_period(), agency=year.agency, reason="Kỷ luật", steps=1)
    page = Demotion.objects.select_related("period", "agency").get()
    year.back_to(Phase.EXPLANATION)

    with pytest.raises(PermissionDenied):
        demotion_remove(user=year.council, demotion=page, reason="Xem xét lại")

    assert Demotion.objects.get().pk == page.pk


@pytest.mark.django_db
def test_computing_from_before_the_phase_changed_is_refused(finalizing):
    year = finalizing
    page = year.fresh_period()
    year.back_to(Phase.EXPLANATION)

    with pytest.raises(PermissionDenied):
        results_compute_by(user=year.council, period=page)

    assert not Result.objects.exists()
    assert year.fresh_period().results_computed_at is None


@pytest.mark.django_db
def test_an_award_change_from_before_the_phase_changed_is_refused(finalizing):
    year = finalizing
    results_compute(period=year.fresh_period())
    page = year.fresh_period()
    year.back_to(Phase.EXPLANATION)

    with pytest.raises(PermissionDenied):
        award_change(user=year.council, period=page, agency=year.agency, included=True, reason="Bổ sung")

    assert not AwardEntry.objects.exists()


# --- services that locked the row before their check already: they stay so ------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("phase", "status", "change", "write"),
    [
        (
            Phase.SELF_ASSESSMENT,
            AssessmentStatus.DRAFT,
            lambda y: assessment_submit(user=y.head, assessment=y.current()),
            lambda y, page: assessment_submit(user=y.head, assessment=page),
        ),
        (
            Phase.SELF_ASSESSMENT,
            AssessmentStatus.SUBMITTED,
            lambda y: review_open(user=y.reviewer, assessment=y.current()),
            lambda y, page: assessment_withdraw(user=y.head, assessment=page),
        ),
        (
            Phase.APPRAISAL,
            AssessmentStatus.SUBMITTED,
            lambda y: assessment_return(user=y.reviewer, assessment=y.current(), reason="Thiếu"),
            lambda y, page: assessment_return(user=y.reviewer, assessment=page, reason="Thiếu"),
        ),
        (
            Phase.APPRAISAL,
            AssessmentStatus.IN_REVIEW,
            lambda y: assessment_mark_reviewed(user=y.reviewer, assessment=y.current()),
            lambda y, page: assessment_mark_reviewed(user=y.reviewer, assessment=page),
        ),
        (
            Phase.APPRAISAL,
            AssessmentStatus.REVIEWED,
            lambda y: appraisal_approve(user=y.council, assessment=y.current()),
            lambda y, page: appraisal_approve(user=y.council, assessment=page),
        ),
        (
            Phase.APPRAISAL,
            AssessmentStatus.REVIEWED,
            lambda y: appraisal_approve(user=y.council, assessment=y.current()),
            lambda y, page: assessment_reopen(user=y.council, assessment=page, reason="Sửa"),
        ),
        (
            Phase.EXPLANATION,
            AssessmentStatus.APPROVED,
            lambda y: explanation_submit(user=y.head, assessment=y.current()),
            lambda y, page: explanation_submit(user=y.head, assessment=page),
        ),
    ],
    ids=["submit", "withdraw", "return", "mark reviewed", "approve", "reopen", "submit explanation"],
)
def test_a_status_change_from_an_earlier_state_is_refused(phase, status, change, write):
    year = Year(phase=phase, status=status)
    page = year.as_a_page_read_it()
    change(year)
    after = year.current()

    with pytest.raises(PermissionDenied):
        write(year, page)

    assert (year.current().status, year.current().history.count()) == (after.status, after.history.count())


@pytest.mark.django_db
@pytest.mark.parametrize("write", ["approve", "publish", "phase"])
def test_a_period_step_from_an_earlier_state_is_refused(finalizing, write):
    year = finalizing
    results_compute(period=year.fresh_period())
    if write in ("publish", "phase"):
        results_approve(user=year.council, period=year.fresh_period())
    page = year.fresh_period()
    if write == "phase":
        period_publish(user=year.council, period=year.fresh_period())
    else:
        year.back_to(Phase.EXPLANATION)
    before = year.fresh_period().history.count()

    with pytest.raises(PermissionDenied):
        {
            "approve": lambda: results_approve(user=year.council, period=page),
            "publish": lambda: period_publish(user=year.council, period=page),
            "phase": lambda: period_phase_set(
                user=year.council, period=page, phase=Phase.EXPLANATION, reason="x"
            ),
        }[write]()

    assert year.fresh_period().history.count() == before


# --- the race itself, on two connections -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_self_score_saved_while_the_head_submits_never_lands_after_the_submission(monkeypatch):
    """The save is held right after its permission check while the head submits on another
    connection. Checked on the locked row, the submission waits for the save to end and then
    includes it; checked before the lock (the old way), the submission went through and the save
    was written after it — the score changed on a submitted assessment."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite takes the write lock when a transaction begins (BEGIN IMMEDIATE), so the submission "
            "cannot even start while a save is under way; the tests above cover the same window on every "
            "database. Run with DATABASE_URL=postgres://… to race them"
        )
    year = Year(phase=Phase.SELF_ASSESSMENT, status=AssessmentStatus.DRAFT)
    checked, release = threading.Event(), threading.Event()
    check = assessment_services.require

    def check_then_hold(user, permission, obj=None):
        check(user, permission, obj)
        if threading.current_thread().name == "save" and permission == "ranking.fill_assessment":
            checked.set()
            release.wait(timeout=30)

    monkeypatch.setattr(assessment_services, "require", check_then_hold)
    save = Step(
        "save",
        lambda: score_self_set(
            user=year.officer, assessment=year.current(), criterion_id=year.leaves["1.1"].pk, value=D("3")
        ),
    )
    submit = Step("submit", lambda: assessment_submit(user=year.head, assessment=year.current()))
    save.start()
    assert checked.wait(timeout=30)
    submit.start()
    submit.join(timeout=1.5)
    submission_waited = submit.is_alive()
    release.set()
    save.join(timeout=30)
    submit.join(timeout=30)

    assert (save.outcome[0], submit.outcome[0]) == ("done", "done"), (save.outcome, submit.outcome)
    assert submission_waited, "the submission went through while a save it had not seen was under way"
    assessment = year.current()
    score = year.score("1.1")
    saved_at = score.history.order_by("-history_id").first().history_date
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert score.self_score == D("3")
    assert saved_at < assessment.submitted_at
