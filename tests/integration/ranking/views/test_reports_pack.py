"""The conference pack's pages (ranking/views/reports_pack.py): the reports index, year over
year, the workbook with a choice of sheets and columns, the printable certificate list — their
figures, their refusals and the number of queries they run.

Year over year uses `build_years` (tests/builders.py; the hand calculation is in the docstring
of ranking/reports/test_comparison.py), the workbook export `build_pack` (that of
ranking/reports/test_exports_pack.py). Requests are sent in English
(`django_language` cookie) where English msgids are asserted.
"""

import json
import re
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings

from accounts.models import Role
from ranking.enums import Phase
from ranking.models import Assessment, AwardEntry, Period
from tests.builders import build_pack, build_years
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A <script> without src that is not a JSON data block would be inline code (the CSP forbids it).
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_STYLE_OR_HANDLER = re.compile(r"<[^>]*\s(style|on[a-z]+)\s*=", re.I)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Factories hash a password for every user; the slow production hasher adds nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def text(html: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


class _Collector(HTMLParser):
    """The text inside every element carrying `data-<name>`, in document order."""

    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self, name: str):
        super().__init__()
        self.attribute = f"data-{name}"
        self.open: list[list] = []
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        for item in self.open:
            item[1] += 1
        value = dict(attrs).get(self.attribute)
        if value is not None:
            self.open.append([value, 0, []])

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        for item in list(self.open):
            if item[1] == 0:
                self.open.remove(item)
                self.found.append((item[0], " ".join(" ".join(item[2]).split())))
            else:
                item[1] -= 1

    def handle_data(self, data):
        for item in self.open:
            item[2].append(data)


def marked(html: str, name: str) -> list[tuple[str, str]]:
    """(value of data-<name>, text inside) of every element so marked, outermost last."""
    collector = _Collector(name)
    collector.feed(html)
    return collector.found


def section(html: str, css_class: str, attribute: str, value: str) -> str:
    match = re.search(
        rf'<section class="[^"]*\b{css_class}\b[^"]*" {attribute}="{re.escape(value)}".*?</section>',
        html,
        re.S,
    )
    assert match, (css_class, value)
    return match.group(0)


def assert_no_inline_code(html: str) -> None:
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE_OR_HANDLER.search(html)


# --- who may ----------------------------------------------------------------------------------


def people(years) -> dict:
    a, b = years.agencies["A"], years.agencies["B"]
    assigned = UserFactory(username="td-a", role=Role.REVIEWER)
    Assessment.objects.create(period=years.p2025, agency=a, reviewer=assigned)
    return {
        "officer A": UserFactory(username="cb-a", role=Role.OFFICER, agency=a),
        "officer B": UserFactory(username="cb-b", role=Role.OFFICER, agency=b),
        "head A": UserFactory(username="ld-a", role=Role.HEAD, agency=a),
        "reviewer assigned": assigned,
        "reviewer not assigned": UserFactory(username="td-khac", role=Role.REVIEWER),
        "viewer": UserFactory(username="xem", role=Role.VIEWER),
        "council": UserFactory(username="hoidong", role=Role.COUNCIL),
        "admin": UserFactory(username="quantri", role=Role.ADMIN, is_staff=True),
    }


GET_URLS = ["/bao-cao/{}/", "/bao-cao/{}/so-sanh/", "/bao-cao/{}/xuat/", "/bao-cao/{}/bang-khen/in/"]
# published: the council, administrators, reviewers and viewers; before: the council and administrators.
PUBLISHED = {
    "officer A": 403,
    "officer B": 403,
    "head A": 403,
    "reviewer assigned": 200,
    "reviewer not assigned": 200,
    "viewer": 200,
    "council": 200,
    "admin": 200,
}
UNPUBLISHED = {**PUBLISHED, "reviewer assigned": 403, "reviewer not assigned": 403, "viewer": 403}


@pytest.mark.parametrize("published", [True, False])
def test_who_may_open_the_pack(client, published):
    years = build_years()
    period = years.p2025
    if not published:
        period.phase = Phase.FINALIZATION
        period.save()
    users = people(years)
    expected = PUBLISHED if published else UNPUBLISHED

    for url in GET_URLS:
        url = url.format(period.code)
        client.logout()
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/dang-nhap/?next={url}"
        for role, user in users.items():
            client.force_login(user)
            assert client.get(url).status_code == expected[role], (url, role)

    url = f"/bao-cao/{period.code}/xuat/"
    client.logout()
    assert client.post(url, {"sheets": ["summary"]}).status_code == 302
    for role, user in users.items():
        client.force_login(user)
        response = client.post(url, {"sheets": ["summary"]})
        assert response.status_code == expected[role], (url, role)
        if expected[role] == 200:
            assert response["Content-Type"] == XLSX


