"""The reviewer types on while a save is on its way: nothing typed is ever replaced or lost.

Sở Tư pháp submitted five leaves of 2 points each (step 0,5), every one self-scored 2, and is
under appraisal by Lê Minh. Every answer to a save of the appraisal page is held back
0,5–0,8 s, as on a slow government network. On each of four leaves the reviewer writes a
comment, leaves the box with Tab (a save starts), clicks the score box and types 1,5 at
once, then Tab (a second save). Each leaf must end with exactly 1,5 stored and shown, and the
comment kept: the reviewed total is 4 × 1,5 = 6,00 (the fifth leaf is not reviewed yet).

Then the council saves another value on the fifth leaf behind the reviewer's back: the
reviewer's next save is refused (409); what they typed stays in its box, the newer value is
shown beside it with a button that takes it, and the next save goes through.
"""

import datetime
import random
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from ranking.assessments.appraisal import score_review_set
from ranking.enums import AssessmentStatus, Phase
from ranking.models import Criterion, Score
from tests.e2e.pages import Browsing, navigate
from tests.factories import AgencyFactory, AgencyGroupFactory, AssessmentFactory, PeriodFactory, UserFactory

SAVE = "**/tham-dinh/*/diem/*/"
COMMENTS = {
    "1.1": "Kế hoạch ban hành chậm 15 ngày.",
    "1.2": "Báo cáo quý IV gửi muộn.",
    "1.3": "Chưa có minh chứng kiểm tra.",
    "1.4": "Tỷ lệ công khai đạt 90%.",
}


@pytest.fixture
def appraisal(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    period = PeriodFactory(year=2026, phase=Phase.APPRAISAL)
    group = AgencyGroupFactory(code="SO", name="Khối sở, ban, ngành")
    agency = AgencyFactory(code="STP", name="Sở Tư pháp", group=group)
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER, last_name="Lê", first_name="Minh")
    council = UserFactory(username="hoidong", role=Role.COUNCIL)
    field = Criterion.objects.create(period=period, code="1", title="Công tác chỉ đạo CCHC")
    leaves = {
        f"1.{n}": Criterion.objects.create(
            period=period,
            parent=field,
            code=f"1.{n}",
            title=f"Tiêu chí 1.{n}",
            max_points=Decimal(2),
            step=Decimal("0.5"),
        )
        for n in range(1, 6)
    }
    opened = timezone.now() - datetime.timedelta(hours=1)
    assessment = AssessmentFactory(
        period=period,
        agency=agency,
        reviewer=reviewer,
        status=AssessmentStatus.IN_REVIEW,
        submitted_at=opened,
        review_opened_at=opened,
    )
    for criterion in leaves.values():
        Score.objects.create(assessment=assessment, criterion=criterion, self_score=Decimal(2))
    return assessment, leaves, council


class SlowSaves:
    """Holds every answer to a save of the appraisal page back 0,5–0,8 s, and counts those
    still on their way."""

    def __init__(self, page):
        self.page = page
        self.pending = 0
        self.random = random.Random(2026)
        page.route(SAVE, self.delay)

    def delay(self, route) -> None:
        self.pending += 1
        try:
            answer = route.fetch()
            self.page.wait_for_timeout(self.random.randint(500, 800))
            route.fulfill(response=answer)
        finally:
            self.pending -= 1

    def settle(self) -> None:
        """Wait until no save is on its way, nor about to leave (htmx queues a second one)."""
        quiet = 0
        for _attempt in range(200):
            self.page.wait_for_timeout(100)
            quiet = quiet + 1 if self.pending == 0 else 0
            if quiet >= 10:
                return
        raise AssertionError("saves still on their way after 20 s")


