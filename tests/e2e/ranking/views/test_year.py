"""One whole year of CCHC in the browser, from the officer's first score to the public page.

Sở Nội vụ (A) and Sở Tài chính (B) are both in the group Sở, ban, ngành. The criteria set
has two fields of 10 points each, maximum 20:

    1.1  number, max 4, step 0.5           A self 3.5  reviewed 2.5 (comment)       final 2.5
    1.2  number, max 3, evidence required  A self 3    + PDF                         final 3
    1.3  choice 3 / 1.5 / 0                A self 3                                  final 3
    2.1  number, max 6, step 0.5           A self 5.5  reviewed 4 (comment),
                                           explained, proposed 5.5, accepted         final 5.5
    2.2  number, max 4, step 0.5           A self 4                                  final 4

A, as the officer fills it: 3.5 → 6.5 → 9.5 → 15 → 19 of 20, index 17.50 → 32.50 → 47.50 →
75.00 → 95.00. Reviewed: 19 − 1 − 1.5 = 16.5, index 82.50. Final after the accepted
explanation: 18 of 20, index 90.00 exactly — the lower bound of "Rất tốt", which counts.
Fields: 1 = 2.5 + 3 + 3 = 8.5, 2 = 5.5 + 4 = 9.5.

B (set up through the services, reviewed by the council at its self-scores): 3 + 2.5 + 1.5 +
6 + 4 = 17 of 20, index 85.00, "Tốt"; fields 7 and 10.

Ranking of the group: 1. Sở Nội vụ 90.00 Rất tốt, 2. Sở Tài chính 85.00 Tốt; tier counts
"1 Rất tốt, 1 Tốt"; certificates (from "Rất tốt"): Sở Nội vụ.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from ranking.assessments.appraisal import assessment_mark_reviewed, score_review_set
from ranking.assessments.services import assessment_submit, score_self_set
from ranking.enums import AssessmentStatus, Method, Phase
from ranking.models import Assessment, Criterion, Publication, Result, Score
from tests.e2e.pages import Browsing, htmx_post, navigate
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    PeriodFactory,
    UserFactory,
    make_tiers,
)

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
CODE = "CCHC-2026"
NAME = "CCHC 2026"

# The questions the confirmation dialogs ask.
CONFIRM_SUBMIT = "Gửi kết quả tự đánh giá ngay bây giờ? Sau khi gửi, hồ sơ chỉ có thể xem."
CONFIRM_FIELD = (
    "Lấy điểm tự đánh giá làm điểm thẩm định cho các tiêu chí chưa thẩm định của lĩnh vực này? "
    "Các tiêu chí đã thẩm định được giữ nguyên."
)
# Each phase change says what the move does (issue 11 §2).
CONFIRM_TO_APPRAISAL = (
    "Chuyển sang giai đoạn Thẩm định: đơn vị không sửa tự đánh giá được nữa, trừ bản bị trả lại."
)
CONFIRM_TO_EXPLANATION = (
    "Chuyển sang giai đoạn Giải trình: đơn vị không sửa tự đánh giá được nữa và chuyên viên không thẩm "
    "định được nữa; đơn vị giải trình trên kết quả thẩm định đã phê duyệt."
)
CONFIRM_TO_FINALIZATION = (
    "Chuyển sang giai đoạn Hoàn thiện kết quả: đơn vị không giải trình được nữa; kết quả thẩm định đã "
    "phê duyệt mà không có giải trình trở thành kết quả cuối cùng."
)
CONFIRM_APPROVE = (
    "Phê duyệt kết quả thẩm định của {agency}: đơn vị sẽ thấy điểm thẩm định và được giải trình; "
    "đã phê duyệt thì không hoàn tác được."
)
CONFIRM_DECIDE = (
    "Quyết định về giải trình tiêu chí 2.1: quyết định chốt điểm cuối cùng; quyết định giải trình cuối "
    "cùng sẽ hoàn tất bản đánh giá."
)
CONFIRM_EXPLANATION = (
    "Gửi giải trình cho chuyên viên thẩm định? "
    "Nếu không có giải trình nào, điểm thẩm định sẽ là điểm cuối cùng."
)
CONFIRM_PUBLISH = "Công bố kết quả? Kết quả sẽ được khóa và tất cả đơn vị được thông báo qua thư điện tử."


@pytest.fixture
def media(settings, tmp_path):
    """Evidence files go to a temporary folder; passwords are hashed quickly."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def fresh(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_related("period", "agency__group").get(pk=assessment.pk)


