"""The council approves three appraisals from the list at once, through one confirmation.

The year is `build_year` (tests/builders.py) in appraisal: every assessment appraised but
Sở Y tế's, still under appraisal, which offers no box. The council searches "Sở", ticks every
box with the header's box (three of the four departments' rows can be chosen), confirms the
sentence once, and lands back on the same search with the three approved.
"""

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from ranking.enums import AssessmentStatus, Phase
from ranking.models import Assessment
from tests.builders import build_year
from tests.e2e.pages import Browsing, navigate
from tests.factories import UserFactory

S = AssessmentStatus


@pytest.mark.e2e
@pytest.mark.xdist_group("browser")
@pytest.mark.django_db(transaction=True)
def test_the_council_approves_several_appraisals_through_one_confirmation(
    browser, live_server, screenshots, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    year = build_year(phase=Phase.APPRAISAL, status=S.REVIEWED)
    Assessment.objects.filter(pk=year.assessments["SYT"].pk).update(status=S.IN_REVIEW)
    UserFactory(username="hoidong", role=Role.COUNCIL, last_name="Nguyễn", first_name="Hoa")
    people = Browsing(browser, live_server.url, screenshots)
    try:
        page = people.sign_in("hoidong", "Nguyễn Hoa")
        navigate(page, lambda: page.goto("/hoi-dong/CCHC-2025/danh-sach/?q=S%E1%BB%9F"))
        boxes = page.locator('input[name="assessment"]')
        expect(boxes).to_have_count(3)
        page.get_by_label("Chọn mọi kết quả thẩm định đang chờ phê duyệt").check()
        for index in range(3):
            expect(boxes.nth(index)).to_be_checked()

        navigate(
            page, lambda: page.get_by_role("button", name="Phê duyệt các kết quả thẩm định đã chọn").click()
        )

        assert people.dialogs == [
            "Phê duyệt các kết quả thẩm định đã chọn: từng đơn vị sẽ thấy điểm thẩm định và được giải trình; "
            "đã phê duyệt thì không hoàn tác được."
        ]
        assert page.url.endswith("/hoi-dong/CCHC-2025/danh-sach/?q=S%E1%BB%9F#assessments")
        expect(page.locator(".alert-success")).to_contain_text(
            "Đã phê duyệt 3 kết quả thẩm định: Sở Nội vụ, Sở Tài chính, Sở Tư pháp."
        )
        expect(page.locator("#list-search")).to_have_value("Sở")
        statuses = dict(Assessment.objects.values_list("agency__code", "status"))
        assert statuses == {
            "SNV": S.APPROVED,
            "STC": S.APPROVED,
            "STP": S.APPROVED,
            "SYT": S.IN_REVIEW,
            "QHC": S.REVIEWED,
        }
        expect(boxes).to_have_count(0)
    finally:
        people.close()
    assert people.errors == [], people.errors
