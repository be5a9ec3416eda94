"""The conference pack on the demo city, in the browser: every report page, a screenshot each.

Each chart is drawn from its json_script data block by a static script: the test checks that
Chart.js really drew on every canvas and that no page carries an inline script.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import User
from ranking.models import Criterion

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\b(src|type=\"application/json\")\s*=?)[^>]*>", re.IGNORECASE)
PERIOD = "CCHC-2025"


@pytest.mark.e2e
@pytest.mark.xdist_group("browser")
@pytest.mark.django_db(transaction=True)
def test_every_report_page_on_the_demo_year(browser, live_server, screenshots):
    call_command("seed_demo", stdout=StringIO())
    leaf = Criterion.objects.get(period__code=PERIOD, code="3.1")
    reviewer = User.objects.get(username="thamdinh1").get_full_name()
    pages = [
        ("20-reports-index", reverse("reports_index", args=[PERIOD]), "Sở Nội vụ", None),
        ("21-where-points-were-lost", reverse("loss_analysis", args=[PERIOD]), "3.1", None),
        ("22-loss-detail", reverse("loss_detail", args=[PERIOD, leaf.pk]), leaf.title, None),
        (
            "23-reviewer-consistency",
            reverse("reviewer_consistency", args=[PERIOD]),
            reviewer,
            "#reviewer-chart",
        ),
        ("24-self-assessment-accuracy", reverse("self_accuracy", args=[PERIOD]), "Sở Nội vụ", "#gap-chart"),
        (
            "25-agency-report",
            reverse("agency_report", args=[PERIOD, "SNV"]),
            "Sở Nội vụ",
            "#agency-history-chart",
        ),
        ("26-agency-report-print", reverse("agency_report_print", args=[PERIOD, "SNV"]), "SỞ NỘI VỤ", None),
        ("27-year-over-year", reverse("year_over_year", args=[PERIOD]), "Sở Nội vụ", "#yoy-chart"),
        ("28-pack-export", reverse("pack_export", args=[PERIOD]), "Chi tiết", None),
        ("29-award-list-print", reverse("award_list_print", args=[PERIOD]), "BẰNG KHEN", None),
    ]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1400, "height": 1000}, locale="vi-VN"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/dang-nhap/")
    page.locator("#id_username").fill("hoidong")
    page.locator("#id_password").fill("demo@2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập", exact=True).click()
    for name, url, text, chart in pages:
        response = page.goto(url)
        assert response.status == 200, url
        expect(page.locator("body")).to_contain_text(text)
        assert INLINE_SCRIPT.findall(page.content()) == [], url
        if chart:
            # Chart.js registers every chart it drew on its canvas.
            page.wait_for_function(f"() => window.Chart && Chart.getChart(document.querySelector('{chart}'))")
        page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
    assert errors == []
    context.close()