def test_unknown_period_is_404(client):
    client.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))
    for url in GET_URLS:
        assert client.get(url.format("CCHC-1999")).status_code == 404


def test_pages_answer_only_their_methods(client):
    years = build_years()
    client.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))
    for url in ("/bao-cao/{}/", "/bao-cao/{}/so-sanh/", "/bao-cao/{}/bang-khen/in/"):
        assert client.post(url.format(years.p2025.code)).status_code == 405
    assert client.delete(f"/bao-cao/{years.p2025.code}/xuat/").status_code == 405


# --- the index --------------------------------------------------------------------------------


def test_index_links_every_report_and_every_agency(english):
    build_years()
    english.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))

    response = english.get("/bao-cao/CCHC-2025/")

    assert response.status_code == 200
    html = response.content.decode()
    assert_no_inline_code(html)
    links = re.findall(r'<a class="card[^"]*report-link" href="([^"]+)"', html)
    assert links == [
        "/bao-cao/CCHC-2025/diem-bi-tru/",
        "/bao-cao/CCHC-2025/tham-dinh-vien/",
        "/bao-cao/CCHC-2025/tu-danh-gia/",
        "/bao-cao/CCHC-2025/so-sanh/",
        "/bao-cao/CCHC-2025/xuat/",
        "/bao-cao/CCHC-2025/bang-khen/in/",
    ]
    assert "Reviewer consistency" in html
    # Agencies per group, by rank, each linking to its report.
    groups = [value for value, _ in marked(html, "group")]
    assert groups == ["SBN", "QH"]
    agencies = marked(html, "agency")
    assert agencies[:8] == [
        ("B", "1 Sở Bình Rất tốt"),
        ("C", "2 Sở Cường Tốt"),
        ("D", "3 Sở Dũng Tốt"),
        ("E", "4 Sở Em Khá"),
        ("F", "5 Sở Phúc Khá"),
        ("G", "6 Sở Giang Trung bình"),
        ("A", "7 Sở An Khá"),
        ("H", "8 Sở Hải Trung bình"),
    ]
    assert [code for code, _ in agencies[8:]] == ["Q3", "Q1", "M", "Q4", "Q2"]
    assert '<a href="/bao-cao/CCHC-2025/don-vi/Q3/">Quận Ba</a>' in html
    assert 'href="/hoi-dong/CCHC-2025/"' in html
    assert 'href="/ket-qua/CCHC-2025/"' in html


def test_the_index_offers_no_award_list_to_print_before_it_is_approved(english):
    """The printout is refused (409) until the council approves the list: the index names it as
    not yet approved, without a link that would only lead to the refusal."""
    build_years()
    Period.objects.filter(code="CCHC-2025").update(awards_approved_at=None)
    english.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))

    html = english.get("/bao-cao/CCHC-2025/").content.decode()

    links = re.findall(r'<a class="card[^"]*report-link" href="([^"]+)"', html)
    assert links[-1] == "/bao-cao/CCHC-2025/xuat/"
    assert "/bao-cao/CCHC-2025/bang-khen/in/" not in html
    assert '<div class="card h-100 shadow-sm report-link">' in html
    assert "Not yet approved" in html
    assert english.get("/bao-cao/CCHC-2025/bang-khen/in/").status_code == 409


def test_index_without_results_lists_the_assessed_agencies(english):
    years = build_years()
    english.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))
    Assessment.objects.create(period=years.p2026, agency=years.agencies["A"])
    Assessment.objects.create(period=years.p2026, agency=years.agencies["Q2"])

    html = english.get("/bao-cao/CCHC-2026/").content.decode()

    # Q1 has a result; A and Q2 are assessed without one yet.
    assert marked(html, "agency") == [("A", "— Sở An"), ("Q1", "1 Quận Một Rất tốt"), ("Q2", "— Quận Hai")]
    assert "The results of this period have not been computed yet" in html
    assert "Not yet approved" in html


