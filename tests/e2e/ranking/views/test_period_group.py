"""The council puts an agency in another group for VTLT, in the browser.

The years are `build_two_subjects` (tests/builders.py) without the move: Sở Xây dựng is in the
departments' group for both subjects. From VTLT 2025's progress page the council follows the
agency's "Thay đổi" link, chooses the public service units' group, writes the reason and lands
back on the progress page, where the row shows the group of the period.
"""

import pytest
from playwright.sync_api import expect

from ranking.enums import Subject
from tests.builders import build_two_subjects
from tests.e2e.pages import Browsing, navigate


@pytest.mark.e2e
@pytest.mark.xdist_group("browser")
@pytest.mark.django_db(transaction=True)
def test_the_council_changes_an_agencys_group_for_one_period(browser, live_server, screenshots, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    two = build_two_subjects(moved=False)
    two.council.first_name, two.council.last_name = "Hoa", "Nguyễn"
    two.council.save()
    assessment = two.assessments[(Subject.VTLT, "SXD")]
    people = Browsing(browser, live_server.url, screenshots)
    try:
        page = people.sign_in("hoidong", "Nguyễn Hoa")
        navigate(page, lambda: page.goto("/hoi-dong/VTLT-2025/"))
        row = page.locator(f'tr[data-assessment="{assessment.pk}"]')
        navigate(page, lambda: row.get_by_role("link", name="Thay đổi").click())

        assert page.url.endswith(f"/hoi-dong/danh-gia/{assessment.pk}/khoi/")
        expect(page.locator(".current-group")).to_have_text("Khối sở, ban, ngành")
        page.get_by_label("Khối trong kỳ").select_option("SN")
        page.get_by_label("Lý do").fill("Quản lý kho lưu trữ chuyên dụng")
        navigate(page, lambda: page.get_by_role("button", name="Đổi khối").click())

        assert page.url.endswith("/hoi-dong/VTLT-2025/")
        expect(page.locator(".alert-success")).to_contain_text(
            "Sở Xây dựng được xếp hạng trong Khối đơn vị sự nghiệp ở kỳ VTLT 2025; hãy tính lại kết quả."
        )
        expect(row.locator("td").nth(1)).to_contain_text("Khối đơn vị sự nghiệp")
        expect(row.locator(".period-group-badge")).to_have_text("theo kỳ")
        assert two.assessment(Subject.VTLT, "SXD").group.code == "SN"
        assert two.assessment(Subject.CCHC, "SXD").group.code == "SBN"
    finally:
        people.close()
    assert people.errors == [], people.errors