class Year:
    """The period, the criteria tree, the two agencies and the people, made with the ORM."""

    def __init__(self):
        today = timezone.localdate()
        self.period = PeriodFactory(
            year=2026,
            code=CODE,
            name=NAME,
            phase=Phase.SELF_ASSESSMENT,
            award_from_tier="Rất tốt",
            self_assessment_deadline=today + datetime.timedelta(days=20),
            appraisal_deadline=today + datetime.timedelta(days=30),
            explanation_deadline=today + datetime.timedelta(days=40),
        )
        make_tiers(self.period)  # Rất tốt ≥ 90, Tốt ≥ 80, Khá ≥ 70, Trung bình ≥ 50, Yếu
        self.group = AgencyGroupFactory(code="SBN", name="Sở, ban, ngành")
        self.agency_a = AgencyFactory(code="SNV", name="Sở Nội vụ", group=self.group)
        self.agency_b = AgencyFactory(code="STC", name="Sở Tài chính", group=self.group)

        self.officer = UserFactory(
            username="canbo.snv",
            role=Role.OFFICER,
            agency=self.agency_a,
            last_name="Lê",
            first_name="Thị Hoa",
        )
        self.head = UserFactory(
            username="lanhdao.snv",
            role=Role.HEAD,
            agency=self.agency_a,
            last_name="Phạm",
            first_name="Văn Nam",
        )
        self.head_b = UserFactory(
            username="lanhdao.stc", role=Role.HEAD, agency=self.agency_b, last_name="Đỗ", first_name="Thu Hà"
        )
        self.reviewer = UserFactory(
            username="thamdinh", role=Role.REVIEWER, last_name="Võ", first_name="Minh Tuấn"
        )
        self.council = UserFactory(
            username="hoidong", role=Role.COUNCIL, last_name="Trần", first_name="Quốc Bảo"
        )

        field1 = self.criterion("1", "Công tác chỉ đạo, điều hành CCHC")
        field2 = self.criterion("2", "Cải cách thủ tục hành chính")
        self.leaves = {
            "1.1": self.criterion(
                "1.1",
                "Ban hành kế hoạch CCHC năm",
                parent=field1,
                max_points=Decimal("4"),
                step=Decimal("0.5"),
                guidance="Ban hành trước ngày 31/12 năm trước: 4 điểm; chậm: 2 điểm.",
            ),
            "1.2": self.criterion(
                "1.2",
                "Báo cáo CCHC định kỳ",
                parent=field1,
                max_points=Decimal("3"),
                step=Decimal("0.5"),
                evidence_required=True,
            ),
            "1.3": self.criterion(
                "1.3",
                "Tỷ lệ hoàn thành nhiệm vụ CCHC",
                parent=field1,
                method=Method.CHOICE,
                max_points=Decimal("3"),
                options=[["Hoàn thành 100%", "3"], ["Từ 80% đến dưới 100%", "1.5"], ["Dưới 80%", "0"]],
            ),
            "2.1": self.criterion(
                "2.1",
                "Công khai thủ tục hành chính",
                parent=field2,
                max_points=Decimal("6"),
                step=Decimal("0.5"),
            ),
            "2.2": self.criterion(
                "2.2",
                "Giải quyết hồ sơ đúng hạn",
                parent=field2,
                max_points=Decimal("4"),
                step=Decimal("0.5"),
            ),
        }
        self.field1, self.field2 = field1, field2

        self.a = AssessmentFactory(period=self.period, agency=self.agency_a, reviewer=self.reviewer)
        self.b = AssessmentFactory(period=self.period, agency=self.agency_b, reviewer=self.council)
        self.b_scored_and_reviewed()

    def criterion(self, code: str, title: str, **fields) -> Criterion:
        fields.setdefault("max_points", None)
        return Criterion.objects.create(period=self.period, code=code, title=title, **fields)

    def id(self, code: str) -> int:
        return self.leaves[code].id

    def b_scored_and_reviewed(self) -> None:
        """B self-assesses 17 of 20 and is appraised at its self-scores, through the services."""
        scores = {"1.1": "3", "1.2": "2.5", "1.3": "1.5", "2.1": "6", "2.2": "4"}
        for code, value in scores.items():
            score_self_set(
                user=self.head_b,
                assessment=fresh(self.b),
                criterion_id=self.id(code),
                value=Decimal(value),
                no_evidence_reason="Báo cáo gửi qua hệ thống quản lý văn bản." if code == "1.2" else "",
            )
        assessment_submit(user=self.head_b, assessment=fresh(self.b))
        for code, value in scores.items():
            score_review_set(
                user=self.council, assessment=fresh(self.b), criterion_id=self.id(code), value=Decimal(value)
            )
        assessment_mark_reviewed(user=self.council, assessment=fresh(self.b))
        assert fresh(self.b).status == AssessmentStatus.REVIEWED


