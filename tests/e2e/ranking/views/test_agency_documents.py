"""The self-assessment for signing, in the browser: on screen, and as it prints on A4 paper."""

import pytest
from playwright.sync_api import expect

from ranking.assessments.services import assessment_submit
from tests.builders import SelfAssessmentYear
from tests.e2e.pages import Browsing


@pytest.mark.e2e
@pytest.mark.xdist_group("browser")
@pytest.mark.django_db(transaction=True)
def test_the_head_prints_the_self_assessment(browser, live_server, screenshots, settings):
    settings.CONFERENCE_PLACE = "Đà Nẵng"
    year = SelfAssessmentYear()
    year.fill_everything()
    assessment_submit(user=year.head_a, assessment=year.assessment)
    people = Browsing(browser, live_server.url, screenshots)
    page = people.sign_in("lanhdao.snv", "Phạm Văn Nam")

    page.goto(f"/danh-gia/{year.assessment.pk}/")
    with page.expect_navigation():
        page.locator("[data-signed-document]").click()

    sheet = page.locator("[data-document]")
    expect(sheet).to_contain_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    expect(sheet).to_contain_text("BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CÔNG TÁC CẢI CÁCH HÀNH CHÍNH NĂM 2026")
    expect(page.locator("[data-signature]")).to_contain_text("THỦ TRƯỞNG CƠ QUAN")
    expect(page.locator("[data-signer]")).to_have_text("Phạm Văn Nam")
    people.shot(page, "40-self-assessment-for-signing.png")

    # On paper: the sheet alone, without the navigation and the note.
    page.emulate_media(media="print")
    expect(page.locator("header").first).to_be_hidden()
    expect(page.get_by_role("button", name="In")).to_be_hidden()
    expect(sheet).to_be_visible()
    people.shot(page, "41-self-assessment-printed.png")
    assert people.errors == []
    people.close()