def test_index_for_a_viewer_leaves_out_what_is_the_councils(english):
    years = build_years()
    english.force_login(UserFactory(username="xem", role=Role.VIEWER))

    html = english.get(f"/bao-cao/{years.p2025.code}/").content.decode()

    assert "/tham-dinh-vien/" not in html
    assert "Reviewer consistency" not in html
    assert 'href="/hoi-dong/CCHC-2025/"' not in html
    assert "/bao-cao/CCHC-2025/so-sanh/" in html


# --- year over year ---------------------------------------------------------------------------


def test_year_over_year_page_shows_movers_tiers_and_the_chart(english):
    build_years()
    english.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))

    response = english.get("/bao-cao/CCHC-2025/so-sanh/")

    assert response.status_code == 200
    html = response.content.decode()
    assert_no_inline_code(html)
    # Compared by default with the period's previous one; earlier years offered, newest first.
    assert re.findall(r'<option value="([^"]+)"( selected)?>', html) == [
        ("CCHC-2024", " selected"),
        ("CCHC-2023", ""),
    ]
    departments = section(html, "group-comparison", "data-group", "SBN")
    assert marked(departments, "figure") == [("rose", "3"), ("kept", "3"), ("lost", "1"), ("new", "1")]
    lists = dict(marked(departments, "list"))
    assert lists["risers"].startswith("Agency 2024 2025 Change Sở Bình 2 1 ▲1 Sở Cường 3 2 ▲1")
    assert lists["risers"].endswith("Sở Phúc 6 5 ▲1")
    assert "Sở Giang" not in lists["risers"]  # the sixth riser is cut
    assert lists["fallers"] == "Agency 2024 2025 Change Sở An 1 7 ▼6"
    assert lists["rose"] == "Sở Bình: Tốt → Rất tốt Sở Dũng: Khá → Tốt Sở Phúc: Trung bình → Khá"
    assert lists["lost"] == "Sở An: Rất tốt → Khá"
    rows = dict(marked(departments, "agency"))
    assert rows["A"] == "7 Sở An 75.00 1 ▼6 Rất tốt Khá ▼2"
    assert rows["H"] == "8 Sở Hải 60.00 — new — Trung bình —"

    districts = section(html, "group-comparison", "data-group", "QH")
    assert marked(districts, "figure") == [("rose", "1"), ("kept", "2"), ("lost", "2"), ("new", "0")]
    lists = dict(marked(districts, "list"))
    assert lists["fallers"] == "Agency 2024 2025 Change Quận Hai 2 5 ▼3 Quận Một 1 2 ▼1"
    rows = dict(marked(districts, "agency"))
    assert rows["M"] == "3 Sở Minh ranked in Khối sở, ban, ngành last time 85.00 8 — Tốt Tốt ="
    assert rows["Q2"] == "5 Quận Hai 40.00 2 ▼3 Tốt Yếu ▼3"

    # Tiers per year: the table, and the chart's data for yoy.js.
    assert marked(html, "period") == [
        ("CCHC-2023", "2023 2 1 0 0 0 1 4"),
        ("CCHC-2024", "2024 2 5 3 2 0 0 12"),
        ("CCHC-2025", "2025 3 3 3 3 1 0 13"),
    ]
    data = re.search(r'<script id="yoy-chart-data" type="application/json">(.*?)</script>', html, re.S)
    assert json.loads(data.group(1)) == {
        "labels": ["2023", "2024", "2025"],
        "datasets": [
            {"label": "Rất tốt", "data": [2, 2, 3]},
            {"label": "Tốt", "data": [1, 5, 3]},
            {"label": "Khá", "data": [0, 3, 3]},
            {"label": "Trung bình", "data": [0, 2, 3]},
            {"label": "Yếu", "data": [0, 0, 1]},
            {"label": "Xuất sắc", "data": [1, 0, 0]},
        ],
    }
    assert '<script src="/static/js/yoy.js"></script>' in html
    assert '<script src="/static/vendor/chart.js/chart.umd.js"></script>' in html


def test_year_over_year_with_past_results(english):
    build_years()
    english.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))

    html = english.get("/bao-cao/CCHC-2024/so-sanh/?with=CCHC-2023").content.decode()

    assert "Last year's ranks and tiers come from the imported published results." in html
    departments = section(html, "group-comparison", "data-group", "SBN")
    assert marked(departments, "figure") == [("rose", "0"), ("kept", "2"), ("lost", "1"), ("new", "4")]
    rows = dict(marked(departments, "agency"))
    assert rows["B"] == "2 Sở Bình 85.00 1 ▼1 rất tốt Tốt ▼1"
    assert rows["D"] == "4 Sở Dũng 75.00 4 = Xuất sắc Khá —"