def status_of(page, value: str):
    return page.locator(f'[data-status="{value}"]').first


@pytest.mark.e2e
@pytest.mark.xdist_group("browser")
@pytest.mark.django_db(transaction=True)
def test_a_whole_year_in_the_browser(browser, live_server, screenshots, tmp_path, media):
    year = Year()
    a = year.a
    ids = {code: year.id(code) for code in year.leaves}
    pdf = tmp_path / "bao-cao-cchc-2026.pdf"
    pdf.write_bytes(PDF)
    explanation_pdf = tmp_path / "danh-sach-thu-tuc-cong-khai.pdf"
    explanation_pdf.write_bytes(PDF)
    people = Browsing(browser, live_server.url, screenshots)
    try:
        officer_fills(people, year, ids, pdf)
        head_submits(people, year)
        reviewer_adjusts(people, year, ids)
        council_approves_appraisal(people, year)
        agency_explains(people, year, ids, explanation_pdf)
        reviewer_accepts(people, year, ids)
        council_finalizes_and_publishes(people, year)
        public_sees_results(people, year)
    finally:
        people.close()
    assert people.errors == [], people.errors
    # Every step that cannot be undone asked first, in this order.
    assert people.dialogs == [
        CONFIRM_SUBMIT,
        CONFIRM_FIELD,
        CONFIRM_FIELD,
        CONFIRM_TO_APPRAISAL,
        CONFIRM_APPROVE.format(agency="Sở Nội vụ"),
        CONFIRM_APPROVE.format(agency="Sở Tài chính"),
        CONFIRM_TO_EXPLANATION,
        CONFIRM_EXPLANATION,
        CONFIRM_DECIDE,
        CONFIRM_TO_FINALIZATION,
        CONFIRM_PUBLISH,
    ]

    # What the screens showed is what was stored.
    final = dict(Score.objects.filter(assessment=a).values_list("criterion__code", "final_score"))
    assert final == {
        "1.1": Decimal("2.5"),
        "1.2": Decimal("3"),
        "1.3": Decimal("3"),
        "2.1": Decimal("5.5"),
        "2.2": Decimal("4"),
    }
    ranks = {
        r.agency.code: (r.rank, r.index, r.tier.label)
        for r in Result.objects.filter(period=year.period).select_related("agency", "tier")
    }
    assert ranks == {"SNV": (1, Decimal("90"), "Rất tốt"), "STC": (2, Decimal("85"), "Tốt")}
    assert Publication.objects.filter(period=year.period, version=1).count() == 1


# --- 1. the officer fills the self-assessment -------------------------------------------------


