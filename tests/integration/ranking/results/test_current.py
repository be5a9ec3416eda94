"""Stale results are never published (issue 9, item 2).

Results are stored with the fingerprint of the inputs they were computed from
(`PeriodInputs.fingerprint`); approving and publishing compare it with the inputs as they
stand, and refuse, withdrawing the results, where they differ. Every write path that changes
an input (services in any phase, every sheet of the year workbook) withdraws the results and
their approval at once, with a history reason, and the council's pages say so.

Period CCHC-2025 (finalization; certificates from "Rất tốt"; compared with CCHC-2024, where
STC ranked 1 and SNV 2) has the criteria

    1     field      1.1 number, max 60, step 0,5     1.2 number, max 30, may not arise
    2     field      2.1 survey, max 10
    3     deduction, floor 2

so the maximum is 100 and an index equals a total. Three departments (group SBN):

    agency  1.1  1.2  2.1   total  tier      rank
    SNV      58   29    8      95  Rất tốt      1
    STC      55   28    9      92  Rất tốt      2
    SXD      50   25    7      82  Tốt          3

Service messages are asserted as the English msgids (`override("en")`); history reasons as
the services record them, in the site's language.
"""

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext, override
from openpyxl import Workbook

from accounts.models import Agency, AgencyGroup, Role, User
from ranking.assessments.appraisal import explanation_decide, field_accept_self, score_review_set
from ranking.assessments.services import score_self_set
from ranking.enums import AssessmentStatus, Decision, Method, Phase
from ranking.errors import ServiceError
from ranking.models import (
    Assessment,
    Criterion,
    Demotion,
    HistoricalResult,
    Period,
    Publication,
    Score,
    Tier,
)
from ranking.results.compute import period_inputs
from ranking.results.finalization import (
    demotion_remove,
    demotion_set,
    period_phase_set,
    period_publish,
    results_approve,
    results_compute_by,
    survey_score_set,
)
from ranking.workbook.importer import workbook_import
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
FINAL = {"SNV": ("58", "29", "8"), "STC": ("55", "28", "9"), "SXD": ("50", "25", "7")}
NAMES = {"SNV": "Sở Nội vụ", "STC": "Sở Tài chính", "SXD": "Sở Xây dựng"}
NOT_PUBLISHED = (
    "The results were not published: scores or settings of the period changed after the results were "
    "computed. Compute the results again and approve them before publishing."
)
NOT_APPROVED = (
    "The results were not approved: scores or settings of the period changed after the results were "
    "computed. Compute the results again, check them, then approve."
)


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def recorded(msgid: str, **params) -> str:
    """A history reason as the services write it: in the site's language, whoever acted."""
    with override(settings.LANGUAGE_CODE):
        text = gettext(msgid)
        return text % params if params else text


def outdated_by(change: str) -> str:
    return recorded("Results to compute again: %(reason)s", reason=change)


def leaf_change(code: str, agency: str, why: str) -> str:
    return recorded(
        "criterion %(code)s of %(agency)s (%(change)s)", code=code, agency=NAMES[agency], change=recorded(why)
    )


@dataclass
class Year:
    period: Period
    previous: Period
    agencies: dict[str, Agency]
    assessments: dict[str, Assessment]
    leaves: dict[str, Criterion]
    tiers: list[Tier]
    districts: AgencyGroup
    council: User
    reviewer: User
    officer: User  # of SXD

    def fresh(self) -> Period:
        return Period.objects.get(pk=self.period.pk)

    def score(self, agency: str, code: str) -> Score:
        return Score.objects.get(assessment=self.assessments[agency], criterion=self.leaves[code])

    def assessment(self, agency: str) -> Assessment:
        """The assessment as a page reads it now."""
        return Assessment.objects.select_related("period", "agency").get(pk=self.assessments[agency].pk)

    def status(self, agency: str, status: str) -> Assessment:
        Assessment.objects.filter(pk=self.assessments[agency].pk).update(status=status)
        return Assessment.objects.get(pk=self.assessments[agency].pk)

    def phase(self, phase: str) -> None:
        """Where the council moves the period (going back with a reason)."""
        period_phase_set(user=self.council, period=self.fresh(), phase=phase, reason="Bổ sung giải trình")

    def compute(self) -> None:
        results_compute_by(user=self.council, period=self.fresh())

    def ready(self) -> None:
        """Computed and approved: ready to publish."""
        self.compute()
        results_approve(user=self.council, period=self.fresh())