def test_year_over_year_refuses_other_subjects_later_years_and_hidden_years(client):
    years = build_years()
    client.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))

    assert client.get("/bao-cao/CCHC-2025/so-sanh/?with=VTLT-2025").status_code == 404
    assert client.get("/bao-cao/CCHC-2025/so-sanh/?with=CCHC-2026").status_code == 404
    assert client.get("/bao-cao/CCHC-2025/so-sanh/?with=CCHC-2025").status_code == 404
    assert client.get("/bao-cao/CCHC-2025/so-sanh/?with=KHONG-CO").status_code == 404
    # The council may compare the running year with the last one, a viewer may not see it.
    assert client.get("/bao-cao/CCHC-2026/so-sanh/?with=CCHC-2025").status_code == 200
    years.p2024.phase = Phase.FINALIZATION
    years.p2024.save()
    client.force_login(UserFactory(username="xem", role=Role.VIEWER))
    assert client.get("/bao-cao/CCHC-2025/so-sanh/?with=CCHC-2024").status_code == 403


def test_year_over_year_for_a_viewer_hides_unpublished_years(english):
    years = build_years()
    years.p2024.phase = Phase.FINALIZATION
    years.p2024.save()
    english.force_login(UserFactory(username="xem", role=Role.VIEWER))

    html = english.get("/bao-cao/CCHC-2025/so-sanh/").content.decode()

    # 2024 is not published: no comparison with it, no bar for it, not offered.
    assert [value for value, _ in marked(html, "period")] == ["CCHC-2023", "CCHC-2025"]
    assert re.findall(r'<option value="([^"]+)"', html) == ["CCHC-2023"]
    assert "There is no earlier period of this subject to compare with." in html
    assert marked(section(html, "group-comparison", "data-group", "SBN"), "figure") == []


def test_year_over_year_of_a_first_year(english):
    build_years()
    english.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))

    html = english.get("/bao-cao/VTLT-2025/so-sanh/").content.decode()

    assert "There is no earlier period of this subject to compare with." in html
    assert '<select class="form-select" id="compare-with" name="with" disabled>' in html
    assert dict(marked(html, "agency")) == {"Q1": "1 Quận Một 95.00 Xuất sắc"}


# --- the workbook -----------------------------------------------------------------------------


def test_export_form_offers_every_sheet_and_column_checked(english):
    build_pack()
    english.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))

    response = english.get("/bao-cao/CCHC-2025/xuat/")

    assert response.status_code == 200
    html = response.content.decode()
    assert_no_inline_code(html)
    checked = re.findall(
        r'<input type="checkbox" name="(\w+)" value="(\w+)" class="form-check-input"[^>]* checked>', html
    )
    assert [value for name, value in checked if name == "sheets"] == [
        "groups", "summary", "awards", "chart", "details", "year_over_year", "tiers_per_year", "losses",
        "heat_map", "self_accuracy", "reviewers",
    ]  # fmt: skip
    assert [value for name, value in checked if name == "group_columns"] == [
        "rank", "code", "name", "fields", "components", "total", "maximum", "index", "tier", "previous_rank",
        "change",
    ]  # fmt: skip
    assert [value for name, value in checked if name == "detail_columns"] == [
        "group", "rank", "code", "name", "total", "index", "tier", "self", "reviewed", "final",
    ]  # fmt: skip
    assert "sheet “Chi tiết”" in html


def test_export_returns_exactly_the_chosen_sheets_and_columns(client):
    build_pack()
    client.force_login(UserFactory(username="xem", role=Role.VIEWER))

    response = client.post(
        "/bao-cao/CCHC-2025/xuat/",
        {
            "sheets": ["details", "groups", "year_over_year"],
            "group_columns": ["rank", "name", "index"],
            "detail_columns": ["code", "self", "final"],
        },
    )

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="hoi-nghi-CCHC-2025.xlsx"'
    workbook = openpyxl.load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["Khối sở, ban, ngành", "Khối quận, huyện", "Chi tiết", "So sánh năm"]
    departments = workbook["Khối sở, ban, ngành"]
    assert [c.value for c in departments[7]] == ["Xếp hạng", "Tên đơn vị", "Chỉ số (%)"]
    # (The signature blocks follow the table.)
    assert [[c.value for c in row] for row in departments.iter_rows(min_row=8, max_row=9)] == [
        [1, "Sở Nội vụ", 85],
        [2, "Sở Tài chính", 70],
    ]
    details = workbook["Chi tiết"]
    assert [c.value for c in details[7]] == ["Mã đơn vị", "1.1", None, "1.2", None, "2.1", None, "2.2", None]
    assert [c.value for c in details[8]] == [None] + ["Tự đánh giá", "Cuối cùng"] * 4
    assert [[c.value for c in row] for row in details.iter_rows(min_row=9)] == [
        ["SNV", 9, 8.5, -0.5, -1, 10, 9.5, None, None],
        ["STC", 10, 7, 0, 0, "KPS", "KPS", None, None],
        ["SXD", 6, None, None, None, None, None, None, None],
        ["QHC", 8, 8, None, None, 7, 6.5, 5, 4],
    ]