@pytest.mark.e2e
@pytest.mark.xdist_group("browser")
@pytest.mark.django_db(transaction=True)
def test_a_score_typed_while_the_comment_saves_is_stored_and_kept(
    browser, live_server, screenshots, appraisal
):
    assessment, leaves, _council = appraisal
    people = Browsing(browser, live_server.url, screenshots)
    try:
        page = people.sign_in("thamdinh", "Lê Minh")
        navigate(page, lambda: page.goto(f"/tham-dinh/{assessment.pk}/?xem=chi-tiet"))
        slow = SlowSaves(page)
        for code, comment in COMMENTS.items():
            leaf_id = leaves[code].id
            page.locator(f"#comment-{leaf_id}").click()
            page.keyboard.type(comment)
            page.keyboard.press("Tab")
            score = page.locator(f"#reviewed-{leaf_id}")
            score.click()
            page.keyboard.press("ControlOrMeta+A")
            page.keyboard.type("1,5", delay=40)
            page.keyboard.press("Tab")
            # The test database (SQLite in memory) takes one writer at a time: one leaf at a time.
            slow.settle()

        stored = {
            s.criterion.code: (s.reviewed_score, s.review_comment, s.final_score)
            for s in Score.objects.filter(assessment=assessment).select_related("criterion")
        }
        for code, comment in COMMENTS.items():
            leaf_id = leaves[code].id
            assert stored[code] == (Decimal("1.5"), comment, Decimal("1.5")), code
            expect(page.locator(f"#reviewed-{leaf_id}")).to_have_value("1,5")
            expect(page.locator(f"#comment-{leaf_id}")).to_have_value(comment)
            expect(page.locator(f"#leaf-{leaf_id}").get_by_role("status")).to_have_text("Đã lưu")
            expect(page.locator(f"#leaf-{leaf_id}")).to_have_class(re.compile(r"\bdiffers\b"))
        assert stored["1.5"] == (None, "", None)
        totals = page.locator("#review-totals")
        expect(totals.locator('[data-total="reviewed"]')).to_have_text("6,00")
        expect(totals.locator("[data-differences]")).to_have_text("4")
        expect(page.locator(f"#subtotal-{leaves['1.1'].parent_id} [data-subtotal='reviewed']")).to_have_text(
            "6,00"
        )
    finally:
        people.close()
    assert people.errors == [], people.errors


def conflict(page, leaf_id: int):
    return page.locator(f"#leaf-status-{leaf_id} [data-conflict]")


@pytest.mark.e2e
@pytest.mark.xdist_group("browser")
@pytest.mark.django_db(transaction=True)
def test_a_conflict_shows_the_newer_value_beside_what_was_typed(browser, live_server, screenshots, appraisal):
    assessment, leaves, council = appraisal
    leaf_id = leaves["1.5"].id
    people = Browsing(browser, live_server.url, screenshots)
    try:
        page = people.sign_in("thamdinh", "Lê Minh")
        navigate(page, lambda: page.goto(f"/tham-dinh/{assessment.pk}/?xem=chi-tiet"))
        slow = SlowSaves(page)
        # The council appraises the same leaf after the reviewer opened the page.
        score_review_set(
            user=council,
            assessment=assessment,
            criterion_id=leaf_id,
            value=Decimal(1),
            comment="Hội đồng chấm lại theo biên bản kiểm tra.",
        )

        comment = page.locator(f"#comment-{leaf_id}")
        comment.click()
        page.keyboard.type("Thiếu minh chứng.")
        page.keyboard.press("Tab")
        slow.settle()

        stored = Score.objects.get(assessment=assessment, criterion_id=leaf_id)
        assert (stored.reviewed_score, stored.review_comment, stored.version) == (
            Decimal(1),
            "Hội đồng chấm lại theo biên bản kiểm tra.",
            2,
        )
        expect(comment).to_have_value("Thiếu minh chứng.")
        expect(page.locator(f"#reviewed-{leaf_id}")).to_have_value("")
        expect(conflict(page, leaf_id).locator("[data-newer-score]")).to_have_text("1")
        expect(conflict(page, leaf_id).locator("[data-newer-comment]")).to_have_text(
            "Hội đồng chấm lại theo biên bản kiểm tra."
        )
        expect(conflict(page, leaf_id)).to_contain_text(
            "Người khác đã lưu điểm này sau khi bạn mở trang; thay đổi của bạn chưa được lưu."
        )
        people.shot(page, "review-conflict.png")

        conflict(page, leaf_id).get_by_role("button", name="Lấy giá trị mới hơn").click()
        expect(conflict(page, leaf_id)).to_have_count(0)
        expect(page.locator(f"#reviewed-{leaf_id}")).to_have_value("1")
        expect(comment).to_have_value("Hội đồng chấm lại theo biên bản kiểm tra.")

        # The status area took the newer version: the reviewer's next change is saved.
        score = page.locator(f"#reviewed-{leaf_id}")
        score.click()
        page.keyboard.press("ControlOrMeta+A")
        page.keyboard.type("0,5", delay=40)
        page.keyboard.press("Tab")
        slow.settle()

        stored.refresh_from_db()
        assert (stored.reviewed_score, stored.review_comment, stored.final_score, stored.version) == (
            Decimal("0.5"),
            "Hội đồng chấm lại theo biên bản kiểm tra.",
            Decimal("0.5"),
            3,
        )
        expect(score).to_have_value("0,5")
        expect(page.locator(f"#leaf-{leaf_id}").get_by_role("status")).to_have_text("Đã lưu")
        expect(conflict(page, leaf_id)).to_have_count(0)
        expect(page.locator("#review-totals [data-total='reviewed']")).to_have_text("0,50")
    finally:
        people.close()
    assert people.errors == [], people.errors