@pytest.fixture
def year() -> Year:
    sbn = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    districts = AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=2)
    agencies = {code: AgencyFactory(code=code, name=name, group=sbn) for code, name in NAMES.items()}
    previous = PeriodFactory(code="CCHC-2024", year=2024, name="CCHC 2024", phase=Phase.PUBLISHED)
    HistoricalResult.objects.create(period=previous, agency=agencies["STC"], rank=1)
    HistoricalResult.objects.create(period=previous, agency=agencies["SNV"], rank=2)
    period = PeriodFactory(
        code="CCHC-2025", year=2025, name="CCHC 2025", phase=Phase.FINALIZATION, previous=previous
    )
    tiers = make_tiers(period)
    one = CriterionFactory(period=period, code="1", max_points=D("90"))
    two = CriterionFactory(period=period, code="2", max_points=D("10"))
    leaves = {
        "1.1": CriterionFactory(period=period, code="1.1", parent=one, max_points=D("60"), step=D("0.5")),
        "1.2": CriterionFactory(
            period=period, code="1.2", parent=one, max_points=D("30"), allow_not_arising=True
        ),
        "2.1": CriterionFactory(
            period=period, code="2.1", parent=two, max_points=D("10"), method=Method.SURVEY
        ),
        "3": CriterionFactory(period=period, code="3", max_points=D("2"), method=Method.DEDUCTION),
    }
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER)
    assessments = {}
    for code, values in FINAL.items():
        assessments[code] = AssessmentFactory(
            period=period, agency=agencies[code], reviewer=reviewer, status=AssessmentStatus.FINALIZED
        )
        for leaf, value in zip(("1.1", "1.2", "2.1"), values, strict=True):
            ScoreFactory(
                assessment=assessments[code],
                criterion=leaves[leaf],
                self_score=D(value),
                reviewed_score=D(value),
                final_score=D(value),
            )
    return Year(
        period=period,
        previous=previous,
        agencies=agencies,
        assessments=assessments,
        leaves=leaves,
        tiers=tiers,
        districts=districts,
        council=UserFactory(username="hoidong", role=Role.COUNCIL),
        reviewer=reviewer,
        officer=UserFactory(username="canbo_sxd", role=Role.OFFICER, agency=agencies["SXD"]),
    )


def assert_outdated(year: Year, change: str, *, by: User | None) -> None:
    """The results and their approval are withdrawn, saying why, and cannot be published."""
    period = year.fresh()
    assert (period.results_computed_at, period.awards_approved_at) == (None, None)
    assert period.results_fingerprint == ""
    assert period.results_outdated_reason == change
    entry = period.history.first()
    assert (entry.history_user, entry.history_change_reason) == (by, outdated_by(change))
    assert not year.council.has_perm("ranking.publish_period", period)


def assert_current(year: Year) -> None:
    period = year.fresh()
    assert period.results_computed_at is not None and period.awards_approved_at is not None
    assert period.results_fingerprint == period_inputs(period=period).fingerprint
    assert period.results_outdated_reason == ""


def published_rows(publication: Publication) -> list[tuple]:
    return [(r["agency"], r["total"], r["tier"], r["rank"]) for r in publication.results]


# --- (a) the fingerprint ---------------------------------------------------------------------------


def test_computing_stores_the_fingerprint_of_the_inputs(year):
    year.compute()

    period = year.fresh()
    assert len(period.results_fingerprint) == 64
    assert period.results_fingerprint == period_inputs(period=period).fingerprint
    # Reading the same inputs again gives the same fingerprint; computing again stores it again.
    year.compute()
    assert year.fresh().results_fingerprint == period.results_fingerprint