def test_export_refuses_what_cannot_be_made(english):
    build_pack()
    english.force_login(UserFactory(username="xem", role=Role.VIEWER))

    nothing = english.post("/bao-cao/CCHC-2025/xuat/", {})
    # Reviewer consistency is the council's: a viewer is not offered it and may not ask for it.
    consistency = english.post("/bao-cao/CCHC-2025/xuat/", {"sheets": ["reviewers"]})
    no_columns = english.post("/bao-cao/CCHC-2025/xuat/", {"sheets": ["groups", "details"]})

    assert nothing.status_code == consistency.status_code == no_columns.status_code == 422
    assert nothing["Content-Type"].startswith("text/html")
    assert "Choose at least one sheet." in nothing.content.decode()
    assert "Select a valid choice. reviewers is not one of the available choices." in text(
        consistency.content.decode()
    )
    assert 'value="reviewers"' not in consistency.content.decode()
    errors = [m for m in re.findall(r'field-error">([^<]+)<', no_columns.content.decode())]
    assert errors == [
        "Choose at least one column for the group sheets.",
        "Choose at least one column for the sheet “Chi tiết”.",
    ]
    # What the user had ticked stays ticked.
    assert re.findall(r'name="sheets" value="(\w+)"[^>]* checked', no_columns.content.decode()) == [
        "groups",
        "details",
    ]


def test_council_may_export_reviewer_consistency(client):
    build_pack()
    client.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))

    response = client.post("/bao-cao/CCHC-2025/xuat/", {"sheets": ["reviewers"]})

    assert response.status_code == 200
    assert openpyxl.load_workbook(BytesIO(response.content)).sheetnames == ["Thẩm định viên"]


# --- the printable certificate list -----------------------------------------------------------


def add_awards(years, extra: int = 0) -> None:
    for code in ("Q1", "B", "Q3"):
        AwardEntry.objects.create(period=years.p2025, agency=years.agencies[code])
    AwardEntry.objects.create(
        period=years.p2025, agency=years.agencies["C"], included=False, reason="Kỷ luật"
    )
    AwardEntry.objects.create(period=years.vtlt, agency=years.agencies["Q1"])
    for n in range(extra):
        AwardEntry.objects.create(period=years.p2025, agency=years.agencies[f"X{n:02d}"])


def test_award_list_prints_both_subjects_one_page_each(english):
    years = build_years()
    add_awards(years)
    english.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))

    for code in ("CCHC-2025", "VTLT-2025"):
        response = english.get(f"/bao-cao/{code}/bang-khen/in/")
        assert response.status_code == 200
        html = response.content.decode()
        assert_no_inline_code(html)
        # The same printout from either subject: CCHC first, then VTLT.
        assert [value for value, _ in marked(html, "period")] == ["CCHC-2025", "VTLT-2025"]

    cchc = section(html, "award-sheet", "data-period", "CCHC-2025")
    assert text(cchc).startswith(
        "UBND THÀNH PHỐ ĐÀ NẴNG SỞ NỘI VỤ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc "
        "Đà Nẵng, ngày … tháng … năm … "
        "DANH SÁCH ĐƠN VỊ ĐƯỢC TẶNG BẰNG KHEN Kết quả xếp hạng chỉ số cải cách hành chính năm 2025 "
        "STT Đơn vị Khối Chỉ số Xếp loại"
    )
    # Group order, then rank; the council's removal left out; Vietnamese numbers in any language.
    assert marked(cchc, "agency") == [
        ("B", "1 Sở Bình Khối sở, ban, ngành 95,00 Rất tốt"),
        ("Q3", "2 Quận Ba Khối quận, huyện 95,00 Rất tốt"),
        ("Q1", "3 Quận Một Khối quận, huyện 95,00 Rất tốt"),
    ]
    assert "Tổng cộng: 3 đơn vị." in text(cchc)
    vtlt = section(html, "award-sheet", "data-period", "VTLT-2025")
    assert "Kết quả xếp hạng công tác văn thư – lưu trữ năm 2025" in text(vtlt)
    assert marked(vtlt, "agency") == [("Q1", "1 Quận Một Khối quận, huyện 95,00 Xuất sắc")]
    # The print stylesheet: one subject per page, no navigation on paper.
    assert '<link rel="stylesheet" href="/static/css/print.css">' in html
    assert '<button type="button" class="btn btn-primary" data-print>' in html
    css = (Path(settings.BASE_DIR) / "static/css/print.css").read_text()
    print_rules = css[css.index("@media print") :]
    assert re.search(r"\.award-sheet \{\s*break-after: page;", print_rules)
    assert re.search(r"header,\s*footer,\s*\.d-print-none", print_rules)
    assert "size: A4 portrait" in css


