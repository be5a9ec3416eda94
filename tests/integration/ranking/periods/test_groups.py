"""An agency's group, period by period: SXD is in SBN for CCHC and in SN for VTLT.

Leaf 1.1 (max 60) applies to every group, 1.2 (max 40) to SBN only, 1.3 (max 20) to SN only.
Final scores (tests/builders.py, PERIOD_GROUP_AGENCIES), by hand:

CCHC (SXD in SBN)                         VTLT (SXD in SN)
SBN  SXD 57+38 = 95/100 → 95 %, rank 1    SBN  SNV 90/100 → 90 %, rank 1
     SNV 55+35 = 90/100 → 90 %, rank 2         STC 80/100 → 80 %, rank 2
     STC 50+30 = 80/100 → 80 %, rank 3    SN   SXD 57+18 = 75/80 → 93,75 %, rank 1
SN   BVDN 54+18 = 72/80 → 90 %, rank 1         BVDN 72/80 → 90 %, rank 2
     DRT 48+16 = 64/80 → 80 %, rank 2          DRT 64/80 → 80 %, rank 3

SXD's 1.3 score does not count in CCHC and its 1.2 score does not count in VTLT: both are kept.
Certificates go to "Rất tốt" (≥ 90).
"""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import override

from accounts.models import Agency, Role
from ranking.enums import Phase, Subject
from ranking.errors import ServiceError
from ranking.models import Assessment, AwardEntry, Period, Result, Score
from ranking.periods.groups import assessment_group_set, assessments_follow_usual_group
from ranking.reports.agency import agency_report
from ranking.reports.exports.conference import conference_workbook
from ranking.results.compute import results_compute
from ranking.results.finalization import period_publish, results_approve
from tests.builders import build_two_subjects
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

D = Decimal
CCHC, VTLT = Subject.CCHC, Subject.VTLT


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


def ranks(period: Period) -> list[tuple]:
    return [
        (r.group.code, r.rank, r.agency.code, r.total, r.maximum, r.index, r.tier.label)
        for r in Result.objects.filter(period=period).select_related("group", "agency", "tier")
    ]


def test_a_new_assessment_starts_in_the_agencys_usual_group():
    two = build_two_subjects(moved=False)

    assert two.assessment(CCHC, "SXD").group.code == "SBN"
    assert two.assessment(VTLT, "SXD").group.code == "SBN"
    assert two.assessment(VTLT, "BVDN").group.code == "SN"


def test_the_agency_is_ranked_in_its_group_of_each_period_with_the_leaves_of_that_group():
    two = build_two_subjects()

    results_compute(period=two.periods[CCHC])
    results_compute(period=two.periods[VTLT])

    assert ranks(two.periods[CCHC]) == [
        ("SBN", 1, "SXD", D("95"), D("100"), D("95"), "Rất tốt"),
        ("SBN", 2, "SNV", D("90"), D("100"), D("90"), "Rất tốt"),
        ("SBN", 3, "STC", D("80"), D("100"), D("80"), "Tốt"),
        ("SN", 1, "BVDN", D("72"), D("80"), D("90"), "Rất tốt"),
        ("SN", 2, "DRT", D("64"), D("80"), D("80"), "Tốt"),
    ]
    # In VTLT the ranks of SBN close up without SXD; in SN it counts 1.3, not 1.2.
    assert ranks(two.periods[VTLT]) == [
        ("SBN", 1, "SNV", D("90"), D("100"), D("90"), "Rất tốt"),
        ("SBN", 2, "STC", D("80"), D("100"), D("80"), "Tốt"),
        ("SN", 1, "SXD", D("75"), D("80"), D("93.75"), "Rất tốt"),
        ("SN", 2, "BVDN", D("72"), D("80"), D("90"), "Rất tốt"),
        ("SN", 3, "DRT", D("64"), D("80"), D("80"), "Tốt"),
    ]
    vtlt = Result.objects.get(period=two.periods[VTLT], agency__code="SXD")
    assert {code: D(value) for code, value in vtlt.field_scores.items()} == {"1": D("75")}
    assert {code: D(value) for code, value in vtlt.field_maxima.items()} == {"1": D("80")}
    # The score of 1.2 is kept, though it does not count in VTLT.
    assert Score.objects.get(assessment=two.assessment(VTLT, "SXD"), criterion__code="1.2").final_score == D(
        "38"
    )
    awards = {
        subject: sorted(
            AwardEntry.objects.filter(period=two.periods[subject], included=True).values_list(
                "agency__code", flat=True
            )
        )
        for subject in (CCHC, VTLT)
    }
    assert awards == {CCHC: ["BVDN", "SNV", "SXD"], VTLT: ["BVDN", "SNV", "SXD"]}