def officer_fills(people: Browsing, year: Year, ids: dict[str, int], pdf) -> None:
    a = year.a
    page = people.sign_in("canbo.snv", "Lê Thị Hoa", screenshot="01-login.png")
    item = page.locator(f'[data-assessment="{a.pk}"]')
    expect(item.get_by_role("link", name=NAME)).to_be_visible()
    expect(item.locator(".status-badge")).to_have_text("Đang soạn")
    expect(item.locator(".progress-text")).to_have_text("đã chấm 0/5")
    expect(item.locator(".countdown")).to_have_text("còn 20 ngày")
    people.shot(page, "02-officer-home.png")

    navigate(page, lambda: item.get_by_role("link", name=NAME).click())
    expect(page).to_have_url(f"{people.base_url}/danh-gia/{a.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sở Nội vụ")
    expect(status_of(page, "draft")).to_have_text("Đang soạn")
    # The page opens as the grid; this walk-through fills the detailed cards.
    navigate(page, lambda: page.get_by_role("link", name="Xem chi tiết").click())
    progress = page.locator("#progress")
    expect(progress.locator('[data-progress="scored"]')).to_have_text("Đã chấm 0/5 tiêu chí")
    expect(progress.locator('[data-progress="total"]')).to_have_text("0")
    expect(progress.locator('[data-progress="maximum"]')).to_have_text("20")
    expect(progress.locator('[data-progress="index"]')).to_have_text("0,00")

    def save_number(code: str, typed: str) -> None:
        box = page.locator(f"#value-{ids[code]}")
        box.fill(typed)
        htmx_post(page, f"/danh-gia/{a.pk}/diem/{ids[code]}/", lambda: box.press("Tab"))
        expect(page.locator(f"#leaf-{ids[code]}-status [data-saved]")).to_have_text("Đã lưu")

    def shows(scored: int, total: str, index: str) -> None:
        expect(progress.locator('[data-progress="scored"]')).to_have_text(f"Đã chấm {scored}/5 tiêu chí")
        expect(progress.locator('[data-progress="total"]')).to_have_text(total)
        expect(progress.locator('[data-progress="maximum"]')).to_have_text("20")
        expect(progress.locator('[data-progress="index"]')).to_have_text(index)

    save_number("1.1", "3,5")
    shows(1, "3,5", "17,50")
    expect(page.locator(f"#subtotal-{year.field1.id}")).to_have_text(re.compile(r": 3,5 / 10$"))

    save_number("1.2", "3")
    shows(2, "6,5", "32,50")
    expect(progress.locator('[data-progress="missing-evidence"]')).to_have_text(
        "1 tiêu chí thiếu tài liệu kiểm chứng"
    )

    leaf12 = page.locator(f"#leaf-{ids['1.2']}")
    leaf12.locator(f"#file-self-{ids['1.2']}").set_input_files(str(pdf))
    htmx_post(
        page,
        f"/danh-gia/{a.pk}/minh-chung/{ids['1.2']}/",
        lambda: leaf12.locator("form.upload-form").get_by_role("button", name="Tải lên").click(),
    )
    expect(leaf12.get_by_role("link", name="bao-cao-cchc-2026.pdf")).to_be_visible()
    expect(progress.locator('[data-progress="missing-evidence"]')).to_have_count(0)
    shows(2, "6,5", "32,50")

    choice = page.locator(f"#value-{ids['1.3']}")
    htmx_post(
        page,
        f"/danh-gia/{a.pk}/diem/{ids['1.3']}/",
        lambda: choice.select_option(label="Hoàn thành 100% (3)"),
    )
    expect(page.locator(f"#leaf-{ids['1.3']}-status [data-saved]")).to_have_text("Đã lưu")
    shows(3, "9,5", "47,50")
    expect(page.locator(f"#subtotal-{year.field1.id}")).to_have_text(re.compile(r": 9,5 / 10$"))

    save_number("2.1", "5,5")
    shows(4, "15", "75,00")
    save_number("2.2", "4")
    shows(5, "19", "95,00")
    expect(page.locator(f"#subtotal-{year.field2.id}")).to_have_text(re.compile(r": 9,5 / 10$"))

    # A note is saved after a pause in typing, without leaving the field.
    note = page.locator(f"#note-{ids['2.2']}")
    htmx_post(
        page,
        f"/danh-gia/{a.pk}/diem/{ids['2.2']}/",
        lambda: note.fill("98% hồ sơ được giải quyết đúng hạn theo số liệu một cửa."),
    )
    expect(page.locator(f"#leaf-{ids['2.2']}-status [data-saved]")).to_have_text("Đã lưu")
    shows(5, "19", "95,00")
    people.shot(page, "03-officer-assessment.png")

    # Only the head may submit: the officer's check page says so.
    navigate(page, lambda: page.get_by_role("link", name="Kiểm tra nội dung còn thiếu").click())
    expect(page.locator("[data-head-only]")).to_have_text(
        "Chỉ lãnh đạo đơn vị được gửi kết quả tự đánh giá. "
        "Vui lòng báo lãnh đạo đơn vị rằng hồ sơ đã sẵn sàng."
    )


# --- 2. the head submits ----------------------------------------------------------------------


def head_submits(people: Browsing, year: Year) -> None:
    a = year.a
    page = people.sign_in("lanhdao.snv", "Phạm Văn Nam")
    item = page.locator(f'[data-assessment="{a.pk}"]')
    expect(item.locator(".progress-text")).to_have_text("đã chấm 5/5")
    navigate(page, lambda: item.get_by_role("link", name="Mở").click())
    navigate(page, lambda: page.get_by_role("link", name="Kiểm tra và gửi").click())
    expect(page).to_have_url(f"{people.base_url}/danh-gia/{a.pk}/nop/")
    # The summary (total, index, what is missing) comes first, then the check's outcome.
    expect(page.get_by_role("heading", level=2)).to_have_text(
        ["Tóm tắt trước khi nộp", "Tất cả tiêu chí bắt buộc đã được chấm điểm và có tài liệu kiểm chứng."]
    )
    people.shot(page, "04-head-check.png")

    navigate(page, lambda: page.get_by_role("button", name="Gửi", exact=True).click())
    expect(page).to_have_url(f"{people.base_url}/danh-gia/{a.pk}/")
    expect(page.get_by_role("status").filter(has_text="Đã gửi kết quả tự đánh giá")).to_have_text(
        "Đã gửi kết quả tự đánh giá. Từ nay hồ sơ chỉ có thể xem."
    )
    expect(status_of(page, "submitted")).to_have_text("Đã gửi")
    expect(page.locator("#grid-totals [data-progress='total']")).to_have_text("19")
    expect(page.locator(".leaf-form")).to_have_count(0)
    people.shot(page, "05-head-submitted.png")


