"""The agency's assessment page as a compact grid (its default on a wide window): one row per leaf, the sticky
totals, the field subtotals with their share of the maximum, the filters' flags, and saves that
answer with the row and the totals; the same permission and phase rules as the detailed page.

`SelfAssessmentYear` (tests/builders.py): field 1 holds 1.1 (2 points, step 0,5, evidence
required), 1.2 (choice, 1) and 1.3 (yes/no, 1); field 2 a deduction 2.1, a bonus 2.2 and the
survey leaf 2.3 (3). The maximum is 4 + 3 = 7.
"""

import re
from decimal import Decimal

import pytest

from ranking.assessments.services import score_self_set
from ranking.enums import AssessmentStatus, Phase
from ranking.models import Assessment, Criterion, Period, Score
from tests.builders import HTMX, SelfAssessmentYear
from tests.factories import CriterionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def wide_window(client):
    """The cookie static/js/app.js writes in a window at least 992 px wide."""
    client.cookies["man-hinh"] = "rong"


@pytest.fixture
def year():
    year = SelfAssessmentYear()
    score_self_set(
        user=year.officer_a,
        assessment=year.assessment,
        criterion_id=year.number.pk,
        value=Decimal("1.5"),
        note="Đã ban hành",
    )
    return year


def element(html: str, element_id: str) -> str:
    match = re.search(rf'<(\w+) id="{element_id}"[^>]*>.*?</\1>', html, re.DOTALL)
    assert match, element_id
    return match.group(0)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def row_tag(html: str, criterion) -> str:
    return re.search(rf'<tr id="row-{criterion.pk}"[^>]*>', html).group(0)


def test_the_grid_shows_totals_subtotals_shares_and_counts(client, year):
    client.force_login(year.officer_a)
    response = client.get(year.url())

    assert response.status_code == 200
    html = response.content.decode()
    assert text(element(html, "grid-totals")) == (
        "Tổng 1,5 / 7 Chỉ số 21,43 % Đã chấm 1/3 tiêu chí 33% 1 tiêu chí thiếu tài liệu kiểm chứng"
    )
    field1, field2 = year.number.parent_id, year.survey.parent_id
    assert text(element(html, f"gsub-{field1}")) == "1,5 / 4 · 37,50%"
    assert text(element(html, f"gsub-{field2}")) == "0 / 3 · 0,00%"
    assert html.count('<tr id="row-') == 6
    # The jump menu names both fields; the detailed view is one link away.
    assert f'<option value="gfield-{field1}">1. Công tác chỉ đạo, điều hành</option>' in html
    assert 'href="?xem=chi-tiet"' in html
    assert 'id="leaf-' not in html


def test_each_row_carries_the_flags_the_filters_read(client, year):
    score_self_set(
        user=year.officer_a, assessment=year.assessment, criterion_id=year.choice.pk, value=Decimal(1)
    )
    Score.objects.filter(assessment=year.assessment, criterion=year.choice).update(
        reviewed_score=Decimal("0.5")
    )
    client.force_login(year.officer_a)
    html = client.get(year.url()).content.decode()

    assert (
        row_tag(html, year.number)
        == f'<tr id="row-{year.number.pk}" data-row="{year.number.pk}" data-missing>'
    )
    assert (
        row_tag(html, year.choice)
        == f'<tr id="row-{year.choice.pk}" data-row="{year.choice.pk}" data-differs>'
    )
    assert (
        row_tag(html, year.yesno) == f'<tr id="row-{year.yesno.pk}" data-row="{year.yesno.pk}" data-unscored>'
    )
    # Bonus and deduction need no score: never "not scored".
    assert row_tag(html, year.bonus) == f'<tr id="row-{year.bonus.pk}" data-row="{year.bonus.pk}">'
    for flag in ("unscored", "missing", "differs"):
        assert f'data-filter="{flag}"' in html


def test_every_input_is_labelled_with_its_leaf_code(client, year):
    client.force_login(year.officer_a)
    html = client.get(year.url()).content.decode()
    row = element(html, f"row-{year.number.pk}")

    assert (
        '<input name="value" value="1,5" inputmode="decimal" autocomplete="off" data-col="0" '
        'aria-label="Điểm tự đánh giá 1.1" title="từ 0 đến 2, bước điểm 0,5">'
    ) in row
    assert (
        '<textarea name="note" rows="1" data-col="1" aria-label="Ghi chú 1.1">Đã ban hành</textarea>' in row
    )
    assert f'id="gs-{year.number.pk}" data-version="2"' in row
    # The survey leaf is entered by the council: no input for the agency.
    assert "data-col" not in element(html, f"row-{year.survey.pk}")
    assert len(re.findall(r"<input name=\"value\"", html)) == 5