def test_award_list_of_the_other_subject_only_once_approved_and_readable(english):
    years = build_years()
    add_awards(years)
    years.vtlt.phase = Phase.FINALIZATION
    years.vtlt.save()
    english.force_login(UserFactory(username="xem", role=Role.VIEWER))

    # Approved but not published: a viewer does not see VTLT.
    html = english.get("/bao-cao/CCHC-2025/bang-khen/in/").content.decode()
    assert [value for value, _ in marked(html, "period")] == ["CCHC-2025"]
    assert "One page, ready for the ceremony." in html

    years.vtlt.awards_approved_at = None
    years.vtlt.save()
    english.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))
    html = english.get("/bao-cao/CCHC-2025/bang-khen/in/").content.decode()
    assert [value for value, _ in marked(html, "period")] == ["CCHC-2025"]


def test_award_list_not_approved_is_not_printed(english):
    years = build_years()
    add_awards(years)
    Period.objects.filter(pk=years.p2025.pk).update(phase=Phase.FINALIZATION, awards_approved_at=None)
    english.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))

    response = english.get("/bao-cao/CCHC-2025/bang-khen/in/")

    assert response.status_code == 409
    html = response.content.decode()
    assert "The list is not approved yet" in html
    assert "The certificate-of-merit list of CCHC 2025 has not been approved by the council yet." in text(
        html
    )
    assert "DANH SÁCH ĐƠN VỊ ĐƯỢC TẶNG BẰNG KHEN" not in html
    assert "Sở Bình" not in html


# --- bounded queries --------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 6])
def test_pages_run_the_same_queries_at_any_size(client, extra, django_assert_num_queries):
    years = build_years(extra)
    add_awards(years, extra)
    client.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))
    pages = {
        # session, user, period, then: results, assessments
        "/bao-cao/CCHC-2025/": 5,
        # + previous period, tiers, results now and then, periods, two counts, comparable periods
        "/bao-cao/CCHC-2025/so-sanh/": 11,
        # + periods of the year, and per subject: its last publication (none here), then
        # award entries and their results
        "/bao-cao/CCHC-2025/bang-khen/in/": 10,
        "/bao-cao/CCHC-2025/xuat/": 3,
    }
    for url, queries in pages.items():
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200, url
    html = client.get("/bao-cao/CCHC-2025/").content.decode()
    assert len(marked(html, "agency")) == 13 + extra
    html = client.get("/bao-cao/CCHC-2025/bang-khen/in/").content.decode()
    assert len(marked(html, "agency")) == 4 + extra


@pytest.mark.parametrize("extra", [0, 4])
def test_export_runs_the_same_queries_at_any_size(client, extra, django_assert_num_queries):
    build_pack(extra)
    client.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))

    # session, user, period, then the whole pack (27, see test_exports_pack)
    with django_assert_num_queries(30):
        response = client.post(
            "/bao-cao/CCHC-2025/xuat/",
            {
                "sheets": ["groups", "summary", "awards", "chart", "details", "year_over_year",
                           "tiers_per_year", "losses", "heat_map", "self_accuracy", "reviewers"],
                "group_columns": ["rank", "name"],
                "detail_columns": ["code", "final"],
            },
        )  # fmt: skip

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(BytesIO(response.content))
    assert workbook["Chi tiết"].max_row == 8 + 4 + extra