def test_what_results_are_not_computed_from_leaves_the_fingerprint(year):
    year.compute()
    before = year.fresh().results_fingerprint

    Score.objects.filter(assessment=year.assessments["SNV"]).update(
        note="Ghi chú mới", review_comment="Nhận xét", self_score=D("1"), version=9
    )
    Criterion.objects.filter(pk=year.leaves["1.1"].pk).update(title="Tiêu đề mới", guidance="Hướng dẫn")
    Period.objects.filter(pk=year.period.pk).update(name="Kỳ đánh giá đổi tên")
    Agency.objects.filter(code="SNV").update(name="Sở Nội vụ thành phố")

    assert period_inputs(period=year.fresh()).fingerprint == before


def publish_after(year: Year, change) -> None:
    year.ready()
    change(year)
    with pytest.raises(ServiceError) as refused:
        period_publish(user=year.council, period=year.fresh())
    assert refused.value.messages == [NOT_PUBLISHED]


def new_agency_taking_part(year: Year) -> None:
    agency = AgencyFactory(code="SGD", name="Sở Giáo dục", group=year.agencies["SNV"].group)
    assessment = AssessmentFactory(period=year.period, agency=agency, status=AssessmentStatus.FINALIZED)
    for leaf, value in (("1.1", "60"), ("1.2", "30"), ("2.1", "10")):
        ScoreFactory(assessment=assessment, criterion=year.leaves[leaf], final_score=D(value))


# Changes written past every service (straight to the tables), each an input of the results.
BEHIND_THE_BACK = {
    "final score": lambda y: Score.objects.filter(pk=y.score("SXD", "1.1").pk).update(final_score=D("60")),
    "does not arise": lambda y: Score.objects.filter(pk=y.score("STC", "1.2").pk).update(not_arising=True),
    "deduction scored": lambda y: ScoreFactory(
        assessment=y.assessments["SNV"], criterion=y.leaves["3"], final_score=D("-2")
    ),
    "score removed": lambda y: Score.objects.filter(pk=y.score("SNV", "2.1").pk).delete(),
    "demotion": lambda y: Demotion.objects.create(
        period=y.period, agency=y.agencies["SNV"], steps=1, reason="Kỷ luật"
    ),
    "tier bound": lambda y: Tier.objects.filter(pk=y.tiers[1].pk).update(min_index=D("83")),
    "leaf maximum": lambda y: Criterion.objects.filter(pk=y.leaves["1.1"].pk).update(max_points=D("70")),
    "leaf applies to another group": lambda y: y.leaves["1.2"].groups.set([y.districts]),
    "tie-breakers": lambda y: Period.objects.filter(pk=y.period.pk).update(tie_breakers=["fields"]),
    "award tier": lambda y: Period.objects.filter(pk=y.period.pk).update(award_from_tier="Tốt"),
    "award limit": lambda y: Period.objects.filter(pk=y.period.pk).update(award_max_per_group=1),
    "demoted agencies awarded": lambda y: Period.objects.filter(pk=y.period.pk).update(
        award_exclude_demoted=False
    ),
    "previous ranks": lambda y: HistoricalResult.objects.filter(agency__code="SNV").update(rank=3),
    # The group of a period is the assessment's: the agency's usual group is the default of new ones.
    "agency in another group for the period": lambda y: Assessment.objects.filter(
        period=y.period, agency__code="SXD"
    ).update(group=y.districts),
    "agency taking part": new_agency_taking_part,
}


@pytest.mark.parametrize("change", list(BEHIND_THE_BACK.values()), ids=list(BEHIND_THE_BACK))
def test_results_computed_before_any_input_changed_are_not_published(year, change):
    publish_after(year, change)

    assert not Publication.objects.exists()
    period = year.fresh()
    assert period.phase == Phase.FINALIZATION
    reason = recorded("the scores or settings changed after the results were computed")
    assert_outdated(year, reason, by=year.council)


@pytest.mark.parametrize("change", list(BEHIND_THE_BACK.values())[:4], ids=list(BEHIND_THE_BACK)[:4])
def test_results_computed_before_an_input_changed_are_not_approved(year, change):
    year.compute()
    change(year)

    with pytest.raises(ServiceError) as refused:
        results_approve(user=year.council, period=year.fresh())

    assert refused.value.messages == [NOT_APPROVED]
    assert_outdated(
        year, recorded("the scores or settings changed after the results were computed"), by=year.council
    )