def test_the_conference_workbook_lists_the_agency_on_its_group_of_the_period():
    two = build_two_subjects()
    results_compute(period=two.periods[VTLT])

    book = openpyxl.load_workbook(io.BytesIO(_saved(conference_workbook(period=two.periods[VTLT]))))

    def listed(sheet: str) -> list[tuple]:
        ws = book[sheet]
        first = next(r for r in range(1, 12) if ws.cell(r, 1).value == "Xếp hạng") + 1
        rows = []
        for r in range(first, ws.max_row + 1):
            if not isinstance(ws.cell(r, 1).value, int):
                break
            rows.append((ws.cell(r, 1).value, ws.cell(r, 2).value))
        return rows

    assert book.sheetnames[:2] == ["Khối sở, ban, ngành", "Khối đơn vị sự nghiệp"]
    assert listed("Khối sở, ban, ngành") == [(1, "SNV"), (2, "STC")]
    assert listed("Khối đơn vị sự nghiệp") == [(1, "SXD"), (2, "BVDN"), (3, "DRT")]
    awards = book["Khen thưởng"]
    header = next(r for r in range(1, 12) if awards.cell(r, 1).value == "STT")
    assert [(awards.cell(r, 2).value, awards.cell(r, 4).value) for r in range(header + 1, header + 4)] == [
        ("SNV", "Khối sở, ban, ngành"),
        ("SXD", "Khối đơn vị sự nghiệp"),
        ("BVDN", "Khối đơn vị sự nghiệp"),
    ]


def _saved(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_changing_the_group_records_the_reason_and_outdates_the_results():
    two = build_two_subjects(moved=False)
    vtlt = two.periods[VTLT]
    results_compute(period=vtlt)

    assessment = assessment_group_set(
        user=two.council,
        assessment=two.assessments[(VTLT, "SXD")],
        group=two.groups["SN"],
        reason="  Quản lý kho lưu trữ chuyên dụng ",
    )

    assert assessment.group.code == "SN"
    latest = assessment.history.latest()
    assert (latest.group_id, latest.history_user, latest.history_change_reason) == (
        two.groups["SN"].pk,
        two.council,
        # Recorded in the site's language.
        "Khối trong kỳ: Khối đơn vị sự nghiệp — Quản lý kho lưu trữ chuyên dụng",
    )
    vtlt.refresh_from_db()
    assert (vtlt.results_computed_at, vtlt.results_fingerprint) == (None, "")
    assert vtlt.results_outdated_reason == "khối của Sở Xây dựng"
    # The other subject keeps its group.
    assert two.assessment(CCHC, "SXD").group.code == "SBN"


def test_the_same_group_again_changes_nothing():
    two = build_two_subjects()
    before = two.assessment(VTLT, "SXD").history.count()

    assessment_group_set(
        user=two.council, assessment=two.assessments[(VTLT, "SXD")], group=two.groups["SN"], reason="Lại"
    )

    assert two.assessment(VTLT, "SXD").history.count() == before


def test_a_reason_is_required():
    two = build_two_subjects(moved=False)

    with pytest.raises(ServiceError) as refused:
        assessment_group_set(
            user=two.council, assessment=two.assessments[(VTLT, "SXD")], group=two.groups["SN"], reason="  "
        )

    assert refused.value.messages == ["Write the reason for putting Sở Xây dựng in another group."]
    assert two.assessment(VTLT, "SXD").group.code == "SBN"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.COUNCIL, True), (Role.ADMIN, True), (Role.REVIEWER, False), (Role.VIEWER, False)],
)
def test_the_council_and_administrators_change_groups(role, allowed):
    two = build_two_subjects(moved=False)
    user = UserFactory(username="nguoidung", role=role)

    def change():
        assessment_group_set(
            user=user, assessment=two.assessments[(VTLT, "SXD")], group=two.groups["SN"], reason="Lý do"
        )

    if allowed:
        change()
    else:
        with pytest.raises(PermissionDenied):
            change()
    assert two.assessment(VTLT, "SXD").group.code == ("SN" if allowed else "SBN")


