"""Self-assessment services (ranking/services/assessments.py): scores, evidence, submission.

One year is built by `make_year`: agency SNV (group SBN) fills in period CCHC 2025, whose
criteria are

    1     field
    1.1   number, max 6, step 0.5, evidence required
    1.2   choice: Đúng hạn = 4; Chậm dưới 10 ngày = 2; Chậm trên 10 ngày = 0
    1.3   yes/no, max 2, may not arise, evidence required
    1.4   number, max 8, districts (QH) only: not SNV's
    2     field
    2.1   survey, max 10
    3     deduction, floor 2
    4     bonus, cap 3

Messages are asserted as the English msgids (`override("en")`).
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from accounts.models import Agency, Role, User
from ranking.assessments.services import (
    assessment_locked,
    assessment_reopen,
    assessment_submit,
    assessment_withdraw,
    evidence_add,
    evidence_delete,
    leaf_score_for_update,
    progress,
    score_self_set,
    submission_problems,
)
from ranking.assessments.sheets import assessment_sheet, sheet_figures
from ranking.enums import AssessmentStatus, Method, Phase
from ranking.errors import ScoreConflict, ServiceError
from ranking.models import Assessment, Criterion, Evidence, Period, Score
from ranking.rules import PERMISSION_MESSAGES
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    CriterionFactory,
    PeriodFactory,
    UserFactory,
    make_tiers,
)

pytestmark = pytest.mark.django_db

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Nobody signs in here: hashing every user's password with PBKDF2 would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Evidence files go to a fresh folder per test."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


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
    agency: Agency
    assessment: Assessment
    other_assessment: Assessment
    leaves: dict[str, Criterion]
    officer: User
    head: User
    officer_b: User
    reviewer: User
    council: User
    admin: User

    def score(self, code: str) -> Score:
        return Score.objects.get(assessment=self.assessment, criterion=self.leaves[code])

    def fresh(self) -> Assessment:
        return Assessment.objects.select_related("period", "agency").get(pk=self.assessment.pk)


def make_year(*, phase=Phase.SELF_ASSESSMENT, deadline: int = 10) -> Year:
    sbn = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    qh = AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=2)
    agency = AgencyFactory(code="SNV", name="Sở Nội vụ", group=sbn)
    agency_b = AgencyFactory(code="STC", name="Sở Tài chính", group=sbn)
    period = PeriodFactory(
        code="CCHC-2025", year=2025, name="CCHC 2025", phase=phase, self_assessment_deadline=days(deadline)
    )
    make_tiers(period)

    def node(code, parent=None, **fields):
        return CriterionFactory(period=period, code=code, parent=parent, title=f"Tiêu chí {code}", **fields)

    one = node("1", max_points=D("20"))
    two = node("2", max_points=D("10"))
    district_only = node("1.4", one, max_points=D("8"), step=D("1"))
    district_only.groups.set([qh])
    leaves = {
        "1": one,
        "1.1": node("1.1", one, max_points=D("6"), step=D("0.5"), evidence_required=True),
        "1.2": node(
            "1.2",
            one,
            max_points=D("4"),
            method=Method.CHOICE,
            options=[["Đúng hạn", "4"], ["Chậm dưới 10 ngày", "2"], ["Chậm trên 10 ngày", "0"]],
        ),
        "1.3": node(
            "1.3", one, max_points=D("2"), method=Method.YESNO, allow_not_arising=True, evidence_required=True
        ),
        "1.4": district_only,
        "2.1": node("2.1", two, max_points=D("10"), method=Method.SURVEY),
        "3": node("3", max_points=D("2"), method=Method.DEDUCTION),
        "4": node("4", max_points=D("3"), method=Method.BONUS),
    }
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER)
    return Year(
        period=period,
        agency=agency,
        assessment=AssessmentFactory(period=period, agency=agency, reviewer=reviewer),
        other_assessment=AssessmentFactory(period=period, agency=agency_b),
        leaves=leaves,
        officer=UserFactory(username="canbo_snv", role=Role.OFFICER, agency=agency),
        head=UserFactory(username="lanhdao_snv", role=Role.HEAD, agency=agency),
        officer_b=UserFactory(username="canbo_stc", role=Role.OFFICER, agency=agency_b),
        reviewer=reviewer,
        council=UserFactory(username="hoidong", role=Role.COUNCIL),
        admin=UserFactory(username="quantri", role=Role.ADMIN),
    )


@pytest.fixture
def year() -> Year:
    return make_year()


def fill(year: Year, user=None, code="1.1", value="5", **fields) -> Score:
    return score_self_set(
        user=user or year.officer,
        assessment=year.fresh(),
        criterion_id=year.leaves[code].id,
        value=None if value is None else D(value),
        **fields,
    )


def complete(year: Year) -> None:
    """Everything the head needs before submitting."""
    fill(year, code="1.1", value="5.5", no_evidence_reason="Văn bản mật, xem tại đơn vị")
    fill(year, code="1.2", value="4")
    fill(year, code="1.3", value=None, not_arising=True)


def pdf(name="Báo cáo CCHC 2025.pdf", content=PDF) -> SimpleUploadedFile:
    # The type the browser declares is the sender's claim: the service must not trust it.
    return SimpleUploadedFile(name, content, content_type="text/html")


# --- score_self_set: values -------------------------------------------------------------------


def test_saves_a_self_score_with_its_note_and_reason(year):
    saved = fill(year, value="5.5", note="Đã ban hành kế hoạch số 12/KH", no_evidence_reason="Tài liệu mật")

    stored = year.score("1.1")
    assert stored.pk == saved.pk
    assert (stored.self_score, stored.not_arising, stored.note, stored.no_evidence_reason) == (
        D("5.5"),
        False,
        "Đã ban hành kế hoạch số 12/KH",
        "Tài liệu mật",
    )
    assert (stored.reviewed_score, stored.final_score, stored.version) == (None, None, 2)


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("1.1", "0"),
        ("1.1", "6"),
        ("1.1", "3.5"),
        ("1.2", "4"),
        ("1.2", "2"),
        ("1.2", "0"),
        ("1.3", "2"),
        ("1.3", "0"),
        ("3", "0"),
        ("3", "-0.5"),
        ("3", "-2"),
        ("4", "0"),
        ("4", "1.25"),
        ("4", "3"),
    ],
)
def test_accepts_every_allowed_value_of_every_method(year, code, value):
    fill(year, code=code, value=value)

    assert year.score(code).self_score == D(value)


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("1.1", "6.5", "Score 6.5 is above the maximum of 6."),
        ("1.1", "-1", "Score -1 cannot be negative."),
        ("1.1", "1.25", "Score 1.25 is not a multiple of the step 0.5."),
        (
            "1.2",
            "3",
            "Score 3 is not one of the options: Đúng hạn = 4; Chậm dưới 10 ngày = 2; Chậm trên 10 ngày = 0.",
        ),
        ("1.2", "5", "Score 5 is above the maximum of 4."),
        ("1.3", "1", "A yes/no criterion takes 0 or 2, not 1."),
        ("3", "0.5", "A deduction is written as a negative number or 0, not 0.5."),
        ("3", "-2.5", "Deduction -2.5 is below the floor of −2."),
        ("4", "3.5", "Score 3.5 is above the maximum of 3."),
        ("4", "-1", "Score -1 cannot be negative."),
    ],
)
def test_refuses_values_the_method_does_not_allow(year, code, value, message):
    with pytest.raises(ServiceError) as refused:
        fill(year, code=code, value=value)

    assert refused.value.messages == [message]
    assert not Score.objects.filter(assessment=year.assessment).exists()


def test_a_refused_value_leaves_the_saved_one(year):
    fill(year, value="4")

    with pytest.raises(ServiceError):
        fill(year, value="7")

    assert (year.score("1.1").self_score, year.score("1.1").version) == (D("4"), 2)


def test_refuses_survey_leaves(year):
    with pytest.raises(ServiceError) as refused:
        fill(year, code="2.1", value="8")

    assert refused.value.messages == [
        "Survey criteria are scored from the survey results, not by the agency."
    ]
    assert not Score.objects.exists()


def test_does_not_arise_where_allowed_clears_the_value(year):
    fill(year, code="1.3", value="2")

    fill(year, code="1.3", value="2", not_arising=True)

    assert (year.score("1.3").self_score, year.score("1.3").not_arising) == (None, True)


def test_refuses_does_not_arise_where_not_allowed(year):
    with pytest.raises(ServiceError) as refused:
        fill(year, code="1.1", value=None, not_arising=True)

    assert refused.value.messages == ["This criterion does not allow “does not arise”."]
    assert not Score.objects.exists()


@pytest.mark.parametrize("code", ["1.4", "1"], ids=["leaf-of-another-group", "not-a-leaf"])
def test_refuses_criteria_the_agency_does_not_score(year, code):
    with pytest.raises(ServiceError) as refused:
        fill(year, code=code, value="1")

    assert refused.value.messages == ["This criterion is not scored by this agency."]
    assert not Score.objects.exists()


@pytest.mark.parametrize("code", ["1.4", "1"], ids=["leaf-of-another-group", "not-a-leaf"])
def test_refuses_criteria_the_agency_does_not_score_even_with_a_score_row(year, code):
    # A row the agency could not have saved (an import, an older tree): still not its to score.
    Score.objects.create(assessment=year.assessment, criterion=year.leaves[code])

    with pytest.raises(ServiceError) as refused:
        fill(year, code=code, value="1")

    assert refused.value.messages == ["This criterion is not scored by this agency."]
    assert (year.score(code).self_score, year.score(code).version) == (None, 1)


def test_refuses_a_criterion_of_another_period(year):
    other = PeriodFactory(code="CCHC-2024", year=2024, name="CCHC 2024")
    foreign = CriterionFactory(period=other, code="1", max_points=D("10"))

    with pytest.raises(ServiceError) as refused:
        score_self_set(user=year.officer, assessment=year.fresh(), criterion_id=foreign.id, value=D("1"))

    assert refused.value.messages == ["This criterion is not scored by this agency."]


def test_a_score_can_be_cleared(year):
    fill(year, value="4")

    fill(year, value=None)

    assert year.score("1.1").self_score is None


# --- score_self_set: versions and history ------------------------------------------------------


def test_each_change_increments_the_version_and_writes_history(year):
    fill(year, value="4", user=year.officer)
    fill(year, value="4.5", user=year.head, version=2, note="Bổ sung")

    score = year.score("1.1")
    assert score.version == 3
    changes = list(score.history.order_by("history_id"))
    assert [
        (h.history_type, h.self_score, h.version, h.history_user, h.history_change_reason) for h in changes
    ] == [
        ("+", None, 1, None, None),
        ("~", D("4"), 2, year.officer, recorded("Self-assessment")),
        ("~", D("4.5"), 3, year.head, recorded("Self-assessment")),
    ]
    assert changes[-1].note == "Bổ sung"


def test_saving_the_same_values_changes_nothing(year):
    fill(year, value="4", note="Ghi chú")

    fill(year, value="4", note="Ghi chú", version=2)

    assert year.score("1.1").version == 2
    assert year.score("1.1").history.count() == 2


def test_a_stale_version_is_refused_and_the_newer_row_returned(year):
    fill(year, value="4", user=year.officer)
    fill(year, value="5", user=year.head, version=2)

    with pytest.raises(ScoreConflict) as conflict:
        fill(year, value="6", user=year.officer, version=2, note="Ghi đè")

    assert (conflict.value.score.self_score, conflict.value.score.version) == (D("5"), 3)
    assert conflict.value.messages == [
        "Someone else saved this score since you opened the page; your change was not saved. "
        "The newer value is shown: check it and save again."
    ]
    assert isinstance(conflict.value, ServiceError)
    stored = year.score("1.1")
    assert (stored.self_score, stored.note, stored.version) == (D("5"), "", 3)
    assert stored.history.count() == 3


# --- score_self_set: who and when ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_b", "reviewer", "council", "admin"])
def test_only_the_agency_fills_its_assessment(year, who):
    with pytest.raises(PermissionDenied):
        fill(year, user=getattr(year, who), value="4")

    assert not Score.objects.exists()


def test_the_head_fills_too(year):
    fill(year, user=year.head, value="4")

    assert year.score("1.1").self_score == D("4")


def test_nothing_can_be_changed_after_the_deadline(year):
    fill(year, value="4")
    Period.objects.filter(pk=year.period.pk).update(self_assessment_deadline=days(-1))

    with pytest.raises(PermissionDenied) as refused:
        fill(year, value="5")

    assert str(refused.value) == PERMISSION_MESSAGES["ranking.fill_assessment"]
    assert year.score("1.1").self_score == D("4")


def test_the_deadline_day_itself_is_still_open(year):
    Period.objects.filter(pk=year.period.pk).update(self_assessment_deadline=days(0))

    fill(year, value="5")

    assert year.score("1.1").self_score == D("5")


# --- evidence -------------------------------------------------------------------------------------


def test_evidence_is_stored_under_a_generated_name(year, media):
    evidence = evidence_add(
        user=year.officer,
        assessment=year.fresh(),
        criterion_id=year.leaves["1.1"].id,
        upload=pdf("Báo cáo CCHC 2025.pdf"),
        purpose=Evidence.Purpose.SELF_ASSESSMENT,
    )

    stored = Evidence.objects.get()
    assert stored.pk == evidence.pk
    assert re.fullmatch(rf"evidence/{year.period.pk}/[0-9a-f]{{32}}\.pdf", stored.file.name)
    assert (stored.original_name, stored.content_type, stored.size) == (
        "Báo cáo CCHC 2025.pdf",
        "application/pdf",
        len(PDF),
    )
    assert (stored.purpose, stored.uploaded_by, stored.score) == ("self", year.officer, year.score("1.1"))
    assert (media / stored.file.name).read_bytes() == PDF
    assert [p.name for p in (media / "evidence" / str(year.period.pk)).iterdir()] == [
        Path(stored.file.name).name
    ]
    assert stored.history.get().history_user == year.officer


def test_office_documents_get_their_own_type(year):
    upload = SimpleUploadedFile("Kế hoạch.docx", b"PK\x03\x04" + b"\x00" * 40, content_type="text/html")

    evidence = evidence_add(
        user=year.head,
        assessment=year.fresh(),
        criterion_id=year.leaves["1.2"].id,
        upload=upload,
        purpose=Evidence.Purpose.SELF_ASSESSMENT,
    )

    assert evidence.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert evidence.file.name.endswith(".docx")


def test_a_refused_file_is_neither_recorded_nor_stored(year, media):
    with pytest.raises(ServiceError) as refused:
        evidence_add(
            user=year.officer,
            assessment=year.fresh(),
            criterion_id=year.leaves["1.1"].id,
            upload=pdf("Báo cáo.pdf", b"<html><script>alert(1)</script></html>"),
            purpose=Evidence.Purpose.SELF_ASSESSMENT,
        )

    assert refused.value.messages == ["The content of “Báo cáo.pdf” does not match its type."]
    assert not Evidence.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))


def test_a_file_over_the_limit_is_refused(year, settings):
    settings.EVIDENCE_MAX_BYTES = 10

    with pytest.raises(ServiceError) as refused:
        evidence_add(
            user=year.officer,
            assessment=year.fresh(),
            criterion_id=year.leaves["1.1"].id,
            upload=pdf(),
            purpose=Evidence.Purpose.SELF_ASSESSMENT,
        )

    assert refused.value.messages == [f"The file is {len(PDF)}\xa0bytes; the limit is 10\xa0bytes."]


def test_evidence_beyond_the_assessments_quota_is_refused_naming_the_quota(year, settings, media):
    settings.EVIDENCE_QUOTA_BYTES = 2 * len(PDF) + 10
    for code in ("1.1", "1.2"):
        evidence_add(
            user=year.officer,
            assessment=year.fresh(),
            criterion_id=year.leaves[code].id,
            upload=pdf(f"Báo cáo {code}.pdf"),
            purpose=Evidence.Purpose.SELF_ASSESSMENT,
        )

    with pytest.raises(ServiceError) as refused:
        evidence_add(
            user=year.officer,
            assessment=year.fresh(),
            criterion_id=year.leaves["1.1"].id,
            upload=pdf("Phụ lục.pdf"),
            purpose=Evidence.Purpose.SELF_ASSESSMENT,
        )
    with override("vi"), pytest.raises(ServiceError) as in_vietnamese:
        evidence_add(
            user=year.officer,
            assessment=year.fresh(),
            criterion_id=year.leaves["1.1"].id,
            upload=pdf("Phụ lục.pdf"),
            purpose=Evidence.Purpose.SELF_ASSESSMENT,
        )

    quota, used, size = 2 * len(PDF) + 10, 2 * len(PDF), len(PDF)
    assert refused.value.messages == [
        f"The evidence files of one assessment may take {quota}\xa0bytes in all; {used}\xa0bytes are "
        f"taken, so Phụ lục.pdf ({size}\xa0bytes) does not fit. Remove files that are no longer needed."
    ]
    assert in_vietnamese.value.messages == [
        f"Tài liệu kiểm chứng của một bản đánh giá được dùng tổng cộng tối đa {quota}\xa0byte; đã dùng "
        f"{used}\xa0byte nên tệp Phụ lục.pdf ({size}\xa0byte) không còn đủ chỗ. Hãy gỡ bỏ các tệp "
        "không còn cần thiết."
    ]
    assert Evidence.objects.count() == 2
    assert len([p for p in media.rglob("*") if p.is_file()]) == 2


def test_the_quota_counts_the_whole_assessment_and_frees_with_a_removal(year, settings):
    settings.EVIDENCE_QUOTA_BYTES = len(PDF)
    first = evidence_add(
        user=year.officer,
        assessment=year.fresh(),
        criterion_id=year.leaves["1.1"].id,
        upload=pdf(),
        purpose=Evidence.Purpose.SELF_ASSESSMENT,
    )
    with pytest.raises(ServiceError):
        evidence_add(
            user=year.officer,
            assessment=year.fresh(),
            criterion_id=year.leaves["1.2"].id,
            upload=pdf(),
            purpose=Evidence.Purpose.SELF_ASSESSMENT,
        )

    evidence_delete(user=year.officer, evidence=first)
    evidence_add(
        user=year.officer,
        assessment=year.fresh(),
        criterion_id=year.leaves["1.2"].id,
        upload=pdf(),
        purpose=Evidence.Purpose.SELF_ASSESSMENT,
    )
    assert Evidence.objects.get().score == year.score("1.2")


@pytest.mark.parametrize("who", ["officer_b", "reviewer", "council"])
def test_only_the_agency_attaches_evidence(year, who, media):
    with pytest.raises(PermissionDenied):
        evidence_add(
            user=getattr(year, who),
            assessment=year.fresh(),
            criterion_id=year.leaves["1.1"].id,
            upload=pdf(),
            purpose=Evidence.Purpose.SELF_ASSESSMENT,
        )

    assert not Evidence.objects.exists()


def test_explanation_evidence_waits_for_the_explanation_phase(year):
    with pytest.raises(PermissionDenied):
        evidence_add(
            user=year.officer,
            assessment=year.fresh(),
            criterion_id=year.leaves["1.1"].id,
            upload=pdf(),
            purpose=Evidence.Purpose.EXPLANATION,
        )


def test_explanation_evidence_during_the_explanation_phase(year, media, django_capture_on_commit_callbacks):
    fill(year, code="1.1", value="5")
    own = add_evidence(year)
    Assessment.objects.filter(pk=year.assessment.pk).update(status=AssessmentStatus.APPROVED)
    Period.objects.filter(pk=year.period.pk).update(phase=Phase.EXPLANATION, explanation_deadline=days(3))

    evidence = evidence_add(
        user=year.head,
        assessment=year.fresh(),
        criterion_id=year.leaves["1.1"].id,
        upload=pdf("Giải trình.pdf"),
        purpose=Evidence.Purpose.EXPLANATION,
    )

    assert (evidence.purpose, evidence.original_name, evidence.score) == (
        "explanation",
        "Giải trình.pdf",
        year.score("1.1"),
    )
    with pytest.raises(PermissionDenied):
        add_evidence(year)
    with pytest.raises(PermissionDenied):
        evidence_delete(user=year.officer, evidence=Evidence.objects.get(pk=own.pk))
    with django_capture_on_commit_callbacks(execute=True):
        evidence_delete(user=year.officer, evidence=Evidence.objects.get(pk=evidence.pk))
    assert list(Evidence.objects.all()) == [own]


def test_evidence_of_a_leaf_the_agency_does_not_score_is_refused(year):
    with pytest.raises(ServiceError) as refused:
        evidence_add(
            user=year.officer,
            assessment=year.fresh(),
            criterion_id=year.leaves["1.4"].id,
            upload=pdf(),
            purpose=Evidence.Purpose.SELF_ASSESSMENT,
        )

    assert refused.value.messages == ["This criterion is not scored by this agency."]


def add_evidence(year: Year, code="1.1", user=None) -> Evidence:
    return evidence_add(
        user=user or year.officer,
        assessment=year.fresh(),
        criterion_id=year.leaves[code].id,
        upload=pdf(),
        purpose=Evidence.Purpose.SELF_ASSESSMENT,
    )


def test_evidence_delete_removes_the_row_and_then_the_file(year, media, django_capture_on_commit_callbacks):
    kept = add_evidence(year)
    evidence = add_evidence(year)
    evidence_id, path = evidence.pk, media / evidence.file.name

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        evidence_delete(user=year.head, evidence=evidence)
        assert not Evidence.objects.filter(pk=evidence_id).exists()
        assert path.exists(), "the file must outlive a transaction that could still roll back"

    assert len(callbacks) == 1
    assert not path.exists()
    assert list(Evidence.objects.all()) == [kept]
    assert (media / kept.file.name).exists()
    deleted = Evidence.history.filter(id=evidence_id, history_type="-").get()
    assert deleted.history_user == year.head


def test_evidence_delete_is_refused_to_another_agency(year, media, django_capture_on_commit_callbacks):
    evidence = add_evidence(year)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(PermissionDenied):
        evidence_delete(user=year.officer_b, evidence=evidence)

    assert callbacks == []
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert (media / evidence.file.name).exists()


def test_evidence_cannot_be_deleted_after_submission(year, media):
    complete(year)
    evidence = add_evidence(year)
    assessment_submit(user=year.head, assessment=year.fresh())

    with pytest.raises(PermissionDenied):
        evidence_delete(user=year.officer, evidence=Evidence.objects.get(pk=evidence.pk))

    assert (media / evidence.file.name).exists()


# --- submission_problems and progress ---------------------------------------------------------------


def test_submission_problems_list_unscored_leaves(year):
    assert submission_problems(assessment=year.fresh()) == [
        "1.1 has no score.",
        "1.2 has no score.",
        "1.3 has no score.",
    ]


def test_submission_problems_list_missing_evidence(year):
    fill(year, code="1.1", value="5")
    fill(year, code="1.2", value="2")
    fill(year, code="1.3", value="2")

    assert submission_problems(assessment=year.fresh()) == [
        "1.1 needs evidence, or a written reason why there is none.",
        "1.3 needs evidence, or a written reason why there is none.",
    ]


def test_evidence_or_a_written_reason_satisfies_the_requirement(year):
    fill(year, code="1.1", value="5", no_evidence_reason="   ")
    fill(year, code="1.2", value="2")
    fill(year, code="1.3", value="2")
    assert submission_problems(assessment=year.fresh()) == [
        "1.1 needs evidence, or a written reason why there is none.",
        "1.3 needs evidence, or a written reason why there is none.",
    ]

    fill(year, code="1.1", value="5", no_evidence_reason="Văn bản mật, xem tại đơn vị", version=2)
    add_evidence(year, code="1.3")

    assert submission_problems(assessment=year.fresh()) == []


def test_explanation_evidence_does_not_count_for_the_self_assessment(year):
    fill(year, code="1.1", value="5")
    fill(year, code="1.2", value="2")
    fill(year, code="1.3", value=None, not_arising=True)
    Evidence.objects.create(
        score=year.score("1.1"),
        purpose=Evidence.Purpose.EXPLANATION,
        file="evidence/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
    )

    assert submission_problems(assessment=year.fresh()) == [
        "1.1 needs evidence, or a written reason why there is none."
    ]


def test_progress_counts_and_totals(year):
    fill(year, code="1.1", value="5.5")
    fill(year, code="1.2", value="4")
    fill(year, code="1.3", value=None, not_arising=True)
    fill(year, code="3", value="-1")
    fill(year, code="4", value="2")

    figures = progress(assessment_sheet(assessment=year.fresh()))

    # 5.5 + 4 − 1 + 2 of 6 + 4 + 10 (survey 2.1 arose, 1.3 did not; bonus and deduction are outside)
    assert figures == {
        "scored": 3,
        "required": 3,
        "missing_evidence": 1,
        "total": D("10.5"),
        "maximum": D("20"),
        "index": D("52.5"),
    }


def test_progress_of_an_empty_assessment(year):
    assert progress(assessment_sheet(assessment=year.fresh())) == {
        "scored": 0,
        "required": 3,
        "missing_evidence": 0,
        "total": D("0"),
        "maximum": D("22"),
        "index": D("0"),
    }


def appraised(year: Year) -> None:
    """Self-scores, reviewed and final scores, files and reasons of every kind on the tree."""
    nested = CriterionFactory(period=year.period, code="1.5", parent=year.leaves["1"], max_points=None)
    for code, maximum in (("1.5.1", "3"), ("1.5.2", "1")):
        year.leaves[code] = CriterionFactory(
            period=year.period, code=code, parent=nested, max_points=D(maximum), evidence_required=True
        )
    fill(year, code="1.1", value="5.5", no_evidence_reason="  ")
    fill(year, code="1.2", value="2")
    fill(year, code="1.3", value=None, not_arising=True)
    fill(year, code="1.5.1", value="3", no_evidence_reason="Văn bản mật")
    fill(year, code="1.5.2", value="1")
    fill(year, code="3", value="-1")
    fill(year, code="4", value="2")
    # Beyond the floor and the cap, as an imported workbook may hold them: they count capped.
    Score.objects.filter(criterion=year.leaves["3"]).update(self_score=D("-3"))
    Score.objects.filter(criterion=year.leaves["4"]).update(self_score=D("5"))
    add_evidence(year, code="1.5.2")
    Evidence.objects.create(
        score=year.score("1.1"),
        purpose=Evidence.Purpose.EXPLANATION,
        file="evidence/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
    )
    reviewed = {"1.1": ("5", "Thiếu"), "1.2": ("2", ""), "1.5.1": ("2", " "), "3": ("-2", ""), "4": ("1", "")}
    for code, (value, comment) in reviewed.items():
        Score.objects.filter(assessment=year.assessment, criterion=year.leaves[code]).update(
            reviewed_score=D(value), final_score=D(value), review_comment=comment
        )
    Score.objects.create(assessment=year.assessment, criterion=year.leaves["2.1"], final_score=D("7.25"))
    # Another agency's scores count for nothing here.
    Score.objects.create(assessment=year.other_assessment, criterion=year.leaves["1.2"], self_score=D("4"))


@pytest.mark.parametrize("filled", [False, True], ids=["empty", "appraised"])
def test_the_figures_alone_add_up_as_the_whole_sheet(year, filled):
    if filled:
        appraised(year)
    sheet = assessment_sheet(assessment=year.fresh())
    figures = sheet_figures(assessment=year.fresh(), appraisal=True)

    assert figures.leaf_ids == {row.criterion.id for row in sheet.leaves}
    assert [
        (row.criterion.id, row.criterion.code, row.max_points, row.self_subtotal, row.reviewed_subtotal)
        + (row.final_subtotal,)
        for row in figures.headings
    ] == [
        (row.criterion.id, row.criterion.code, row.max_points, row.self_subtotal, row.reviewed_subtotal)
        + (row.final_subtotal,)
        for row in sheet.rows
        if not row.is_leaf
    ]
    assert (figures.self_totals, figures.reviewed_totals, figures.final_totals) == (
        sheet.self_totals,
        sheet.reviewed_totals,
        sheet.final_totals,
    )
    assert progress(figures) == progress(sheet)
    assert (
        figures.review_count,
        figures.unreviewed_count,
        figures.uncommented_count,
        figures.differences,
    ) == (sheet.review_count, len(sheet.unreviewed), len(sheet.uncommented), sheet.differences)


def test_the_figures_of_an_appraised_sheet(year):
    appraised(year)

    figures = sheet_figures(assessment=year.fresh(), appraisal=True)

    assert [(row.criterion.code, row.max_points, row.self_subtotal) for row in figures.headings] == [
        ("1", D("16"), D("11.5")),
        ("1.5", D("4"), D("4")),
        ("2", D("10"), D("0")),
    ]
    # 5.5 + 2 + 3 + 1 − 2 (deduction floor) + 3 (bonus cap) of 6 + 4 + 3 + 1 + 10
    assert (figures.self_totals.total, figures.self_totals.maximum) == (D("12.5"), D("24"))
    assert (figures.required_count, figures.scored_count, figures.missing_evidence_count) == (5, 5, 1)
    # 5 + 2 + 2 − 2 + 1; the final scores add the survey result 7.25
    assert (figures.reviewed_totals.total, figures.final_totals.total) == (D("8"), D("15.25"))
    # 1.3 did not arise, 1.5.2 awaits review; 1.1, 1.5.1, 3 and 4 differ, only 1.1 with a comment.
    assert (figures.review_count, figures.unreviewed_count) == (5, 1)
    assert (figures.differences, figures.uncommented_count) == (4, 3)


def test_the_figures_leave_out_the_appraisal_unless_asked(year):
    appraised(year)

    figures = sheet_figures(assessment=year.fresh())

    assert figures.reviewed_totals is figures.final_totals is figures.review_count is None
    assert [row.reviewed_subtotal for row in figures.headings] == [D(0)] * 3


# --- assessment_submit --------------------------------------------------------------------------------


def test_an_officer_cannot_submit(year, mailoutbox, django_capture_on_commit_callbacks):
    complete(year)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied) as refused:
        assessment_submit(user=year.officer, assessment=year.fresh())

    assert str(refused.value) == PERMISSION_MESSAGES["ranking.submit_assessment"]
    assert year.fresh().status == AssessmentStatus.DRAFT
    assert mailoutbox == []


@pytest.mark.parametrize("language", ["en", "vi"])
def test_a_refusal_speaks_the_users_language(year, language):
    """The refusal is in the language of the person refused, not the one of the server's start."""
    msgid = "Only the agency head may submit, while the self-assessment is open."
    with override(language):
        expected = gettext(msgid)
        with pytest.raises(PermissionDenied) as refused:
            assessment_submit(user=year.officer, assessment=year.fresh())

    assert str(refused.value) == expected