# --- 3. the reviewer appraises -----------------------------------------------------------------


def reviewer_adjusts(people: Browsing, year: Year, ids: dict[str, int]) -> None:
    a = year.a
    page = people.sign_in("thamdinh", "Võ Minh Tuấn")
    navigate(page, lambda: page.get_by_role("link", name="Mở danh sách thẩm định").click())
    rows = page.locator("#review-queue tbody tr")
    expect(rows).to_have_count(1)
    row = page.locator(f'[data-queue-row="{a.pk}"]')
    expect(row.locator("td").nth(0)).to_have_text("Sở Nội vụ")
    expect(row.locator("td").nth(1)).to_have_text("Sở, ban, ngành")
    expect(row.locator("td").nth(2)).to_have_text(NAME)
    expect(row.locator("td").nth(3)).to_have_text("Đã gửi")
    expect(row.locator("td").nth(5)).to_have_text("0 / 5")
    people.shot(page, "06-review-queue.png")

    navigate(page, lambda: row.get_by_role("link", name="Thẩm định").click())
    expect(page).to_have_url(f"{people.base_url}/tham-dinh/{a.pk}/")
    # Opening the page changes nothing: the reviewer starts the appraisal (issue 9, item 13).
    expect(status_of(page, "submitted")).to_have_text("Đã gửi")
    navigate(page, lambda: page.get_by_role("button", name="Bắt đầu thẩm định").click())
    expect(page.get_by_role("status").filter(has_text="Đã bắt đầu thẩm định")).to_have_text(
        "Đã bắt đầu thẩm định Sở Nội vụ: đơn vị không thể rút lại hồ sơ đã gửi."
    )
    expect(status_of(page, "in_review")).to_have_text("Đang thẩm định")
    totals = page.locator("#review-totals")
    expect(totals.locator('[data-total="self"]')).to_have_text("19,00")
    expect(totals.locator('[data-index="self"]')).to_have_text("95,00")
    expect(totals.locator('[data-total="reviewed"]')).to_have_text("0,00")
    expect(totals.locator("[data-progress]")).to_have_text("0 / 5")
    navigate(page, lambda: page.get_by_role("link", name="Xem chi tiết").click())
    totals = page.locator("#review-totals")
    expect(
        page.locator(f"#leaf-{ids['1.2']}").get_by_role("link", name="bao-cao-cchc-2026.pdf")
    ).to_be_visible()

    # Accept every self-score of both fields, then lower two with a comment.
    for field, count in (("1", 3), ("2", 2)):
        section = page.locator(f"#field-{field}")
        htmx_post(
            page,
            f"/tham-dinh/{a.pk}/linh-vuc/{field}/chap-nhan/",
            lambda section=section: section.get_by_role(
                "button", name="Chấp nhận điểm tự đánh giá của lĩnh vực này"
            ).click(),
        )
        expect(page.locator(f"#field-{field} .alert-success")).to_have_text(
            f"Lĩnh vực {field}: {count} tiêu chí chưa thẩm định đã nhận điểm tự đánh giá. "
            "Giữ nguyên 0 tiêu chí đã thẩm định."
        )
    expect(totals.locator("[data-progress]")).to_have_text("5 / 5")
    expect(totals.locator('[data-total="reviewed"]')).to_have_text("19,00")

    def adjust(code: str, value: str, comment: str, total: str, index: str, differences: str) -> None:
        leaf = page.locator(f"#leaf-{ids[code]}")
        path = f"/tham-dinh/{a.pk}/diem/{ids[code]}/"
        box = leaf.locator(f"#comment-{ids[code]}")
        box.fill(comment)
        htmx_post(page, path, lambda: box.press("Tab"))
        expect(leaf.get_by_role("status").filter(has_text="Đã lưu")).to_be_visible()
        score = leaf.locator(f"#reviewed-{ids[code]}")
        score.fill(value)
        htmx_post(page, path, lambda: score.press("Tab"))
        expect(totals.locator('[data-total="reviewed"]')).to_have_text(total)
        expect(totals.locator('[data-index="reviewed"]')).to_have_text(index)
        expect(totals.locator("[data-differences]")).to_have_text(differences)
        expect(leaf.locator(f"#reviewed-{ids[code]}")).to_have_value(value)
        expect(leaf.locator(f"#comment-{ids[code]}")).to_have_value(comment)
        expect(leaf.get_by_role("status").filter(has_text="Đã lưu")).to_be_visible()
        expect(leaf).to_have_class(re.compile(r"\bdiffers\b"))

    adjust("1.1", "2,5", "Kế hoạch ban hành chậm so với quy định.", "18,00", "90,00", "1")
    adjust("2.1", "4", "Chưa công khai đủ thủ tục trên cổng dịch vụ công.", "16,50", "82,50", "2")
    expect(page.locator(f"#subtotal-{year.field1.id} [data-subtotal='reviewed']")).to_have_text("8,50")
    expect(page.locator(f"#subtotal-{year.field2.id} [data-subtotal='reviewed']")).to_have_text("8,00")
    people.shot(page, "07-review-detail.png")

    navigate(page, lambda: page.get_by_role("button", name="Hoàn thành thẩm định").click())
    expect(page.get_by_role("status").filter(has_text="Đã thẩm định xong")).to_have_text(
        "Đã thẩm định xong Sở Nội vụ; đang chờ hội đồng thẩm định phê duyệt."
    )
    expect(status_of(page, "reviewed")).to_have_text("Đã thẩm định")
    expect(totals.locator('[data-total="reviewed"]')).to_have_text("16,50")