def test_current_results_publish_and_the_council_computes_again_after_a_refusal(year):
    publish_after(year, BEHIND_THE_BACK["final score"])

    year.ready()
    publication = period_publish(user=year.council, period=year.fresh())

    # SXD's 1.1 is 60 now: 60 + 25 + 7 = 92, level with STC; the total without the survey
    # breaks the tie, 85 against 83.
    assert published_rows(publication) == [
        ("SNV", "95.0000", "Rất tốt", 1),
        ("SXD", "92.0000", "Rất tốt", 2),
        ("STC", "92.0000", "Rất tốt", 3),
    ]
    assert year.fresh().phase == Phase.PUBLISHED


# --- (c) every path that changes an input withdraws the results at once ---------------------------


def test_going_back_to_explanations_and_deciding_one_is_not_published_over(year):
    """The issue's case: STC's explanation awaited its decision while the council computed and
    approved; the council went back to the explanation phase, the reviewer accepted it (STC's
    1.1 from 55 to 60), then the council moved on and published the old figures."""
    year.status("STC", AssessmentStatus.EXPLAINED)
    Score.objects.filter(pk=year.score("STC", "1.1").pk).update(
        explanation="Đã ban hành", proposed_score=D("60")
    )
    year.ready()
    year.phase(Phase.EXPLANATION)

    explanation_decide(
        user=year.reviewer,
        assessment=year.assessment("STC"),
        criterion_id=year.leaves["1.1"].pk,
        decision=Decision.ACCEPTED,
        reason="Đủ căn cứ",
    )

    assert_outdated(year, leaf_change("1.1", "STC", "Explanation decided"), by=year.reviewer)
    year.phase(Phase.FINALIZATION)
    with pytest.raises(PermissionDenied):
        period_publish(user=year.council, period=year.fresh())
    year.ready()
    publication = period_publish(user=year.council, period=year.fresh())
    assert published_rows(publication) == [
        ("STC", "97.0000", "Rất tốt", 1),
        ("SNV", "95.0000", "Rất tốt", 2),
        ("SXD", "82.0000", "Tốt", 3),
    ]


def test_an_explanation_decided_during_finalization(year):
    year.status("STC", AssessmentStatus.EXPLAINED)
    Score.objects.filter(pk=year.score("STC", "1.2").pk).update(
        explanation="Có văn bản", proposed_score=D("30")
    )
    year.ready()

    explanation_decide(
        user=year.reviewer,
        assessment=year.assessment("STC"),
        criterion_id=year.leaves["1.2"].pk,
        decision=Decision.PARTIAL,
        reason="Một phần",
        score_value=D("29"),
    )

    assert_outdated(year, leaf_change("1.2", "STC", "Explanation decided"), by=year.reviewer)


def test_an_explanation_rejected_changes_nothing_and_keeps_the_results(year):
    year.status("STC", AssessmentStatus.EXPLAINED)
    Score.objects.filter(pk=year.score("STC", "1.2").pk).update(
        explanation="Có văn bản", proposed_score=D("30")
    )
    year.ready()

    explanation_decide(
        user=year.reviewer,
        assessment=year.assessment("STC"),
        criterion_id=year.leaves["1.2"].pk,
        decision=Decision.REJECTED,
        reason="Không đủ căn cứ",
    )

    assert_current(year)


def test_an_agency_returned_for_correction_after_the_results_were_computed(year):
    """The council went back to the appraisal and SXD, returned for correction, marks 1.2 as
    not arising: its maximum drops to 70."""
    year.status("SXD", AssessmentStatus.RETURNED)
    year.ready()
    year.phase(Phase.APPRAISAL)
    assessment = year.assessment("SXD")

    score_self_set(
        user=year.officer,
        assessment=assessment,
        criterion_id=year.leaves["1.2"].pk,
        value=None,
        not_arising=True,
    )

    assert_outdated(year, leaf_change("1.2", "SXD", "Self-assessment"), by=year.officer)


