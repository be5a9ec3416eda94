"""Score entry as fast as a spreadsheet: the grids of the agency, the reviewer and the council.

Sở Nội vụ self-assesses 30 leaves of 10 points (three fields of ten) in the grid, with the
keyboard only: it types the first ten scores, Enter or ↓ between them, Tab to a note and back;
then it pastes twenty rows copied from Excel (CRLF, a trailing newline, decimal commas and
points, some rows with a note in a second column) into the 11th score. One pasted score is too
large: its row shows the refusal in Vietnamese and the rest are saved; the officer types the
right value over it. Every one of the 30 values is then read from the database.

The reviewer appraises ten leaves with the keyboard, a comment where the score differs. The
council pastes a block of 20 agencies × 4 survey criteria and saves it: all 80 are stored.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from ranking.enums import AssessmentStatus, Method, Phase
from ranking.models import Criterion, Score
from tests.e2e.pages import Browsing, navigate
from tests.factories import AgencyFactory, AgencyGroupFactory, AssessmentFactory, PeriodFactory, UserFactory

S = AssessmentStatus

# The ten scores typed one by one (leaves 1.1 to 1.10), as an officer types them.
TYPED = ["7,5", "10", "8.25", "0", "9", "6,5", "10", "4", "3,75", "5"]
# Twenty rows copied from Excel for leaves 2.1 to 3.10: score, or score<TAB>note.
PASTED = [
    ("8", ""),
    ("9,5", "Có kế hoạch"),
    ("7.5", ""),
    ("10", ""),
    ("6", "Báo cáo quý"),
    ("5,25", ""),
    ("12", ""),  # too large: refused, typed again below
    ("4", ""),
    ("3", ""),
    ("2,5", ""),
    ("1", ""),
    ("0", "Không đạt"),
    ("9", ""),
    ("8,75", ""),
    ("7", ""),
    ("6.5", ""),
    ("5", ""),
    ("4,5", ""),
    ("3,25", "Đạt một phần"),
    ("10", ""),
]


def paste(page, locator, text: str) -> None:
    """Paste `text` into `locator` as the browser does with Ctrl+V from a spreadsheet."""
    locator.focus()
    locator.evaluate(
        """(input, text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            const options = {clipboardData: data, bubbles: true, cancelable: true};
            input.dispatchEvent(new ClipboardEvent("paste", options));
        }""",
        text,
    )


def self_assessment_year():
    period = PeriodFactory(
        year=2026,
        phase=Phase.SELF_ASSESSMENT,
        self_assessment_deadline=timezone.localdate() + datetime.timedelta(days=20),
    )
    group = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành")
    agency = AgencyFactory(code="SNV", name="Sở Nội vụ", group=group)
    UserFactory(username="canbo", role=Role.OFFICER, agency=agency, last_name="Lê", first_name="Hoa")
    leaves = []
    for f in (1, 2, 3):
        field = Criterion.objects.create(period=period, code=str(f), title=f"Lĩnh vực {f}")
        for n in range(1, 11):
            leaves.append(
                Criterion.objects.create(
                    period=period,
                    parent=field,
                    code=f"{f}.{n}",
                    title=f"Tiêu chí {f}.{n}",
                    max_points=Decimal(10),
                    step=Decimal("0.25"),
                )
            )
    assessment = AssessmentFactory(period=period, agency=agency)
    return assessment, leaves


def wait_saved(page, count: int) -> None:
    expect(page.locator("tr[data-row].is-saving")).to_have_count(0)
    expect(page.locator("tr[data-row].is-saved")).to_have_count(count)


@pytest.mark.e2e
@pytest.mark.xdist_group("browser")
@pytest.mark.django_db(transaction=True)
def test_the_agency_fills_30_leaves_with_the_keyboard_and_one_paste(
    browser, live_server, screenshots, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assessment, leaves = self_assessment_year()
    people = Browsing(browser, live_server.url, screenshots)
    try:
        page = people.sign_in("canbo", "Lê Hoa")
        navigate(page, lambda: page.goto(f"/danh-gia/{assessment.pk}/"))
        expect(page.locator("table[data-grid=self] tr[data-row]")).to_have_count(30)
        expect(page.locator("#grid-totals [data-progress=scored]")).to_have_text("Đã chấm 0/30 tiêu chí")

        # Ten scores typed: Enter after the even ones, ↓ after the odd ones; a note on 1.2 and 1.5.
        page.get_by_label("Điểm tự đánh giá 1.1", exact=True).click()
        for index, value in enumerate(TYPED):
            page.keyboard.type(value)
            if index in (1, 4):
                page.keyboard.press("Tab")
                expect(page.get_by_label(f"Ghi chú 1.{index + 1}", exact=True)).to_be_focused()
                page.keyboard.type(f"Ghi chú {index + 1}")
                page.keyboard.press("Shift+Tab")
                expect(page.get_by_label(f"Điểm tự đánh giá 1.{index + 1}", exact=True)).to_be_focused()
            page.keyboard.press("Enter" if index % 2 == 0 else "ArrowDown")
        expect(page.get_by_label("Điểm tự đánh giá 2.1", exact=True)).to_be_focused()
        # ↑ goes back up the column, across the field's header row.
        page.keyboard.press("ArrowUp")
        expect(page.get_by_label("Điểm tự đánh giá 1.10", exact=True)).to_be_focused()
        page.keyboard.press("ArrowDown")
        wait_saved(page, 10)

        block = "".join(f"{score}\t{note}\r\n" if note else f"{score}\r\n" for score, note in PASTED)
        paste(page, page.get_by_label("Điểm tự đánh giá 2.1", exact=True), block)
        wait_saved(page, 29)
        refused = page.locator(f"#row-{leaves[16].pk}")
        expect(refused).to_have_class("is-error")
        expect(refused.get_by_role("alert")).to_contain_text("10")
        expect(page.get_by_label("Điểm tự đánh giá 2.7", exact=True)).to_have_value("12")

        # The officer types the right value over the refused one.
        fix = page.get_by_label("Điểm tự đánh giá 2.7", exact=True)
        fix.click()
        fix.fill("")
        page.keyboard.type("6,75")
        page.keyboard.press("Enter")
        wait_saved(page, 30)
        expect(page.locator("#grid-totals [data-progress=scored]")).to_have_text("Đã chấm 30/30 tiêu chí")
        expect(page.locator("#grid-totals [data-progress=total]")).to_have_text("181,5")
        expect(page.locator("#grid-totals [data-progress=index]")).to_have_text("60,50")
        people.shot(page, "score-grid.png")

        # The filter "chưa chấm" hides every row now that all are scored.
        page.get_by_role("button", name="chưa chấm").click()
        expect(page.locator("tr[data-row]:visible")).to_have_count(0)
        page.get_by_role("button", name="chưa chấm").click()
        expect(page.locator("tr[data-row]:visible")).to_have_count(30)

        # Jump to a field: its first score box takes the focus.
        page.get_by_label("Đến lĩnh vực").select_option(f"gfield-{leaves[20].parent_id}")
        expect(page.get_by_label("Điểm tự đánh giá 3.1", exact=True)).to_be_focused()

        # Details one click away: the leaf's card opens below its row.
        page.get_by_label("Chi tiết 1.1", exact=True).click()
        expect(page.locator(f"#details-{leaves[0].pk}")).to_contain_text("Tài liệu kiểm chứng")

        navigate(page, lambda: page.goto(f"/danh-gia/{assessment.pk}/in/"))
        people.shot(page, "self-assessment-print.png")
        assert people.errors == []
    finally:
        people.close()

    expected = {}
    for index, value in enumerate(TYPED):
        expected[f"1.{index + 1}"] = (
            Decimal(value.replace(",", ".")),
            f"Ghi chú {index + 1}" if index in (1, 4) else "",
        )
    for index, (value, note) in enumerate(PASTED):
        code = f"{2 + index // 10}.{index % 10 + 1}"
        expected[code] = (Decimal(value.replace(",", ".")), note)
    expected["2.7"] = (Decimal("6.75"), "")
    stored = {
        s.criterion.code: (s.self_score, s.note)
        for s in Score.objects.filter(assessment=assessment).select_related("criterion")
    }
    assert stored == expected
    assert sum(value for value, _note in expected.values()) == Decimal("181.5")


@pytest.mark.e2e
@pytest.mark.xdist_group("browser")
@pytest.mark.django_db(transaction=True)
def test_the_reviewer_appraises_in_the_grid_with_the_keyboard(browser, live_server, screenshots, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    period = PeriodFactory(year=2026, phase=Phase.APPRAISAL)
    group = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành")
    agency = AgencyFactory(code="STP", name="Sở Tư pháp", group=group)
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER, last_name="Võ", first_name="Tuấn")
    field = Criterion.objects.create(period=period, code="1", title="Công tác chỉ đạo CCHC")
    leaves = [
        Criterion.objects.create(
            period=period, parent=field, code=f"1.{n}", title=f"Tiêu chí 1.{n}", max_points=Decimal(2)
        )
        for n in range(1, 11)
    ]
    opened = timezone.now() - datetime.timedelta(hours=1)
    assessment = AssessmentFactory(
        period=period,
        agency=agency,
        reviewer=reviewer,
        status=S.IN_REVIEW,
        submitted_at=opened,
        review_opened_at=opened,
    )
    for leaf in leaves:
        Score.objects.create(assessment=assessment, criterion=leaf, self_score=Decimal(2))
    reviewed = ["2", "1,5", "2", "2", "0,5", "2", "2", "1", "2", "2"]
    people = Browsing(browser, live_server.url, screenshots)
    try:
        page = people.sign_in("thamdinh", "Võ Tuấn")
        navigate(page, lambda: page.goto(f"/tham-dinh/{assessment.pk}/"))
        expect(page.locator("table[data-grid=review] tr[data-row]")).to_have_count(10)
        expect(page.locator(f"#row-{leaves[0].pk} [data-score=self]")).to_have_text("2")
        page.get_by_label("Điểm thẩm định 1.1", exact=True).click()
        for index, value in enumerate(reviewed):
            page.keyboard.type(value)
            if value != "2":
                page.keyboard.press("Tab")
                page.keyboard.type(f"Thiếu minh chứng {index + 1}")
                page.keyboard.press("Shift+Tab")
            page.keyboard.press("Enter")
        wait_saved(page, 10)
        expect(page.locator("#review-totals [data-total=reviewed]")).to_have_text("17,00")
        page.get_by_role("button", name="điểm khác tự đánh giá").click()
        expect(page.locator("tr[data-row]:visible")).to_have_count(3)
        page.get_by_role("button", name="điểm khác tự đánh giá").click()
        people.shot(page, "review-grid.png")
        assert people.errors == []
    finally:
        people.close()
    stored = {
        s.criterion.code: (s.reviewed_score, s.review_comment)
        for s in Score.objects.filter(assessment=assessment).select_related("criterion")
    }
    assert stored == {
        f"1.{index + 1}": (
            Decimal(value.replace(",", ".")),
            "" if value == "2" else f"Thiếu minh chứng {index + 1}",
        )
        for index, value in enumerate(reviewed)
    }


@pytest.mark.e2e
@pytest.mark.xdist_group("browser")
@pytest.mark.django_db(transaction=True)
def test_the_council_pastes_20_agencies_by_4_survey_scores(browser, live_server, screenshots, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    period = PeriodFactory(year=2026, code="CCHC-2026", phase=Phase.FINALIZATION)
    group = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành")
    UserFactory(username="hoidong", role=Role.COUNCIL, last_name="Nguyễn", first_name="Hoa")
    field = Criterion.objects.create(period=period, code="5", title="Điều tra xã hội học")
    leaves = [
        Criterion.objects.create(
            period=period,
            parent=field,
            code=f"5.{n}",
            title=f"Khảo sát 5.{n}",
            max_points=Decimal(5),
            method=Method.SURVEY,
        )
        for n in range(1, 5)
    ]
    for n in range(1, 21):
        agency = AgencyFactory(code=f"D{n:02d}", name=f"Đơn vị {n:02d}", group=group)
        AssessmentFactory(period=period, agency=agency, status=S.APPROVED)
    # Row r, column c: (r * 4 + c) % 21 quarters of a point, written with a comma or a point.
    values = [[Decimal((r * 4 + c) % 21) / 4 for c in range(4)] for r in range(20)]

    def cell(value: Decimal, column: int) -> str:
        text = format(value.normalize(), "f")
        return text.replace(".", ",") if column % 2 else text

    block = "\r\n".join("\t".join(cell(v, c) for c, v in enumerate(row)) for row in values) + "\r\n"
    people = Browsing(browser, live_server.url, screenshots)
    try:
        page = people.sign_in("hoidong", "Nguyễn Hoa")
        navigate(page, lambda: page.goto("/hoi-dong/CCHC-2026/dieu-tra/"))
        names = page.locator("table[data-grid=survey] tbody th").all_inner_texts()
        order = [name.split()[2] for name in names]
        first = page.get_by_label(f"Đơn vị {order[0]} — 5.1", exact=True)
        paste(page, first, block)
        last = page.get_by_label(f"Đơn vị {order[19]} — 5.4", exact=True)
        expect(last).to_have_value(cell(values[19][3], 3))
        # Enter and ↑ move in the column.
        page.keyboard.press("ArrowUp")
        expect(page.get_by_label(f"Đơn vị {order[18]} — 5.1", exact=True)).to_be_focused()
        people.shot(page, "survey-grid.png")
        navigate(page, lambda: page.get_by_role("button", name="Lưu điểm điều tra xã hội học").click())
        expect(page.locator(".alert-success")).to_contain_text("80")
        assert people.errors == []
    finally:
        people.close()
    stored = {
        (s.assessment.agency.name.split()[2], s.criterion.code): s.final_score
        for s in Score.objects.filter(assessment__period=period).select_related(
            "assessment__agency", "criterion"
        )
    }
    assert stored == {(order[r], leaves[c].code): values[r][c] for r in range(20) for c in range(4)}