# --- 4. the council approves and opens the explanation phase ---------------------------------


def open_dashboard(people: Browsing):
    page = people.sign_in("hoidong", "Trần Quốc Bảo")
    period = page.locator(f'section[data-period="{CODE}"]')
    navigate(page, lambda: period.get_by_role("link", name="Mở kỳ đánh giá").click())
    expect(page).to_have_url(f"{people.base_url}/hoi-dong/{CODE}/")
    return page


def change_phase(page, value: str, label: str) -> None:
    page.locator("#phase-select").select_option(value)
    navigate(page, lambda: page.get_by_role("button", name="Chuyển giai đoạn").click())
    expect(page.get_by_role("status").filter(has_text="đã chuyển sang giai đoạn")).to_have_text(
        f"{NAME} đã chuyển sang giai đoạn “{label}”."
    )
    expect(page.locator(".current-phase")).to_have_text(label)


def council_approves_appraisal(people: Browsing, year: Year) -> None:
    page = open_dashboard(people)
    expect(page.locator(".current-phase")).to_have_text("Tự đánh giá")
    change_phase(page, "appraisal", "Thẩm định")
    for assessment, agency in ((year.a, "Sở Nội vụ"), (year.b, "Sở Tài chính")):
        row = page.locator(f'tr[data-assessment="{assessment.pk}"]')
        expect(row.locator(".status-badge")).to_have_text("Đã thẩm định")
        navigate(page, lambda row=row: row.get_by_role("button", name="Phê duyệt thẩm định").click())
        expect(page.get_by_role("status").filter(has_text="Đã phê duyệt kết quả thẩm định")).to_have_text(
            f"Đã phê duyệt kết quả thẩm định của {agency}."
        )
        expect(row.locator(".status-badge")).to_have_text("Đã duyệt kết quả thẩm định")
    change_phase(page, "explanation", "Giải trình")
    people.shot(page, "08-council-dashboard-explanation.png")


# --- 5. the agency explains, the head submits the explanation -------------------------------