def test_a_self_score_alone_is_no_input(year):
    year.status("SXD", AssessmentStatus.RETURNED)
    year.ready()
    year.phase(Phase.APPRAISAL)

    score_self_set(
        user=year.officer,
        assessment=year.assessment("SXD"),
        criterion_id=year.leaves["1.1"].pk,
        value=D("59"),
        note="Bổ sung kế hoạch",
    )

    assert_current(year)


def test_a_reviewed_score_after_the_results_were_computed(year):
    year.status("SXD", AssessmentStatus.IN_REVIEW)
    year.ready()
    year.phase(Phase.APPRAISAL)

    score_review_set(
        user=year.reviewer,
        assessment=year.assessment("SXD"),
        criterion_id=year.leaves["1.1"].pk,
        value=D("40"),
        comment="Thiếu minh chứng",
    )

    assert_outdated(year, leaf_change("1.1", "SXD", "Appraisal"), by=year.reviewer)


def test_self_scores_of_a_field_accepted_after_the_results_were_computed(year):
    year.status("SXD", AssessmentStatus.IN_REVIEW)
    Score.objects.filter(pk=year.score("SXD", "1.1").pk).update(self_score=D("52"))
    year.ready()
    year.phase(Phase.APPRAISAL)
    # Accepting fills only a leaf the reviewer has not touched (issue 11 §2): the reviewer's
    # score of 1.1 is cleared behind the results' back, as if never given.
    Score.objects.filter(pk=year.score("SXD", "1.1").pk).update(
        reviewed_score=None, final_score=None, review_comment=""
    )

    accepted = field_accept_self(user=year.reviewer, assessment=year.assessment("SXD"), field_code="1")

    assert list(accepted.filled) == [year.leaves["1.1"].pk]
    change = recorded("Self-scores of field %(field)s accepted", field="1")
    assert_outdated(
        year,
        recorded(
            "criterion %(code)s of %(agency)s (%(change)s)", code="1.1", agency=NAMES["SXD"], change=change
        ),
        by=year.reviewer,
    )


def test_a_survey_result(year):
    year.ready()

    survey_score_set(
        user=year.council,
        assessment=year.assessments["SXD"],
        criterion_id=year.leaves["2.1"].pk,
        value=D("10"),
    )

    assert_outdated(year, leaf_change("2.1", "SXD", "Survey result"), by=year.council)


def test_a_demotion_and_its_lifting(year):
    year.ready()

    demotion = demotion_set(
        user=year.council, period=year.fresh(), agency=year.agencies["SNV"], reason="Kỷ luật", steps=1
    )

    assert_outdated(year, recorded("demotion of %(agency)s", agency="Sở Nội vụ"), by=year.council)
    year.ready()
    demotion_remove(user=year.council, demotion=demotion, reason="Đã xem xét lại")
    assert_outdated(year, recorded("demotion of %(agency)s lifted", agency="Sở Nội vụ"), by=year.council)


def test_a_demotion_s_reason_alone_is_no_input(year):
    demotion_set(
        user=year.council, period=year.fresh(), agency=year.agencies["SNV"], reason="Kỷ luật", steps=1
    )
    year.ready()

    demotion_set(
        user=year.council,
        period=year.fresh(),
        agency=year.agencies["SNV"],
        reason="Kỷ luật cảnh cáo",
        steps=1,
    )

    assert_current(year)


def test_moving_between_phases_keeps_the_results(year):
    year.ready()

    year.phase(Phase.EXPLANATION)
    year.phase(Phase.FINALIZATION)

    assert_current(year)


# --- (c) the year workbook: every sheet ---------------------------------------------------------------


def workbook(sheets: dict[str, list[list]]) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