def refusal_after(two, step) -> str:
    step(two)
    with override("vi"), pytest.raises(PermissionDenied) as refused:
        assessment_group_set(
            user=two.council, assessment=two.assessments[(VTLT, "STC")], group=two.groups["SN"], reason="x"
        )
    return str(refused.value)


def _approve(two):
    results_compute(period=two.periods[VTLT])
    results_approve(user=two.council, period=two.periods[VTLT])


def _publish(two):
    _approve(two)
    period_publish(user=two.council, period=two.periods[VTLT])


VIETNAMESE_REFUSAL = (
    "Chỉ hội đồng thẩm định hoặc quản trị viên được đổi khối của đơn vị trong một kỳ, "
    "trước khi danh sách khen thưởng được phê duyệt hoặc kết quả được công bố."
)


@pytest.mark.parametrize("step", [_approve, _publish], ids=["award list approved", "published"])
def test_no_change_once_the_award_list_is_approved_or_published(step):
    two = build_two_subjects(moved=False)

    assert refusal_after(two, step) == VIETNAMESE_REFUSAL
    assert two.assessment(VTLT, "STC").group.code == "SBN"


def test_a_change_of_the_usual_group_moves_the_assessments_that_followed_it():
    two = build_two_subjects()
    agency = Agency.objects.get(code="SXD")
    Period.objects.filter(pk=two.periods[CCHC].pk).update(phase=Phase.PUBLISHED, published_at=timezone.now())
    other = two.groups["SN"]
    third = type(other).objects.create(code="QH", name="Khối quận, huyện", order=3)

    agency.group = third
    agency.save()
    moved = assessments_follow_usual_group(agency=agency, previous_group_id=two.groups["SBN"].pk, user=None)

    # CCHC is published (frozen); VTLT was chosen by the council: both stay.
    assert moved == 0
    assert two.assessment(CCHC, "SXD").group.code == "SBN"
    assert two.assessment(VTLT, "SXD").group.code == "SN"

    Period.objects.filter(pk=two.periods[CCHC].pk).update(phase=Phase.FINALIZATION)
    agency.group = two.groups["SBN"]
    agency.save()
    Assessment.objects.filter(pk=two.assessments[(CCHC, "SXD")].pk).update(group=third)
    moved = assessments_follow_usual_group(agency=agency, previous_group_id=third.pk, user=None)

    assert moved == 1
    assert two.assessment(CCHC, "SXD").group.code == "SBN"
    assert two.assessment(CCHC, "SXD").history.latest().history_change_reason == "Theo khối thường của đơn vị"


def test_the_agency_report_compares_with_the_group_of_the_period():
    two = build_two_subjects()
    for subject in (CCHC, VTLT):
        results_compute(period=two.periods[subject])

    vtlt = agency_report(period=two.periods[VTLT], agency=two.agencies["SXD"])
    cchc = agency_report(period=two.periods[CCHC], agency=two.agencies["SXD"])

    # VTLT, SN: totals 75, 72 and 64, indices 93,75, 90 and 80.
    assert (vtlt.group_size, vtlt.total.final, vtlt.total.maximum) == (3, D("75"), D("80"))
    assert (vtlt.total.group_average, vtlt.total.group_best) == (D(211) / 3, D("75"))
    assert vtlt.index.group_average == (D("93.75") + D("90") + D("80")) / 3
    # The report's own sheet counts the leaves of SN (1.1 and 1.3), as the results did.
    assert [row.criterion.code for row in vtlt.sheet.leaves] == ["1.1", "1.3"]
    assert vtlt.current
    # CCHC, SBN: totals 95, 90 and 80.
    assert (cchc.group_size, cchc.total.final, cchc.total.group_average) == (3, D("95"), D("265") / 3)
    assert [row.criterion.code for row in cchc.sheet.leaves] == ["1.1", "1.2"]
    assert cchc.current