def agency_explains(people: Browsing, year: Year, ids: dict[str, int], evidence) -> None:
    a = year.a
    leaf_id = ids["2.1"]
    page = people.sign_in("canbo.snv", "Lê Thị Hoa")
    navigate(page, lambda: page.locator(f'[data-assessment="{a.pk}"]').get_by_role("link", name="Mở").click())
    expect(status_of(page, "approved")).to_have_text("Đã duyệt kết quả thẩm định")
    final = page.locator("[data-final-totals] td")
    expect(final).to_have_text(["16,5", "20", "82,50"])

    leaf = page.locator(f"#leaf-{leaf_id}")
    expect(leaf.locator("[data-reviewed]")).to_have_text("4 có chênh lệch")
    expect(leaf.locator("[data-final]")).to_have_text("4")
    expect(leaf).to_contain_text("Chưa công khai đủ thủ tục trên cổng dịch vụ công.")

    path = f"/danh-gia/{a.pk}/giai-trinh/{leaf_id}/"
    explanation = leaf.locator(f"#explanation-{leaf_id}")
    explanation.fill(
        "Đơn vị đã công khai 100% thủ tục trên cổng dịch vụ công từ tháng 3; danh sách kèm theo."
    )
    htmx_post(page, path, lambda: explanation.press("Tab"))
    expect(page.locator(f"#leaf-{leaf_id}-xstatus [data-saved]")).to_have_text("Đã lưu")
    proposed = leaf.locator(f"#proposed-{leaf_id}")
    proposed.fill("5,5")
    htmx_post(page, path, lambda: proposed.press("Tab"))
    expect(page.locator(f"#leaf-{leaf_id}-xstatus [data-saved]")).to_have_text("Đã lưu")

    leaf.locator(f"#file-explanation-{leaf_id}").set_input_files(str(evidence))
    htmx_post(
        page,
        f"/danh-gia/{a.pk}/minh-chung/{leaf_id}/",
        lambda: leaf.locator("details form.upload-form").get_by_role("button", name="Tải lên").click(),
    )
    expect(leaf.get_by_role("link", name="danh-sach-thu-tuc-cong-khai.pdf")).to_be_visible()
    expect(leaf.locator(f"#explanation-{leaf_id}")).to_have_value(
        "Đơn vị đã công khai 100% thủ tục trên cổng dịch vụ công từ tháng 3; danh sách kèm theo."
    )
    expect(leaf.locator(f"#proposed-{leaf_id}")).to_have_value("5,5")
    people.shot(page, "09-agency-explanation.png")

    head = people.sign_in("lanhdao.snv", "Phạm Văn Nam")
    navigate(head, lambda: head.locator(f'[data-assessment="{a.pk}"]').get_by_role("link", name="Mở").click())
    expect(head.locator(f"#proposed-{leaf_id}")).to_have_value("5,5")
    navigate(head, lambda: head.get_by_role("button", name="Gửi giải trình").click())
    expect(head.get_by_role("status").filter(has_text="Đã gửi giải trình")).to_have_text(
        "Đã gửi giải trình cho chuyên viên thẩm định."
    )
    expect(status_of(head, "explained")).to_have_text("Đã gửi giải trình")
    expect(head.locator(f"#explanation-{leaf_id}")).to_have_count(0)
    navigate(head, lambda: head.get_by_role("link", name="Xem chi tiết").click())
    expect(head.locator(f"#leaf-{leaf_id}")).to_contain_text("Điểm đề nghị: 5,5")


# --- 6. the reviewer accepts the explanation --------------------------------------------------


def reviewer_accepts(people: Browsing, year: Year, ids: dict[str, int]) -> None:
    a = year.a
    leaf_id = ids["2.1"]
    page = people.sign_in("thamdinh", "Võ Minh Tuấn")
    navigate(page, lambda: page.get_by_role("link", name="Mở danh sách thẩm định").click())
    row = page.locator(f'[data-queue-row="{a.pk}"]')
    expect(row.locator("td").nth(3)).to_have_text("Đã gửi giải trình")
    navigate(page, lambda: row.get_by_role("link", name="Quyết định").click())

    panel = page.locator(f"#explanation-{leaf_id}")
    expect(panel.locator("[data-explanation-text]")).to_have_text(
        "Đơn vị đã công khai 100% thủ tục trên cổng dịch vụ công từ tháng 3; danh sách kèm theo."
    )
    expect(panel.locator('[data-score="proposed"]')).to_have_text("5,50")
    expect(panel.get_by_role("link", name="danh-sach-thu-tuc-cong-khai.pdf")).to_be_visible()
    panel.get_by_label("Chấp nhận: điểm đề nghị là điểm cuối cùng").check()
    panel.locator(f"#decision-reason-{leaf_id}").fill("Danh sách kèm theo chứng minh đã công khai đủ.")
    people.shot(page, "10-review-decision.png")

    navigate(page, lambda: panel.get_by_role("button", name="Lưu quyết định").click())
    expect(page.get_by_role("status").filter(has_text="Đã quyết định")).to_have_text(
        "Đã quyết định đối với tất cả giải trình: hồ sơ đánh giá đã hoàn thiện."
    )
    expect(status_of(page, "finalized")).to_have_text("Đã hoàn thiện")
    navigate(page, lambda: page.get_by_role("link", name="Xem chi tiết").click())
    panel = page.locator(f"#explanation-{leaf_id}")
    expect(panel.locator('[data-decision="accepted"]')).to_have_text("Chấp nhận")
    expect(panel.locator('[data-score="final"]')).to_have_text("5,50")
    totals = page.locator("#review-totals")
    expect(totals.locator('[data-total="reviewed"]')).to_have_text("16,50")
    expect(totals.locator('[data-total="final"]')).to_have_text("18,00")
    expect(totals.locator('[data-index="final"]')).to_have_text("90,00")


# --- 7. the council finalizes, computes, approves and publishes ------------------------------