SCORES = [
    "Mã kỳ",
    "Mã đơn vị",
    "Mã tiêu chí",
    "Điểm tự đánh giá",
    "Điểm thẩm định",
    "Không phát sinh",
    "Ghi chú",
]
SHEETS = {
    "Diem": [SCORES, ["CCHC-2025", "SXD", "1.1", 50, 45, None, None]],
    "Diem (does not arise)": [SCORES, ["CCHC-2025", "SNV", "1.2", None, None, "x", None]],
    "HaBac": [["Mã kỳ", "Mã đơn vị", "Số bậc hạ", "Lý do"], ["CCHC-2025", "STC", 1, "Vi phạm"]],
    "XepLoai": [["Mã kỳ", "Thứ tự", "Xếp loại", "Chỉ số tối thiểu"], ["CCHC-2025", 2, "Tốt", 85]],
    "TieuChi": [
        ["Mã kỳ", "Mã tiêu chí", "Nội dung", "Điểm tối đa", "Phương thức"],
        ["CCHC-2025", "1.3", "Tiêu chí bổ sung", 5, "bonus"],
    ],
    "KyDanhGia": [
        ["Mã kỳ", "Năm", "Lĩnh vực", "Tên kỳ", "Kỳ trước", "Khen thưởng từ xếp loại"],
        ["CCHC-2025", 2025, "CCHC", "CCHC 2025", "CCHC-2024", "Tốt"],
    ],
    "DonVi": [["Mã đơn vị", "Tên đơn vị", "Mã khối"], ["SXD", "Sở Xây dựng", "QH"]],
    "KetQua": [["Mã kỳ", "Mã đơn vị", "Xếp hạng"], ["CCHC-2024", "SXD", 1]],
}


@pytest.mark.parametrize("sheet", list(SHEETS))
def test_every_sheet_of_the_year_workbook(year, sheet):
    year.ready()
    name = sheet.split(" ")[0]

    report = workbook_import(file=workbook({name: SHEETS[sheet]}), user=year.council)

    assert report.problems == []
    assert_outdated(year, recorded("year workbook import, sheet %(sheet)s", sheet=name), by=year.council)


def test_an_import_dry_run_withdraws_nothing(year):
    year.ready()

    report = workbook_import(file=workbook({"Diem": SHEETS["Diem"]}), dry_run=True)

    assert report.ok
    assert_current(year)


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("Diem", [SCORES, ["CCHC-2025", "SXD", "1.1", 50, 50, None, "Chỉ thêm ghi chú"]]),
        (
            "TieuChi",
            [["Mã kỳ", "Mã tiêu chí", "Nội dung", "Điểm tối đa"], ["CCHC-2025", "1.1", "Nội dung mới", 60]],
        ),
        ("DonVi", [["Mã đơn vị", "Tên đơn vị", "Mã khối"], ["SXD", "Sở Xây dựng thành phố", "SBN"]]),
    ],
    ids=["note", "criterion title", "agency name"],
)
def test_an_import_of_what_results_are_not_computed_from_keeps_them(year, name, rows):
    year.ready()

    report = workbook_import(file=workbook({name: rows}))

    assert report.problems == []
    assert_current(year)


def test_the_period_sheet_cannot_change_a_published_period(year):
    rows = SHEETS["KyDanhGia"]
    rows = [rows[0], ["CCHC-2024", 2024, "CCHC", "CCHC 2024", "", "Tốt"]]

    report = workbook_import(file=workbook({"KyDanhGia": rows}))

    assert report.problems == [
        "KyDanhGia!2 Mã kỳ: Period CCHC-2024 is published and frozen: reopen it for a correction first."
    ]
    assert Period.objects.get(code="CCHC-2024").award_from_tier == "Rất tốt"


# --- the council sees it ----------------------------------------------------------------------------


def test_the_council_s_pages_say_the_results_must_be_computed_again(client, year):
    year.ready()
    demotion_set(
        user=year.council, period=year.fresh(), agency=year.agencies["SXD"], reason="Kỷ luật", steps=1
    )
    client.force_login(year.council)

    dashboard = client.get(reverse("period_dashboard", args=["CCHC-2025"])).content.decode()
    results = client.get(reverse("provisional_results", args=["CCHC-2025"])).content.decode()

    expected = (
        "Kết quả cần được tính lại: dữ liệu đầu vào đã thay đổi sau lần tính trước (hạ bậc của Sở Xây dựng)."
    )
    for page in (dashboard, results):
        assert expected in " ".join(page.split())
    # Computed again, the notice is gone.
    year.compute()
    dashboard = client.get(reverse("period_dashboard", args=["CCHC-2025"])).content.decode()
    assert "results-outdated" not in dashboard
    assert "Kết quả cần được tính lại" not in dashboard
