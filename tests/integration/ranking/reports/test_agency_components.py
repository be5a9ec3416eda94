"""The agency report's component indices: each field's index and its change since the previous
period, on the page, the printout and the Excel export.

By hand (tests/builders.py `build_component_year`):
- Sở Nội vụ 2025: field 1 = 5 of 6 (1.2 did not arise) → 83,33 %; 2024: 9 of 10 → 90 %;
  change 83,333… − 90 = −6,67 points. Field 2: 8,5 of 10 → 85 %; 2024 had no field 2: “—”.
- Sở Tài chính 2025: field 1 = 9 of 10 → 90 %; 2024: 6 of 10 → 60 %; change +30 points.
"""

import re
from decimal import Decimal as D
from io import BytesIO

import openpyxl
import pytest

from accounts.models import Role
from ranking.models import Publication
from ranking.reports.agency import agency_report
from ranking.results.compute import results_compute
from ranking.results.finalization import period_publish, results_approve
from tests.builders import build_component_year, table_rows
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/bao-cao/CCHC-2025/don-vi/{code}/"
PRINT = "/bao-cao/CCHC-2025/don-vi/{code}/in/"
XLSX = "/bao-cao/CCHC-2025/don-vi/{code}/bao-cao.xlsx"
FIELD_1 = "Công tác chỉ đạo, điều hành CCHC"
FIELD_2 = "Cải cách thủ tục hành chính"

# Field, maximum for the agency, final score, component index, 2024, change (percentage points).
SNV_ROWS = [
    [f"1. {FIELD_1}", "6,00", "5,00", "83,33", "90,00", "-6,67"],
    [f"2. {FIELD_2}", "10,00", "8,50", "85,00", "—", "—"],
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def council():
    return UserFactory(username="hoidong", role=Role.COUNCIL)


def computed(extra: int = 0):
    year = build_component_year(extra=extra)
    results_compute(period=year.period)
    return year


def test_the_report_carries_each_field_s_component_index_and_its_change():
    year = computed()

    snv = agency_report(period=year.reload(), agency=year.agencies["SNV"])
    stc = agency_report(period=year.reload(), agency=year.agencies["STC"])

    assert [
        (c.code, c.title, c.maximum, c.points, c.index, c.previous, c.change) for c in snv.components
    ] == [
        ("1", FIELD_1, D(6), D(5), D("83.3333333333"), D(90), D("-6.67")),
        ("2", FIELD_2, D(10), D("8.5"), D(85), None, None),
    ]
    assert [(c.index, c.previous, c.change) for c in stc.components] == [
        (D(90), D(60), D("30.00")),
        (D(70), None, None),
    ]


@pytest.mark.parametrize("url", [PAGE, PRINT])
def test_the_page_and_the_printout_show_the_component_indices_with_their_change(client, council, url):
    computed()
    client.force_login(council)

    snv = client.get(url.format(code="SNV")).content.decode()
    stc = client.get(url.format(code="STC")).content.decode()

    assert table_rows(snv, "components-table") == SNV_ROWS
    assert table_rows(stc, "components-table") == [
        [f"1. {FIELD_1}", "10,00", "9,00", "90,00", "60,00", "+30,00"],
        [f"2. {FIELD_2}", "10,00", "7,00", "70,00", "—", "—"],
    ]
    heads = re.search(r'<table class="[^"]*components-table[^"]*">.*?<thead[^>]*>(.*?)</thead>', snv, re.S)
    assert [
        re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", heads.group(1), re.S)
    ] == [
        "Lĩnh vực",
        "Điểm tối đa của đơn vị",
        "Điểm cuối cùng",
        "Chỉ số thành phần (%)",
        "Kỳ trước (%)",
        "Thay đổi (điểm phần trăm)",
    ]


def section_rows(ws, title: str) -> list[tuple]:
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == title)
    found = []
    for row in rows[start + 1 :]:
        if all(v is None for v in row):
            break
        found.append(row[:7])
    return found


def test_the_excel_report_has_a_component_indices_section(client, council):
    computed()
    client.force_login(council)

    response = client.get(XLSX.format(code="SNV"))

    assert response.status_code == 200
    ws = openpyxl.load_workbook(BytesIO(response.content)).active
    rows = section_rows(ws, "Chỉ số thành phần")
    assert rows == [
        (
            "Mã",
            "Lĩnh vực",
            "Điểm tối đa của đơn vị",
            "Điểm cuối cùng",
            "Chỉ số thành phần (%)",
            "Kỳ trước (%)",
            "Thay đổi (điểm phần trăm)",
        ),
        ("1", FIELD_1, 6, 5, 83.3333333333, 90, -6.67),
        ("2", FIELD_2, 10, 8.5, 85, "—", "—"),
    ]
    title = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Chỉ số thành phần")
    first = title + 2  # below the header: field 1
    assert ws.cell(first, 1).value == "1"
    assert [ws.cell(first, c).number_format for c in (5, 6, 7)] == [
        "#,##0.00",
        "#,##0.00",
        "+#,##0.00;-#,##0.00;0.00",
    ]


def test_a_published_report_reads_the_publication_and_an_older_one_shows_dashes(client, council):
    year = computed()
    results_approve(user=council, period=year.reload())
    period_publish(user=council, period=year.reload())
    client.force_login(council)
    assert table_rows(client.get(PAGE.format(code="SNV")).content.decode(), "components-table") == SNV_ROWS

    publication = Publication.objects.get()
    for row in publication.results:
        del row["field_maxima"], row["field_indices"]
    publication.save()

    assert table_rows(client.get(PAGE.format(code="SNV")).content.decode(), "components-table") == [
        [f"1. {FIELD_1}", "—", "5,00", "—", "90,00", "—"],
        [f"2. {FIELD_2}", "—", "8,50", "—", "—", "—"],
    ]


@pytest.mark.parametrize("extra", [0, 1])
def test_the_report_runs_the_same_queries_for_one_agency_or_three(
    client, council, extra, django_assert_num_queries
):
    year = build_component_year(extra=extra)
    if not extra:
        year.agencies["STC"].assessments.get(period=year.period).delete()
    results_compute(period=year.period)
    client.force_login(council)

    # As tests/integration/ranking/views/test_reports_agency.py counts them: the component
    # indices and last year's come with the result and the history already read.
    with django_assert_num_queries(17):
        assert client.get(PAGE.format(code="SNV")).status_code == 200
