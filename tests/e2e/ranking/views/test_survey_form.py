"""The survey's public form on a 390 px phone: accessible (axe-core, WCAG 2.1 A and AA), no wider
than the screen, answered by tapping the labels, sent once."""

from pathlib import Path

import pytest

from ranking.models import SurveyAnswer, SurveyInvitation
from tests.survey_builders import build_survey_year

AXE = (Path(__file__).resolve().parents[3] / "e2e" / "vendor" / "axe.min.js").read_text()
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
VIOLATIONS = """async (rules) => {
    const result = await axe.run(document, rules);
    return result.violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""


def problems_of(page) -> list[str]:
    page.add_script_tag(content=AXE)
    found = page.evaluate(VIOLATIONS, RULES)
    wide, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if wide > window:
        found.append(f"{wide} px wide in a {window} px window")
    return found


@pytest.mark.e2e
@pytest.mark.xdist_group("browser")
@pytest.mark.django_db(transaction=True)
def test_a_respondent_answers_on_a_phone(browser, live_server):
    survey = build_survey_year()
    link = SurveyInvitation.objects.create(
        period=survey.period, agency=survey.agency("SNV"), group=survey.groups["ND"]
    )
    # bypass_csp: axe is added to the page as a script of its own, which the site's policy forbids.
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        locale="vi-VN",
        is_mobile=True,
        bypass_csp=True,
    )
    page = context.new_page()

    page.goto(f"/khao-sat/{link.token}/")
    assert problems_of(page) == []
    assert page.locator("fieldset legend").all_inner_texts() == [
        "1. Thái độ phục vụ của công chức?",
        "2. Mức độ hài lòng về thời gian giải quyết?",
    ]
    # The radio groups are named by their legends for a screen reader.
    assert (
        page.get_by_role("group", name="1. Thái độ phục vụ của công chức?").get_by_role("radio").count() == 4
    )
    page.get_by_label("B — Khá").click()
    # Sending with a question unanswered: the browser holds the form back on the first empty group.
    page.get_by_role("button", name="Gửi phiếu").click()
    assert page.url.endswith(f"/khao-sat/{link.token}/")
    assert SurveyAnswer.objects.count() == 0
    page.get_by_label("4 — Hài lòng").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi phiếu").click()
    assert (
        page.locator(".alert-success").inner_text().strip() == "Cảm ơn anh/chị: câu trả lời đã được ghi nhận."
    )
    assert problems_of(page) == []

    page.goto(f"/khao-sat/{link.token}/")
    assert page.locator("form[method=post] .survey-question").count() == 0
    assert "Phiếu này đã được gửi." in page.locator(".survey-state").inner_text()
    context.close()
    assert sorted(SurveyAnswer.objects.values_list("question__code", "option")) == [("Q1", "B"), ("Q2", "4")]