def test_the_head_of_another_agency_cannot_submit(year):
    complete(year)
    head_b = UserFactory(username="lanhdao_stc", role=Role.HEAD, agency=year.officer_b.agency)

    with pytest.raises(PermissionDenied):
        assessment_submit(user=head_b, assessment=year.fresh())

    assert year.fresh().status == AssessmentStatus.DRAFT


def test_submission_with_problems_lists_them(year, mailoutbox, django_capture_on_commit_callbacks):
    fill(year, code="1.1", value="5")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ServiceError) as refused:
        assessment_submit(user=year.head, assessment=year.fresh())

    assert refused.value.messages == [
        "The assessment cannot be submitted yet:",
        "1.2 has no score.",
        "1.3 has no score.",
        "1.1 needs evidence, or a written reason why there is none.",
    ]
    assert year.fresh().status == AssessmentStatus.DRAFT
    assert mailoutbox == []


def test_the_head_submits(year, mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://danhgia.danang.gov.vn"
    UserFactory(username="hoidong2", role=Role.COUNCIL, email="")
    complete(year)
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(user=year.head, assessment=year.fresh())

    assessment = year.fresh()
    assert (assessment.status, assessment.submitted_by, assessment.reopened) == (
        AssessmentStatus.SUBMITTED,
        year.head,
        False,
    )
    assert before <= assessment.submitted_at <= timezone.now()
    last = assessment.history.first()
    assert (last.status, last.history_user, last.history_change_reason) == (
        "submitted",
        year.head,
        recorded("Submitted"),
    )
    assert sorted(m.to[0] for m in mailoutbox) == ["hoidong@example.gov.vn", "thamdinh@example.gov.vn"]
    link = "https://danhgia.danang.gov.vn" + reverse("review_detail", args=[assessment.pk])
    for message in mailoutbox:
        assert "Sở Nội vụ" in message.subject
        assert "CCHC 2025" in message.subject
        assert link in message.body


def test_a_submitted_assessment_is_read_only_for_the_agency(year):
    complete(year)
    assessment_submit(user=year.head, assessment=year.fresh())

    for user in (year.officer, year.head):
        with pytest.raises(PermissionDenied):
            fill(year, user=user, code="1.2", value="2")
    with pytest.raises(PermissionDenied):
        add_evidence(year)
    assert year.score("1.2").self_score == D("4")


def test_no_submission_after_the_deadline(year):
    complete(year)
    Period.objects.filter(pk=year.period.pk).update(self_assessment_deadline=days(-1))

    with pytest.raises(PermissionDenied):
        assessment_submit(user=year.head, assessment=year.fresh())

    assert year.fresh().status == AssessmentStatus.DRAFT


# --- assessment_withdraw ------------------------------------------------------------------------------


@pytest.fixture
def submitted(year) -> Year:
    complete(year)
    assessment_submit(user=year.head, assessment=year.fresh())
    return year


def test_the_head_withdraws_a_submission(submitted):
    year = submitted

    assessment_withdraw(user=year.head, assessment=year.fresh())

    assessment = year.fresh()
    assert (assessment.status, assessment.submitted_at) == (AssessmentStatus.DRAFT, None)
    last = assessment.history.first()
    assert (last.history_user, last.history_change_reason) == (year.head, recorded("Withdrawn by the head"))
    fill(year, code="1.2", value="2", version=2)
    assert year.score("1.2").self_score == D("2")


def test_an_officer_cannot_withdraw(submitted):
    with pytest.raises(PermissionDenied):
        assessment_withdraw(user=submitted.officer, assessment=submitted.fresh())

    assert submitted.fresh().status == AssessmentStatus.SUBMITTED


def test_no_withdrawal_once_a_reviewer_opened_it(submitted):
    Assessment.objects.filter(pk=submitted.assessment.pk).update(review_opened_at=timezone.now())

    with pytest.raises(PermissionDenied) as refused:
        assessment_withdraw(user=submitted.head, assessment=submitted.fresh())

    assert str(refused.value) == PERMISSION_MESSAGES["ranking.withdraw_assessment"]
    assert submitted.fresh().status == AssessmentStatus.SUBMITTED


def test_no_withdrawal_after_the_deadline(submitted):
    Period.objects.filter(pk=submitted.period.pk).update(self_assessment_deadline=days(-1))

    with pytest.raises(PermissionDenied):
        assessment_withdraw(user=submitted.head, assessment=submitted.fresh())

    assert submitted.fresh().status == AssessmentStatus.SUBMITTED


# --- assessment_reopen -----------------------------------------------------------------------------


@pytest.fixture
def late(year) -> Year:
    """The deadline passed with the assessment still a draft."""
    fill(year, code="1.2", value="2")
    Period.objects.filter(pk=year.period.pk).update(self_assessment_deadline=days(-3))
    return year


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_needs_a_reason(late, reason):
    with pytest.raises(ServiceError) as refused:
        assessment_reopen(user=late.council, assessment=late.fresh(), reason=reason)

    assert refused.value.messages == ["Write the reason for reopening."]
    assert late.fresh().reopened is False


@pytest.mark.parametrize("who", ["officer", "head", "reviewer", "admin"])
def test_only_the_council_reopens(late, who):
    with pytest.raises(PermissionDenied):
        assessment_reopen(user=getattr(late, who), assessment=late.fresh(), reason="Bổ sung")

    assert late.fresh().reopened is False


def test_the_council_reopens_after_the_deadline(late, mailoutbox, django_capture_on_commit_callbacks):
    year = late
    with pytest.raises(PermissionDenied):
        fill(year, code="1.2", value="4")

    with django_capture_on_commit_callbacks(execute=True):
        assessment_reopen(user=year.council, assessment=year.fresh(), reason="  Đơn vị bổ sung minh chứng ")

    assessment = year.fresh()
    assert (assessment.status, assessment.reopened) == (AssessmentStatus.DRAFT, True)
    last = assessment.history.first()
    assert (last.history_user, last.history_change_reason) == (
        year.council,
        recorded("Reopened: %(reason)s", reason="Đơn vị bổ sung minh chứng"),
    )
    assert sorted(m.to[0] for m in mailoutbox) == ["canbo_snv@example.gov.vn", "lanhdao_snv@example.gov.vn"]
    assert all("Đơn vị bổ sung minh chứng" in m.body for m in mailoutbox)

    # The agency edits after the deadline, then the head submits: the reopening ends there.
    fill(year, code="1.2", value="4", version=2)
    complete(year)
    assessment_submit(user=year.head, assessment=year.fresh())
    assessment = year.fresh()
    assert (assessment.status, assessment.reopened) == (AssessmentStatus.SUBMITTED, False)
    with pytest.raises(PermissionDenied):
        fill(year, code="1.2", value="2")


def test_the_council_reopens_an_assessment_under_appraisal(submitted):
    year = submitted
    Assessment.objects.filter(pk=year.assessment.pk).update(
        status=AssessmentStatus.IN_REVIEW, review_opened_at=timezone.now()
    )
    Period.objects.filter(pk=year.period.pk).update(phase=Phase.APPRAISAL, self_assessment_deadline=days(-5))

    assessment_reopen(user=year.council, assessment=year.fresh(), reason="Sai số liệu 1.2")

    assessment = year.fresh()
    assert (assessment.status, assessment.reopened, assessment.review_opened_at) == (
        AssessmentStatus.DRAFT,
        True,
        None,
    )
    fill(year, code="1.2", value="2", version=2)
    assessment_submit(user=year.head, assessment=year.fresh())
    assert year.fresh().status == AssessmentStatus.SUBMITTED


def every_value(obj) -> list[tuple[str, object, type]]:
    return [
        (field.attname, getattr(obj, field.attname), type(getattr(obj, field.attname)))
        for field in type(obj)._meta.concrete_fields
    ]


def test_the_locked_assessment_is_read_as_select_related_reads_it(year):
    Assessment.objects.filter(pk=year.assessment.pk).update(
        submitted_at=timezone.now(), late=True, late_reason="Nộp chậm 2 ngày"
    )

    locked = assessment_locked(year.assessment)

    expected = Assessment.objects.select_related("period", "agency").get(pk=year.assessment.pk)
    assert every_value(locked) == every_value(expected)
    assert every_value(locked.period) == every_value(expected.period)
    assert every_value(locked.agency) == every_value(expected.agency)
    assert (locked.period.self_assessment_deadline, locked.agency.code) == (days(10), "SNV")
    with pytest.raises(Assessment.DoesNotExist):
        assessment_locked(Assessment(pk=year.other_assessment.pk + 1000))


def test_the_locked_leaf_score_is_read_with_its_criterion(year):
    fill(year, code="1.2", value="2", note="Chậm 3 ngày")

    criterion, score = leaf_score_for_update(assessment=year.fresh(), criterion_id=year.leaves["1.2"].id)

    expected = Score.objects.select_related("criterion").get(pk=score.pk)
    assert every_value(score) == every_value(expected)
    assert every_value(criterion) == every_value(expected.criterion)
    assert criterion is score.criterion
    assert criterion.option_values == [
        ("Đúng hạn", D("4")),
        ("Chậm dưới 10 ngày", D("2")),
        ("Chậm trên 10 ngày", D("0")),
    ]
    assert (score.self_score, score.note, score.version) == (D("2"), "Chậm 3 ngày", 2)
    # A leaf without a score row: the leaf alone; a parent or another group's leaf: refused.
    assert leaf_score_for_update(assessment=year.fresh(), criterion_id=year.leaves["1.1"].id) == (
        year.leaves["1.1"],
        None,
    )
    for code in ("1", "1.4"):
        with pytest.raises(ServiceError):
            leaf_score_for_update(assessment=year.fresh(), criterion_id=year.leaves[code].id)