def test_a_grid_save_answers_with_the_row_the_totals_and_the_subtotals(client, year):
    client.force_login(year.officer_a)
    response = client.post(
        year.save_url(year.choice),
        {"value": "0,5", "note": "Quý IV chậm", "version": "1", "grid": "1"},
        **HTMX,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<table><tbody><tr id="row-{year.choice.pk}" data-row="{year.choice.pk}">')
    assert (
        f'<td id="gs-{year.choice.pk}" data-version="2"><span class="text-success">✓ Đã lưu</span></td>'
        in html
    )
    assert html.count('hx-swap-oob="true"') == 1 + 2
    assert text(element(html, "grid-totals")).startswith("Tổng 2 / 7 Chỉ số 28,57 % Đã chấm 2/3 tiêu chí")
    assert text(element(html, f"gsub-{year.number.parent_id}")) == "2 / 4 · 50,00%"
    score = Score.objects.get(assessment=year.assessment, criterion=year.choice)
    assert (score.self_score, score.note, score.version) == (Decimal("0.5"), "Quý IV chậm", 2)


def test_a_refused_grid_save_says_why_in_the_row_and_keeps_the_value(client, year):
    client.force_login(year.officer_a)
    response = client.post(year.save_url(year.number), {"value": "12", "version": "2", "grid": "1"}, **HTMX)

    assert response.status_code == 422
    row = element(response.content.decode(), f"row-{year.number.pk}")
    assert 'value="12"' in row
    assert re.search(
        rf'<td id="gs-{year.number.pk}" data-version="2">'
        r'<span class="text-danger" role="alert">[^<]*2[^<]*</span>',
        row,
    )
    assert Score.objects.get(assessment=year.assessment, criterion=year.number).self_score == Decimal("1.5")


def test_a_stale_grid_save_gets_409_with_the_newer_value(client, year):
    client.force_login(year.officer_a)
    response = client.post(year.save_url(year.number), {"value": "2", "version": "1", "grid": "1"}, **HTMX)

    assert response.status_code == 409
    assert "HX-Retarget" not in response
    row = element(response.content.decode(), f"row-{year.number.pk}")
    assert 'value="1,5"' in row and 'data-version="2"' in row
    assert Score.objects.get(assessment=year.assessment, criterion=year.number).self_score == Decimal("1.5")


def test_another_agency_cannot_open_the_grid_nor_a_leaf(client, year):
    client.force_login(year.officer_b)
    assert client.get(year.url()).status_code == 403
    assert client.get(year.url("?xem=chi-tiet")).status_code == 403
    assert client.get(year.url(f"chi-tiet/{year.number.pk}/")).status_code == 403


def test_out_of_the_self_assessment_phase_the_grid_is_read_only(client, year):
    year.period.phase = Phase.APPRAISAL
    year.period.save()
    client.force_login(year.officer_a)
    html = client.get(year.url()).content.decode()

    assert "data-col" not in html
    row = element(html, f"row-{year.number.pk}")
    assert '<td class="num">1,5</td>' in row
    assert "<td>Đã ban hành</td>" in row


def test_a_leaf_s_details_open_with_its_guidance_and_evidence_form(client, year):
    client.force_login(year.officer_a)
    response = client.get(year.url(f"chi-tiet/{year.number.pk}/"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="list-group-item leaf py-3"')
    assert "Ban hành trước ngày 31/12: 2 điểm." in html
    assert f'action="/danh-gia/{year.assessment.pk}/minh-chung/{year.number.pk}/"' in html
    # A field is no leaf: nothing to open.
    assert client.get(year.url(f"chi-tiet/{year.number.parent_id}/")).status_code == 404


def grid_of(size: int) -> SelfAssessmentYear:
    year = SelfAssessmentYear()
    Criterion.objects.filter(period=year.period, parent__isnull=False).delete()
    fields = list(Criterion.objects.filter(period=year.period, parent=None))
    for n in range(size):
        field = fields[n % 2]
        leaf = CriterionFactory(
            period=year.period, parent=field, code=f"{field.code}.{n + 1}", max_points=Decimal(2)
        )
        score_self_set(
            user=year.officer_a, assessment=year.assessment, criterion_id=leaf.pk, value=Decimal(1)
        )
    return year


# The session, the user, the assessment; the sheet's four queries (tree, groups, scores,
# evidence); the published-report check.
GRID_QUERIES = 7


@pytest.mark.parametrize("size", [2, 6, 20])
def test_the_grid_runs_the_same_number_of_queries_for_any_tree(client, size, django_assert_num_queries):
    year = grid_of(size)
    client.force_login(year.officer_a)
    with django_assert_num_queries(GRID_QUERIES):
        response = client.get(year.url())
    assert response.status_code == 200
    assert response.content.decode().count('<tr id="row-') == size


# --- which layout opens ---------------------------------------------------------------------

GRID_MARK = 'id="grid-totals"'


def test_a_phone_or_a_browser_without_javascript_gets_the_cards(client, year):
    client.force_login(year.officer_a)
    del client.cookies["man-hinh"]
    assert GRID_MARK not in client.get(year.url()).content.decode()
    client.cookies["man-hinh"] = "hep"
    html = client.get(year.url()).content.decode()
    assert GRID_MARK not in html
    assert f'id="leaf-{year.number.pk}"' in html


def test_the_layout_chosen_is_remembered(client, year):
    client.force_login(year.officer_a)
    assert GRID_MARK in client.get(year.url()).content.decode()

    chosen = client.get(year.url("?xem=chi-tiet"))

    assert GRID_MARK not in chosen.content.decode()
    assert chosen.cookies["xem"].value == "chi-tiet"
    assert GRID_MARK not in client.get(year.url()).content.decode()
    client.get(year.url("?xem=bang"))
    assert client.cookies["xem"].value == "bang"
    assert GRID_MARK in client.get(year.url()).content.decode()


def test_while_the_agency_explains_the_cards_come_first(client, year):
    client.force_login(year.officer_a)
    client.cookies["xem"] = "bang"
    Assessment.objects.filter(pk=year.assessment.pk).update(status=AssessmentStatus.APPROVED)
    Period.objects.filter(pk=year.period.pk).update(phase=Phase.EXPLANATION)

    assert GRID_MARK not in client.get(year.url()).content.decode()
    assert GRID_MARK in client.get(year.url("?xem=bang")).content.decode()
