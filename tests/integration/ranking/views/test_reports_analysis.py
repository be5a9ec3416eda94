"""The analysis pages (ranking/views/reports_analysis.py): where points were lost with its heat
map and drill-down, reviewer consistency and self-assessment accuracy.

The figures are those of tests/integration/ranking/reports/test_analysis.py, worked out there; the pages are
read in Vietnamese (the default), so numbers show as 1,50.
"""

import json
import re

import pytest
from django.utils.translation import gettext

from accounts.models import Role
from ranking.enums import Decision
from ranking.models import Criterion
from tests.builders import build_analysis
from tests.factories import PeriodFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE = "/bao-cao/CCHC-2025"
PAGES = {
    "loss_analysis": f"{BASE}/diem-bi-tru/",
    "loss_detail": None,  # needs the id of leaf 1.2
    "reviewer_consistency": f"{BASE}/tham-dinh-vien/",
    "self_accuracy": f"{BASE}/tu-danh-gia/",
}

# A <script> without src that is not a JSON data block would be inline code; so would an
# on…= handler or a style attribute or element (the CSP forbids all of them).
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fx():
    return build_analysis()


@pytest.fixture
def council(client, fx):
    client.force_login(fx.council)
    return fx.council


def text(html: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def table_rows(html: str, css_class: str) -> list[list[str]]:
    """The cells' text of every body row of the tables with `css_class`."""
    rows = []
    for table in re.findall(rf'<table class="[^"]*\b{css_class}\b[^"]*"[^>]*>(.*?)</table>', html, re.S):
        body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            rows.append([text(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)])
    return rows


def assert_no_inline_code(html: str) -> None:
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(html)
    assert not INLINE_STYLE.search(html)


def detail_url(fx, code: str) -> str:
    return f"{BASE}/diem-bi-tru/{fx.criteria[code].pk}/"


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert_no_inline_code(html)
    return html


# --- where points were lost ------------------------------------------------------------------


def loss_rows(html: str) -> list[list[str]]:
    # The title cell is data, checked apart: keep code and figures.
    return [[row[0], *row[2:]] for row in table_rows(html, "loss-table")]


def test_loss_analysis_of_every_group(client, council, fx):
    html = get(client, PAGES["loss_analysis"])

    # Code, maximum, agencies, losing, lost in total, lost per agency.
    assert loss_rows(html) == [
        ["1.1", "4,00", "5", "4", "6,00", "1,20"],
        ["1.2", "2,00", "5", "4", "5,00", "1,00"],
        ["1.3", "1,00", "4", "2", "2,00", "0,50"],
        ["2.1", "3,00", "2", "2", "2,00", "1,00"],
        ["2.2", "5,00", "5", "4", "6,50", "1,30"],
        ["3.1", "2,00", "5", "3", "3,50", "0,70"],
    ]
    titles = [row[1] for row in table_rows(html, "loss-table")]
    assert titles[0] == "Ban hành kế hoạch CCHC"
    assert titles[5].startswith("Điểm trừ: báo cáo trễ hạn ")  # and the deduction badge
    # Every criterion drills down to its agencies.
    for code in ("1.1", "1.2", "1.3", "2.1", "2.2", "3.1"):
        assert f'<a href="{detail_url(fx, code)}">{code}</a>' in html
    # The bonus is never a loss.
    assert "Điểm thưởng: sáng kiến" not in html

    # One heat map per group, agencies by rank, the fields with a maximum.
    maps = re.findall(r'<table class="[^"]*heat-map[^"]*" data-group="(\w+)">', html)
    assert maps == ["SBN", "QH"]
    assert table_rows(html, "heat-map") == [
        ["1", "Sở Nội vụ", "92,86", "80,00"],
        ["2", "Sở Tài chính", "42,86", "100,00"],
        ["3", "Sở Y tế", "58,33", "60,00"],
        ["1", "UBND quận Hải Châu", "85,71", "87,50"],
        ["2", "UBND quận Sơn Trà", "28,57", "43,75"],
    ]
    buckets = re.findall(r'<td class="num heat-cell heat-(\d)" title="([^"]+)">', html)
    assert buckets == [
        ("9", "6,50 / 7,00"),
        ("8", "4,00 / 5,00"),
        ("4", "3,00 / 7,00"),
        ("9", "5,00 / 5,00"),
        ("5", "3,50 / 6,00"),
        ("6", "3,00 / 5,00"),
        ("8", "6,00 / 7,00"),
        ("8", "7,00 / 8,00"),
        ("2", "2,00 / 7,00"),
        ("4", "3,50 / 8,00"),
    ]
    # The legend: ten buckets of 10 %.
    legend = re.findall(r'<li class="heat-(\d) heat-swatch">([^<]+)</li>', html)
    assert legend == [(str(b), f"{b * 10}–{b * 10 + 10}") for b in range(9)] + [("9", "90+")]
    assert '<link rel="stylesheet" href="/static/css/reports.css">' in html
    assert '<script src="/static/js/reports.js"></script>' in html


def test_loss_analysis_of_one_group(client, council, fx):
    html = get(client, PAGES["loss_analysis"] + "?group=QH")

    assert loss_rows(html) == [
        ["1.1", "4,00", "2", "1", "2,00", "1,00"],
        ["1.2", "2,00", "2", "2", "3,00", "1,50"],
        ["1.3", "1,00", "2", "1", "1,00", "0,50"],
        ["2.1", "3,00", "2", "2", "2,00", "1,00"],
        ["2.2", "5,00", "2", "2", "3,50", "1,75"],
        ["3.1", "2,00", "2", "1", "2,00", "1,00"],
    ]
    assert re.findall(r'data-group="(\w+)">', html) == ["QH"]
    assert '<option value="QH" selected>Khối quận, huyện</option>' in html
    # The drill-down keeps the group.
    assert f'<a href="{detail_url(fx, "1.2")}?group=QH">1.2</a>' in html

    sbn = get(client, PAGES["loss_analysis"] + "?group=SBN")
    assert loss_rows(sbn) == [
        ["1.1", "4,00", "3", "3", "4,00", "1,33"],
        ["1.2", "2,00", "3", "2", "2,00", "0,67"],
        ["1.3", "1,00", "2", "1", "1,00", "0,50"],
        ["2.2", "5,00", "3", "2", "3,00", "1,00"],
        ["3.1", "2,00", "3", "2", "1,50", "0,50"],
    ]
    # An unknown group shows every group.
    assert loss_rows(get(client, PAGES["loss_analysis"] + "?group=XX")) == loss_rows(
        get(client, PAGES["loss_analysis"])
    )


@pytest.mark.parametrize(
    ("sort", "codes"),
    [
        ("", ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1"]),
        ("-total", ["2.2", "1.1", "1.2", "3.1", "1.3", "2.1"]),  # 6.5, 6, 5, 3.5, 2, 2
        ("total", ["1.3", "2.1", "3.1", "1.2", "1.1", "2.2"]),
        ("average", ["1.3", "3.1", "1.2", "2.1", "1.1", "2.2"]),  # 0.5, 0.7, 1, 1, 1.2, 1.3
        ("-losing", ["1.1", "1.2", "2.2", "3.1", "1.3", "2.1"]),  # 4, 4, 4, 3, 2, 2
        ("agencies", ["2.1", "1.3", "1.1", "1.2", "2.2", "3.1"]),  # 2, 4, 5 …
        ("-max", ["2.2", "1.1", "2.1", "1.2", "3.1", "1.3"]),  # 5, 4, 3, 2, 2, 1
        ("-code", ["3.1", "2.2", "2.1", "1.3", "1.2", "1.1"]),
        # Ban…, Báo…, Điểm… (đ after d, not after z), Kiểm…, Mức…, Rà…
        ("title", ["1.1", "1.2", "3.1", "1.3", "2.2", "2.1"]),
        ("nonsense", ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1"]),
    ],
)
def test_the_loss_table_sorts_by_each_column(client, council, fx, sort, codes):
    html = get(client, PAGES["loss_analysis"] + f"?sort={sort}")
    assert [row[0] for row in loss_rows(html)] == codes


def test_sort_headings_link_to_the_next_order(client, council, fx):
    html = get(client, PAGES["loss_analysis"] + "?group=SBN&sort=-total")

    headings = re.findall(
        r'<th scope="col"[^>]*aria-sort="(\w+)" data-sort="(\w+)">\s*<a [^>]*href="([^"]+)"', html
    )
    assert headings == [
        ("none", "code", "?group=SBN&amp;sort=code"),
        ("none", "title", "?group=SBN&amp;sort=title"),
        ("none", "max", "?group=SBN&amp;sort=-max"),
        ("none", "agencies", "?group=SBN&amp;sort=-agencies"),
        ("none", "losing", "?group=SBN&amp;sort=-losing"),
        ("descending", "total", "?group=SBN&amp;sort=total"),
        ("none", "average", "?group=SBN&amp;sort=-average"),
    ]
    # Changing the group keeps the order.
    assert '<input type="hidden" name="sort" value="-total">' in html


# --- the drill-down --------------------------------------------------------------------------


def test_loss_detail_of_a_choice_leaf(client, council, fx):
    html = get(client, detail_url(fx, "1.2"))

    figures = dict(re.findall(r'<dd class="h5 mb-0" data-figure="(\w+)">(.*?)</dd>', html, re.S))
    assert {k: text(v) for k, v in figures.items()} == {
        "agencies": "5",
        "losing": "4",
        "total": "5,00",
        "average": "1,00",
    }
    rows = table_rows(html, "loss-detail-table")
    # Group rows, then: rank, agency, self, reviewed, final, maximum, lost, comment, explanation, decision.
    assert [row[:8] for row in rows] == [
        ["Khối sở, ban, ngành"],
        ["2", "Sở Tài chính", "1,00", "1,00", "1,00", "2,00", "1,00", ""],
        ["3", "Sở Y tế", "2,00", "0,00", "1,00", "2,00", "1,00", "Báo cáo chậm 10 ngày."],
        ["1", "Sở Nội vụ", "2,00", "2,00", "2,00", "2,00", "0,00", ""],
        ["Khối quận, huyện"],
        ["2", "UBND quận Sơn Trà", "0,00", "0,00", "0,00", "2,00", "2,00", ""],
        ["1", "UBND quận Hải Châu", "2,00", "1,00", "1,00", "2,00", "1,00", "Báo cáo chậm."],
    ]
    explained = rows[2]
    assert explained[8] == f"Chậm do lỗi hệ thống. {gettext('Proposed score')}: 2,00"
    assert explained[9] == f"{Decision.PARTIAL.label} Chấp nhận một phần."
    assert (
        f'<span class="badge text-bg-light border">{fx.criteria["1.2"].get_method_display()}</span>' in html
    )
    assert "1.2. Báo cáo định kỳ đúng hạn" in html
    assert "1. Chỉ đạo, điều hành" in html


def test_loss_detail_of_one_group_and_a_leaf_that_did_not_arise(client, council, fx):
    rows = table_rows(get(client, detail_url(fx, "1.3") + "?group=SBN"), "loss-detail-table")

    assert [row[:7] for row in rows] == [
        ["Khối sở, ban, ngành"],
        ["2", "Sở Tài chính", "1,00", "0,00", "0,00", "1,00", "1,00"],
        ["1", "Sở Nội vụ", "1,00", "1,00", "1,00", "1,00", "0,00"],
        ["3", "Sở Y tế", gettext("does not arise"), "", "", ""],
    ]
    # 2.1 applies to the districts only; its explanation was accepted.
    html = get(client, detail_url(fx, "2.1"))
    rows = table_rows(html, "loss-detail-table")
    assert [row[:7] for row in rows] == [
        ["Khối quận, huyện"],
        ["2", "UBND quận Sơn Trà", "1,00", "1,50", "1,50", "3,00", "1,50"],
        ["1", "UBND quận Hải Châu", "3,00", "2,00", "2,50", "3,00", "0,50"],
    ]
    assert rows[2][9] == f"{Decision.ACCEPTED.label} Đúng như giải trình."
    assert '<option value="SBN"' not in html


def test_only_leaves_that_can_lose_points_drill_down(client, council, fx):
    # A field, the bonus, a criterion of another period, no criterion at all: 404.
    other = PeriodFactory(year=2024, code="CCHC-2024")
    elsewhere = Criterion.objects.create(period=other, code="1", title="Khác", max_points=1)
    for criterion_id in (fx.criteria["1"].pk, fx.criteria["3.2"].pk, elsewhere.pk, 999999):
        assert client.get(f"{BASE}/diem-bi-tru/{criterion_id}/").status_code == 404
    assert client.get("/bao-cao/KHONG-CO/diem-bi-tru/").status_code == 404


# --- reviewer consistency --------------------------------------------------------------------


def test_reviewer_consistency_page(client, council, fx):
    html = get(client, PAGES["reviewer_consistency"])

    # Reviewer, assessments, reviewed, adjustments, lowered, raised, total change, average change,
    # explanations decided (accepted / in part / rejected), accepted share.
    assert table_rows(html, "reviewer-table") == [
        ["Lê Văn Cường", "2", "9", "3", "1", "2", "-1,00", "-0,33", "1 (0 / 1 / 0)", "100,00 %"],
        ["Trần Thị Bình", "3", "16", "7", "7", "0", "-7,50", "-1,07", "3 (2 / 0 / 1)", "66,67 %"],
    ]
    data = json.loads(
        re.search(
            r'<script id="reviewer-chart-data" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert data["labels"] == ["Lê Văn Cường", "Trần Thị Bình"]
    assert data["values"] == ["-0.33", "-1.07"]
    assert re.findall(r'<script src="/static/([^"]+)"', html)[-2:] == [
        "vendor/chart.js/chart.umd.js",
        "js/reports.js",
    ]
    assert '<canvas id="reviewer-chart"' in html


# --- self-assessment accuracy ----------------------------------------------------------------


def test_self_accuracy_page(client, council, fx):
    html = get(client, PAGES["self_accuracy"])

    # Over-scoring rank, agency, rank, maximum, self total, final total, gap, self index,
    # final index, gap in index points.
    assert table_rows(html, "accuracy-table") == [
        ["1", "Sở Tài chính", "2", "12,00", "11,00", "8,00", "3,00", "91,67", "66,67", "25,00"],
        ["2", "Sở Nội vụ", "1", "12,00", "12,00", "10,00", "2,00", "100,00", "83,33", "16,67"],
        ["3", "Sở Y tế", "3", "11,00", "6,50", "6,00", "0,50", "59,09", "54,55", "4,55"],
        ["1", "UBND quận Hải Châu", "1", "15,00", "15,50", "14,00", "1,50", "103,33", "93,33", "10,00"],
        ["2", "UBND quận Sơn Trà", "2", "15,00", "3,00", "3,50", "-0,50", "20,00", "23,33", "-3,33"],
    ]
    sections = re.findall(
        r'<section class="[^"]*accuracy-group" data-group="(\w+)"(.*?)</section>', html, re.S
    )
    figures = {group: dict(re.findall(r'data-figure="(\w+)">([^<]+)</dd>', body)) for group, body in sections}
    assert figures == {
        "SBN": {"min": "0,50", "median": "2,00", "max": "3,00", "mean": "1,83"},
        "QH": {"min": "-0,50", "median": "0,50", "max": "1,50", "mean": "0,50"},
    }
    data = json.loads(
        re.search(r'<script id="gap-chart-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    assert data["labels"] == ["< 0", "0", "0 – 2", "2 – 5", "5 – 10", "> 10"]
    assert data["datasets"] == [
        {"label": "Khối sở, ban, ngành", "data": [0, 0, 2, 1, 0, 0]},
        {"label": "Khối quận, huyện", "data": [1, 0, 1, 0, 0, 0]},
    ]
    assert '<canvas id="gap-chart"' in html


# --- navigation ------------------------------------------------------------------------------


def test_each_page_links_to_the_others_and_to_the_reports(client, council, fx):
    client.cookies["django_language"] = "en"
    for name, url in {**PAGES, "loss_detail": detail_url(fx, "1.1")}.items():
        html = get(client, url)
        for target in ("/", "/diem-bi-tru/", "/tham-dinh-vien/", "/tu-danh-gia/"):
            assert f'href="{BASE}{target}"' in html, (name, target)
        assert "Reports · CCHC 2025" in html
    detail = get(client, detail_url(fx, "1.1") + "?group=QH")
    assert f'<a href="{BASE}/diem-bi-tru/?group=QH">Where points were lost</a>' in detail


def test_viewers_see_no_link_to_reviewer_consistency(client, fx):
    client.force_login(UserFactory(username="xem", role=Role.VIEWER))
    html = get(client, PAGES["self_accuracy"])
    assert f'href="{BASE}/tham-dinh-vien/"' not in html
    assert f'href="{BASE}/diem-bi-tru/"' in html


def test_unpublished_figures_are_marked_before_results_are_computed(client):
    fx = build_analysis(publish=False)
    fx.period.results_computed_at = None
    fx.period.save()
    client.force_login(fx.council)
    html = get(client, PAGES["loss_analysis"])
    assert 'class="alert alert-info small"' in html
    # The figures are the same: they come from the final scores.
    assert loss_rows(html)[0] == ["1.1", "4,00", "5", "4", "6,00", "1,20"]


# --- permissions -----------------------------------------------------------------------------


def people(fx) -> dict:
    return {
        "officer A": UserFactory(username="canbo.a1", role=Role.OFFICER, agency=fx.agencies["A1"]),
        "officer B": UserFactory(username="canbo.b1", role=Role.OFFICER, agency=fx.agencies["B1"]),
        "head A": UserFactory(username="lanhdao.a1", role=Role.HEAD, agency=fx.agencies["A1"]),
        "reviewer assigned": fx.reviewers["R1"],
        "reviewer not assigned": UserFactory(username="thamdinh9", role=Role.REVIEWER),
        "viewer": UserFactory(username="xem", role=Role.VIEWER),
        "council": fx.council,
        "admin": UserFactory(username="quantri", role=Role.ADMIN),
    }


# role: (loss analysis, loss detail and self accuracy; reviewer consistency), published / not.
EXPECTED = {
    True: {
        "officer A": (403, 403),
        "officer B": (403, 403),
        "head A": (403, 403),
        "reviewer assigned": (200, 403),
        "reviewer not assigned": (200, 403),
        "viewer": (200, 403),
        "council": (200, 200),
        "admin": (200, 200),
    },
    False: {
        "officer A": (403, 403),
        "officer B": (403, 403),
        "head A": (403, 403),
        "reviewer assigned": (403, 403),
        "reviewer not assigned": (403, 403),
        "viewer": (403, 403),
        "council": (200, 200),
        "admin": (200, 200),
    },
}


@pytest.mark.parametrize("published", [True, False])
def test_who_may_read_the_analysis(client, published):
    fx = build_analysis(publish=published)
    urls = {**PAGES, "loss_detail": detail_url(fx, "1.2")}

    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/dang-nhap/?next={url}"
        assert client.post(url).status_code == 302

    for role, user in people(fx).items():
        client.force_login(user)
        reports, consistency = EXPECTED[published][role]
        for name, url in urls.items():
            expected = consistency if name == "reviewer_consistency" else reports
            response = client.get(url)
            assert response.status_code == expected, (role, name)
            if expected == 403:
                assert "Sở Tài chính" not in response.content.decode()
            # Read-only pages: a POST is refused whoever sends it.
            assert client.post(url).status_code == 405, (role, name)
        client.logout()


# --- bounded queries -------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 5])
def test_pages_run_the_same_number_of_queries_at_every_size(client, django_assert_num_queries, extra):
    fx = build_analysis(extra=extra)
    client.force_login(fx.council)
    # Session and user (2), period (1), then the analysis: five for the snapshot …
    for url, queries in (
        (PAGES["loss_analysis"], 8),
        (PAGES["loss_analysis"] + "?group=SBN&sort=-average", 8),
        (PAGES["reviewer_consistency"], 8),
        (PAGES["self_accuracy"], 8),
        # … the leaf with its groups (2), whether it has children (1), its field (1), then the
        # drill-down's scores (1) and assessments with results (2).
        (detail_url(fx, "1.2"), 10),
    ):
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200
    rows = table_rows(client.get(PAGES["self_accuracy"]).content.decode(), "accuracy-table")
    assert len(rows) == 5 + 2 * extra
