"""Component indices (chỉ số thành phần): each field's points over the field's maximum for the
agency, computed and stored with the results, frozen with a publication and shown on the
public page, the council's page and the conference workbook.

The year (tests/builders.py `build_component_year`), by hand:
- Sở Nội vụ: field 1 = 1.1 (5 of 6) + 1.2 (4 points, does not arise) → 5 ÷ 6 × 100 = 83,33…;
  field 2 = 8,5 of 10 → 85; index 13,5 ÷ 16 × 100 = 84,375.
- Sở Tài chính: field 1 = 6 + 3 of 10 → 90; field 2 = 7 of 10 → 70; index 16 ÷ 20 × 100 = 80.
"""

import re
from decimal import Decimal as D
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import Role
from ranking.models import Criterion, Publication, Result, Score
from ranking.results.compute import results_compute
from ranking.results.finalization import period_publish, period_reopen, results_approve
from tests.builders import build_component_year, table_rows
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/ket-qua/CCHC-2025/"
WORKBOOK = "/ket-qua/CCHC-2025/hoi-nghi.xlsx"
SHEET = "Khối sở, ban, ngành"
# Session, user, period, then the council's board (results, fields, tiers, counts, award list…).
COUNCIL_QUERIES = 12

# Rank, agency, total, maximum, index, tier, previous rank, change, then the component indices
# of fields 1 and 2 — Vietnamese formats. 2024: Sở Nội vụ ranked 1 (19 of 20), Sở Tài chính 2.
PUBLIC_ROWS = [
    ["1", "Sở Nội vụ", "13,50", "16,00", "84,38", "Tốt", "1", "=", "83,33", "85,00"],
    ["2", "Sở Tài chính", "16,00", "20,00", "80,00", "Tốt", "2", "=", "90,00", "70,00"],
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def council():
    return UserFactory(username="hoidong", role=Role.COUNCIL)


def publish(year, council) -> None:
    results_compute(period=year.reload())
    results_approve(user=council, period=year.reload())
    period_publish(user=council, period=year.reload())


def main(response) -> str:
    assert response.status_code == 200, response.request["PATH_INFO"]
    return re.search(r'<main id="main"[^>]*>(.*)</main>', response.content.decode(), re.S).group(1)


def headers(html: str, css_class: str) -> list[str]:
    table = re.search(rf'<table class="[^"]*\b{css_class}\b[^"]*">(.*?)</table>', html, re.S).group(1)
    head = re.search(r"<thead[^>]*>(.*?)</thead>", table, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]


def test_results_store_each_field_s_maximum_and_component_index():
    year = build_component_year()

    results_compute(period=year.period)

    stored = {
        r.agency.code: (r.field_maxima, r.field_indices)
        for r in Result.objects.filter(period=year.period).select_related("agency")
    }
    # Sở Nội vụ's field 1 loses the 4 points of 1.2, which did not arise: 6, not 10.
    assert {code: {f: D(v) for f, v in maxima.items()} for code, (maxima, _) in stored.items()} == {
        "SNV": {"1": D(6), "2": D(10)},
        "STC": {"1": D(10), "2": D(10)},
    }
    # Exact to the places of the index (10): 5 ÷ 6 × 100 = 83,3333333333.
    assert {code: indices for code, (_, indices) in stored.items()} == {
        "SNV": {"1": "83.3333333333", "2": "85.0000000000"},
        "STC": {"1": "90.0000000000", "2": "70.0000000000"},
    }
    snv = Result.objects.get(period=year.period, agency__code="SNV")
    assert (snv.total, snv.maximum, snv.index) == (D("13.5"), D(16), D("84.375"))


def test_the_public_page_shows_a_column_per_field_with_its_component_index(client, council):
    year = build_component_year()
    publish(year, council)

    html = main(client.get(PAGE))

    assert headers(html, "results-table") == [
        "Xếp hạng", "Đơn vị", "Tổng", "Điểm tối đa", "Chỉ số (%)", "Xếp loại", "Xếp hạng năm trước",
        "Thay đổi", "Lĩnh vực 1 (%)", "Lĩnh vực 2 (%)",
    ]  # fmt: skip
    assert table_rows(html, "results-table") == PUBLIC_ROWS


def test_the_council_s_page_shows_the_field_points_then_their_component_indices(client, council):
    year = build_component_year()
    results_compute(period=year.period)
    client.force_login(council)

    html = main(client.get(reverse("provisional_results", args=["CCHC-2025"])))

    # The index and tier first, in view at 1366 px; the per-field columns after them.
    assert headers(html, "results-table") == [
        "Xếp hạng", "Đơn vị", "Tổng", "Điểm tối đa", "Chỉ số (%)", "Xếp loại", "Xếp hạng năm trước",
        "Thay đổi", "1", "2", "Lĩnh vực 1 (%)", "Lĩnh vực 2 (%)",
    ]  # fmt: skip
    assert table_rows(html, "results-table") == [
        ["1", "Sở Nội vụ", "13,50", "16,00", "84,38", "Tốt", "1", "=", "5,00", "8,50", "83,33", "85,00"],
        ["2", "Sở Tài chính", "16,00", "20,00", "80,00", "Tốt", "2", "=", "9,00", "7,00", "90,00", "70,00"],
    ]


def test_the_conference_workbook_has_the_component_columns_after_the_field_columns(client, council):
    year = build_component_year()
    publish(year, council)

    ws = openpyxl.load_workbook(BytesIO(client.get(WORKBOOK).content))[SHEET]

    assert [c.value for c in ws[7]] == [
        "Xếp hạng", "Mã đơn vị", "Tên đơn vị", "1", "2", "Chỉ số thành phần 1 (%)", "Chỉ số thành phần 2 (%)",
        "Tổng điểm", "Điểm tối đa", "Chỉ số (%)", "Xếp loại", "Xếp hạng năm trước", "Thay đổi",
    ]  # fmt: skip
    # Numbers, rounded half up to 2 decimals as published, like the index.
    assert [c.value for c in ws[8]] == [
        1,
        "SNV",
        "Sở Nội vụ",
        5,
        8.5,
        83.33,
        85,
        13.5,
        16,
        84.38,
        "Tốt",
        1,
        0,
    ]
    assert [c.value for c in ws[9]] == [2, "STC", "Sở Tài chính", 9, 7, 90, 70, 16, 20, 80, "Tốt", 2, 0]
    assert (ws["F8"].data_type, ws["F8"].number_format, ws["G8"].number_format) == (
        "n",
        "#,##0.00",
        "#,##0.00",
    )


def test_the_publication_keeps_the_component_indices_through_a_rename_and_a_correction(client, council):
    year = build_component_year()
    publish(year, council)
    published = Publication.objects.get()
    assert [(row["agency"], row["field_indices"]) for row in published.results] == [
        ("SNV", {"1": "83.3333333333", "2": "85.0000000000"}),
        ("STC", {"1": "90.0000000000", "2": "70.0000000000"}),
    ]

    Criterion.objects.filter(period=year.period, code="1").update(
        title="Chỉ đạo, điều hành cải cách hành chính"
    )
    period_reopen(user=council, period=year.reload(), reason="Sửa điểm 2.1 của Sở Nội vụ")
    Score.objects.filter(
        assessment__agency__code="SNV", assessment__period=year.period, criterion__code="2.1"
    ).update(final_score=D(10))
    results_compute(period=year.reload())

    # The council's results now say 10 of 10 (100 %); the published version still says 85 %.
    assert Result.objects.get(period=year.period, agency__code="SNV").field_indices["2"] == "100.0000000000"
    assert table_rows(main(client.get(PAGE)), "results-table") == PUBLIC_ROWS
    ws = openpyxl.load_workbook(BytesIO(client.get(WORKBOOK).content))[SHEET]
    assert [ws["F8"].value, ws["G8"].value] == [83.33, 85]


def test_a_version_published_before_component_indices_shows_a_dash(client, council):
    year = build_component_year()
    publish(year, council)
    publication = Publication.objects.get()
    for row in publication.results:
        del row["field_maxima"], row["field_indices"]
    publication.save()

    html = main(client.get(PAGE))

    assert table_rows(html, "results-table") == [[*row[:8], "—", "—"] for row in PUBLIC_ROWS]
    # The workbook stays as such a version was published: no component columns.
    ws = openpyxl.load_workbook(BytesIO(client.get(WORKBOOK).content))[SHEET]
    assert [c.value for c in ws[7]][3:6] == ["1", "2", "Tổng điểm"]


@pytest.mark.parametrize("extra", [0, 1])
def test_the_results_pages_run_the_same_queries_for_one_agency_or_three(
    client, council, extra, django_assert_num_queries
):
    year = build_component_year(extra=extra)
    if not extra:
        year.agencies["STC"].assessments.get(period=year.period).delete()
    results_compute(period=year.period)
    assert Result.objects.filter(period=year.period).count() == 1 + 2 * extra
    client.force_login(council)

    with django_assert_num_queries(COUNCIL_QUERIES):
        assert client.get(reverse("provisional_results", args=["CCHC-2025"])).status_code == 200
    results_approve(user=council, period=year.reload())
    period_publish(user=council, period=year.reload())
    client.logout()
    # The period, its versions and the version shown.
    with django_assert_num_queries(3):
        assert client.get(PAGE).status_code == 200
