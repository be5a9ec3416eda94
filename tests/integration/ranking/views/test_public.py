"""The public results pages (ranking/views/public.py): nothing before publication, then the
rankings, tiers, change, tier counts, awards, the chart and the conference workbook.

The year is `build_year` of the council's tests (figures worked out there); Sở Nội vụ is
demoted one tier, so it ranks second with an index of 92 but shows Tốt.
"""

import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from ranking.enums import Phase
from ranking.models import Period, Result
from ranking.results.finalization import period_reopen
from tests.builders import (
    NOT_RANKED_AND_LATE_ROWS,
    build_year,
    build_year_not_ranked_and_late,
    finalize,
    group_tabs,
    publish,
    table_rows,
    text,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Factories hash a password for every user; the slow production hasher adds nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# A <script> without src that is not a JSON data block would be inline code (the CSP forbids it).
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def council():
    return UserFactory(username="hoidong", role=Role.COUNCIL)


def test_nothing_is_public_before_publication(client, english, council, django_user_model):
    year = build_year()
    finalize(year, council)

    index = client.get("/ket-qua/")
    assert index.status_code == 200
    assert "CCHC 2025" not in index.content.decode()
    # Not even for a superuser, who holds every permission.
    client.force_login(
        django_user_model.objects.create_superuser("goc", "goc@example.gov.vn", "mat-khau-goc")
    )
    for url in ("/ket-qua/CCHC-2025/", "/ket-qua/CCHC-2025/hoi-nghi.xlsx", "/ket-qua/KHONG-CO/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Sở Tư pháp" not in response.content.decode()


def test_published_results_page(client, english, council):
    year = build_year()
    period = publish(year, council)

    response = client.get("/ket-qua/CCHC-2025/")

    assert response.status_code == 200
    html = response.content.decode()
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert text(re.search(r'<p class="[^"]*publication">(.*?)</p>', html, re.S).group(1)) == (
        f"Administrative reform (CCHC) · version 1, published {today}"
    )
    assert period.version == 1
    # Rank, agency, total, maximum, index, tier, previous rank, change.
    assert table_rows(html, "results-table") == [
        # Then the component indices of field 1 (of 90) and field 2 (of 10): 85 ÷ 90 = 94,44 %.
        ["1", "Sở Tư pháp", "94.50", "100.00", "94.50", "Rất tốt", "2", "▲1", "94.44", "95.00"],
        ["2", "Sở Nội vụ", "92.00", "100.00", "92.00", "Tốt demoted", "1", "▼1", "92.22", "90.00"],
        ["3", "Sở Tài chính", "83.50", "100.00", "83.50", "Tốt", "6", "▲3", "83.33", "85.00"],
        ["4", "Sở Y tế", "67.00", "100.00", "67.00", "Trung bình", "—", "new", "66.67", "70.00"],
        ["1", "UBND quận Hải Châu", "79.00", "100.00", "79.00", "Khá", "1", "=", "78.89", "80.00"],
    ]
    counts = re.findall(r'<li class="list-group-item" data-group="(\w+)">(.*?)</li>', html, re.S)
    assert [(group, text(body)) for group, body in counts] == [
        ("SBN", "Khối sở, ban, ngành 1 Rất tốt, 2 Tốt, 1 Trung bình"),
        ("QH", "Khối quận, huyện 1 Khá"),
    ]
    # The demoted agency gets no certificate: only Sở Tư pháp is on the list.
    awards = re.search(r'<div class="card-body awards">(.*?)</div>', html, re.S).group(1)
    assert text(awards) == "Khối sở, ban, ngành Sở Tư pháp (Rất tốt)"
    # The demotion's reason is the council's record, not the public's.
    assert "Kỷ luật" not in html
    assert 'href="/ket-qua/CCHC-2025/hoi-nghi.xlsx"' in html


def test_the_chart_is_fed_by_a_data_block_and_no_inline_code(client, english, council):
    year = build_year()
    publish(year, council)

    html = client.get("/ket-qua/CCHC-2025/").content.decode()

    data = re.search(r'<script id="tier-chart-data" type="application/json">(.*?)</script>', html, re.S)
    assert json.loads(data.group(1)) == {
        "labels": ["Khối sở, ban, ngành", "Khối quận, huyện"],
        "datasets": [
            {"label": "Rất tốt", "data": [1, 0]},
            {"label": "Tốt", "data": [2, 0]},
            {"label": "Khá", "data": [0, 1]},
            {"label": "Trung bình", "data": [1, 0]},
            {"label": "Yếu", "data": [0, 0]},
        ],
    }
    assert '<canvas id="tier-chart"' in html
    scripts = re.findall(r'<script src="/static/([^"]+)"', html)
    assert scripts[-2:] == ["vendor/chart.js/chart.umd.js", "js/charts.js"]
    assert INLINE_SCRIPT.findall(html) == []
    assert INLINE_HANDLER.findall(html) == []
    assert ' style="' not in html


def test_the_conference_workbook_downloads_once_published(client, council):
    year = build_year()
    publish(year, council)

    response = client.get("/ket-qua/CCHC-2025/hoi-nghi.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="ket-qua-CCHC-2025.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Khối sở, ban, ngành", "Khối quận, huyện", "Tổng hợp", "Khen thưởng"]


def test_the_index_lists_published_periods_newest_first(client, english, council):
    year = build_year()
    publish(year, council)

    response = client.get("/ket-qua/")

    html = response.content.decode()
    assert re.findall(r'href="/ket-qua/([\w-]+)/"', html) == ["CCHC-2025", "CCHC-2024"]
    assert "version 2" not in html


def test_reopened_results_stay_on_the_public_pages_until_republished(client, english, council):
    """Issue 9 item 5: reopening no longer takes the results off the public site; the last
    publication stays shown, marked as being corrected (ranking/results/test_publications.py)."""
    year = build_year()
    publish(year, council)

    period_reopen(user=council, period=year.period, reason="Sửa điểm điều tra")

    page = client.get("/ket-qua/CCHC-2025/")
    assert page.status_code == 200
    assert "These results are being corrected" in page.content.decode()
    assert table_rows(page.content.decode(), "results-table")[0][:2] == ["1", "Sở Tư pháp"]
    assert client.get("/ket-qua/CCHC-2025/hoi-nghi.xlsx").status_code == 200


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/ket-qua/CCHC-2025/").status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_agencies(client, council):
    year = build_year()
    publish(year, council)
    few = page_queries(client)
    Result.objects.all().delete()
    Period.objects.all().delete()
    year = build_year(extra=25)
    publish(year, council)

    assert Result.objects.count() == 30
    assert page_queries(client) == few
    assert year.reload().phase == Phase.PUBLISHED


# --- a large period: one group per page, and the full table -------------------------------------

ALL_ROWS = [
    ["1", "Sở Tư pháp", "94.50", "100.00", "94.50", "Rất tốt", "2", "▲1", "94.44", "95.00"],
    ["2", "Sở Nội vụ", "92.00", "100.00", "92.00", "Tốt demoted", "1", "▼1", "92.22", "90.00"],
    ["3", "Sở Tài chính", "83.50", "100.00", "83.50", "Tốt", "6", "▲3", "83.33", "85.00"],
    ["4", "Sở Y tế", "67.00", "100.00", "67.00", "Trung bình", "—", "new", "66.67", "70.00"],
    ["1", "UBND quận Hải Châu", "79.00", "100.00", "79.00", "Khá", "1", "=", "78.89", "80.00"],
]


def awards_text(html: str) -> str:
    return text(re.search(r'aria-labelledby="awards-title">(.*?)</section>', html, re.S).group(1))


def test_a_large_period_shows_one_group_per_page(client, english, council, settings):
    settings.RESULTS_PAGE_ROWS = 3  # 5 agencies: 4 in SBN, 1 in QH
    publish(build_year(), council)

    html = client.get("/ket-qua/CCHC-2025/").content.decode()

    assert group_tabs(html) == [
        ("?khoi=SBN", "Khối sở, ban, ngành 4", True),
        ("?khoi=QH", "Khối quận, huyện 1", False),
        ("?khoi=tat-ca", "Full table of every group (to print) 5", False),
    ]
    assert table_rows(html, "results-table") == ALL_ROWS[:4]
    assert re.findall(r'<section class="[^"]*group-results" data-group="(\w+)"', html) == ["SBN"]
    # The chart and the tier counts still cover every group.
    counts = re.findall(r'<li class="list-group-item" data-group="(\w+)">', html)
    assert counts == ["SBN", "QH"]
    assert awards_text(html) == "Certificates of merit Khối sở, ban, ngành Sở Tư pháp (Rất tốt)"

    html = client.get("/ket-qua/CCHC-2025/?khoi=QH").content.decode()
    assert [current for _href, _text, current in group_tabs(html)] == [False, True, False]
    assert table_rows(html, "results-table") == ALL_ROWS[4:]
    assert awards_text(html) == "Certificates of merit No certificates of merit in this group."

    # An unknown group: the first one.
    html = client.get("/ket-qua/CCHC-2025/?khoi=KHONG-CO").content.decode()
    assert table_rows(html, "results-table") == ALL_ROWS[:4]


def test_the_full_table_of_a_large_period_lists_every_group(client, english, council, settings):
    settings.RESULTS_PAGE_ROWS = 3
    publish(build_year(), council)

    html = client.get("/ket-qua/CCHC-2025/?khoi=tat-ca").content.decode()

    assert [current for _href, _text, current in group_tabs(html)] == [False, False, True]
    assert table_rows(html, "results-table") == ALL_ROWS
    assert re.findall(r'<section class="[^"]*group-results" data-group="(\w+)"', html) == ["SBN", "QH"]
    assert awards_text(html) == "Certificates of merit Khối sở, ban, ngành Sở Tư pháp (Rất tốt)"
    # The bar is not printed.
    assert re.search(r'<nav class="mb-3 d-print-none group-pages"', html)


def unmasked(html: str) -> str:
    """The page without its CSRF token, masked differently on every response."""
    return re.sub(r'"X-CSRFToken": "\w+"|name="csrfmiddlewaretoken" value="\w+"', "", html)


def test_a_period_within_the_limit_keeps_its_single_page(client, english, council, settings):
    publish(build_year(), council)
    before = unmasked(client.get("/ket-qua/CCHC-2025/").content.decode())

    settings.RESULTS_PAGE_ROWS = 5  # exactly the period's agencies
    for url in ("/ket-qua/CCHC-2025/", "/ket-qua/CCHC-2025/?khoi=QH", "/ket-qua/CCHC-2025/?khoi=tat-ca"):
        # The language buttons come back to the address asked for.
        html = unmasked(client.get(url).content.decode()).replace(url.removeprefix("/ket-qua/CCHC-2025/"), "")
        assert html == before, url
    assert "group-pages" not in before
    assert table_rows(before, "results-table") == ALL_ROWS


def public_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_of_a_large_period_run_a_fixed_number_of_queries(client, english, council, settings):
    settings.RESULTS_PAGE_ROWS = 3
    publish(build_year(extra=1), council)
    few = [public_queries(client, f"/ket-qua/CCHC-2025/{q}") for q in ("", "?khoi=QH", "?khoi=tat-ca")]
    Result.objects.all().delete()
    Period.objects.all().delete()
    publish(build_year(extra=25), council)

    many = [public_queries(client, f"/ket-qua/CCHC-2025/{q}") for q in ("", "?khoi=QH", "?khoi=tat-ca")]

    assert many == few
    assert len(set(few)) == 1


def test_a_large_period_writes_standing_late_and_change_as_the_small_page_does(
    client, english, council, settings
):
    """The lean rows write the standing, the late badge and the change themselves (an include
    per row costs more than the row): they must say what the small page's includes say."""
    year = build_year_not_ranked_and_late(council)
    publish(year, council)
    settings.RESULTS_PAGE_ROWS = 100
    small = client.get("/ket-qua/CCHC-2025/").content.decode()
    settings.RESULTS_PAGE_ROWS = 3

    lean = client.get("/ket-qua/CCHC-2025/?khoi=tat-ca").content.decode()

    assert table_rows(lean, "results-table") == table_rows(small, "results-table")
    assert [row[:2] for row in table_rows(lean, "results-table")] == NOT_RANKED_AND_LATE_ROWS
    for html in (small, lean):
        assert re.search(r'<span class="badge text-bg-secondary standing">Not ranked</span>', html)
        assert re.search(r'<span class="badge text-bg-warning late">late</span>', html)