def council_finalizes_and_publishes(people: Browsing, year: Year) -> None:
    page = open_dashboard(people)
    change_phase(page, "finalization", "Hoàn thiện kết quả")
    for assessment in (year.a, year.b):
        expect(page.locator(f'tr[data-assessment="{assessment.pk}"] .status-badge')).to_have_text(
            "Đã hoàn thiện"
        )

    navigate(
        page, lambda: page.locator(".finalization-actions").get_by_role("button", name="Tính kết quả").click()
    )
    expect(page).to_have_url(f"{people.base_url}/hoi-dong/{CODE}/ket-qua/")
    expect(page.get_by_role("status").filter(has_text="Đã tính kết quả")).to_have_text(
        "Đã tính kết quả: xếp hạng 2 đơn vị."
    )
    group = page.locator('section[data-group="SBN"]')
    expect(group.locator(".tier-counts")).to_have_text("1 Rất tốt, 1 Tốt")
    expect(group.locator("tbody tr")).to_have_count(2)
    # Rank, agency, total, maximum, index, tier, previous rank, change, then field 1, field 2 and
    # their component indices (%).
    expect(group.locator("tbody tr").nth(0).locator("td")).to_have_text(
        ["1", "Sở Nội vụ", "18,00", "20,00", "90,00", "Rất tốt", "—", "mới", "8,50", "9,50", "85,00", "95,00"]
    )
    expect(group.locator("tbody tr").nth(1).locator("td")).to_have_text(
        ["2", "Sở Tài chính", "17,00", "20,00", "85,00", "Tốt", "—", "mới", "7,00", "10,00", "70,00",
         "100,00"]  # fmt: skip
    )
    awards = page.locator(".awards-table tbody tr")
    expect(awards).to_have_count(1)
    expect(awards.nth(0)).to_have_attribute("data-agency", "SNV")
    expect(awards.nth(0).locator(".award-decision")).to_have_text("đề xuất theo quy định")
    expect(page.locator(".results-state .badge")).to_have_text("Chưa phê duyệt")
    people.shot(page, "11-provisional-results.png")

    navigate(
        page, lambda: page.get_by_role("button", name="Phê duyệt kết quả và danh sách khen thưởng").click()
    )
    expect(page.locator(".results-state .badge")).to_have_text("Đã phê duyệt")

    navigate(page, lambda: page.get_by_role("button", name="Công bố").click())
    expect(page).to_have_url(f"{people.base_url}/hoi-dong/{CODE}/")
    expect(page.get_by_role("status").filter(has_text="Đã công bố kết quả")).to_have_text(
        f"Đã công bố kết quả {NAME} (phiên bản 1)."
    )
    expect(page.locator(".current-phase")).to_have_text("Đã công bố")
    expect(page.locator("#phase-select")).to_have_count(0)
    people.shot(page, "12-council-published.png")


# --- 8. anyone reads the public results --------------------------------------------------------


def public_sees_results(people: Browsing, year: Year) -> None:
    page = people.page()
    page.goto(f"/ket-qua/{CODE}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    group = page.locator('section.group-results[data-group="SBN"]')
    # Rank, agency, total, maximum, index, tier, previous rank, change, the component indices (%).
    expect(group.locator('tr[data-agency="SNV"] td')).to_have_text(
        ["1", "Sở Nội vụ", "18,00", "20,00", "90,00", "Rất tốt", "—", "mới", "85,00", "95,00"]
    )
    expect(group.locator('tr[data-agency="STC"] td')).to_have_text(
        ["2", "Sở Tài chính", "17,00", "20,00", "85,00", "Tốt", "—", "mới", "70,00", "100,00"]
    )
    expect(page.locator('li[data-group="SBN"] .tier-counts')).to_have_text("1 Rất tốt, 1 Tốt")
    expect(page.locator(".awards li")).to_have_count(1)
    expect(page.locator('.awards li[data-agency="SNV"]')).to_have_text("Sở Nội vụ (Rất tốt)")

    canvas = page.locator("canvas#tier-chart")
    expect(canvas).to_be_visible()
    chart = page.evaluate(
        """() => {
            const chart = window.Chart && window.Chart.getChart(document.getElementById("tier-chart"));
            return chart && {
                labels: chart.data.labels,
                datasets: chart.data.datasets.map((d) => [d.label, d.data]),
            };
        }"""
    )
    assert chart == {
        "labels": ["Sở, ban, ngành"],
        "datasets": [["Rất tốt", [1]], ["Tốt", [1]], ["Khá", [0]], ["Trung bình", [0]], ["Yếu", [0]]],
    }
    box = canvas.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50
    people.shot(page, "13-public-results.png")
