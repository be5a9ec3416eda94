"""The survey's statistics page and the Excel file of every answer.

The year is `build_survey_year` (tests/survey_builders.py): groups LD (quota 3) and ND (quota 4),
Q1 on A/B/C/D = 100/60/20/0 for both groups, Q2 on the Likert scale 1–5 = 0/25/50/75/100 for
ND. Answers: SNV's hand example on paper (LD: Q1=A, Q1=B; ND: Q1=C Q2=4, Q1=D Q2=5) and one
web response of STC's ND (Q1=A, Q2=1).

By hand:
  quotas   SNV  LD 2/3 (66,7 %)  ND 2/4 (50,0 %)
           STC  LD 0/3 (0,0 %)   ND 1/4 (25,0 %)
           STP, SYT, QHC 0/3 and 0/4
           total LD 2/15 (13,3 %)   ND 3/20 (15,0 %)
  Q1 (5 answers): A 2 (40,0 %), B 1, C 1, D 1 (20,0 % each)
  Q2 (3 answers): 1, 4, 5 once each (33,3 %), 2 and 3 never (0,0 %)
"""

import datetime
import json
import re
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from accounts.models import Role
from ranking.enums import SurveySource
from ranking.models import Assessment, SurveyAnswer, SurveyResponse
from ranking.surveys.statistics import survey_statistics
from tests.builders import build_year, by_attribute, table_rows, text
from tests.factories import UserFactory
from tests.survey_builders import answer_hand_example, build_survey_year

pytestmark = pytest.mark.django_db

URL = "/hoi-dong/CCHC-2025/khao-sat/thong-ke/"
XLSX_URL = "/hoi-dong/CCHC-2025/khao-sat/thong-ke/tra-loi.xlsx"
D = Decimal


@pytest.fixture
def survey():
    survey = build_survey_year()
    answer_hand_example(survey)
    web = SurveyResponse.objects.create(
        period=survey.period,
        agency=survey.agency("STC"),
        group=survey.groups["ND"],
        source=SurveySource.WEB,
        submitted_on=datetime.date(2025, 11, 20),
    )
    SurveyAnswer.objects.create(response=web, question=survey.questions["Q1"], option="A")
    SurveyAnswer.objects.create(response=web, question=survey.questions["Q2"], option="1")
    return survey


def test_the_council_reads_responses_against_the_quotas(client, survey):
    client.force_login(survey.council)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert table_rows(html, "survey-quota") == [
        ["UBND quận Hải Châu", "0/3 (0,0%) 0 trực tuyến · 0 giấy", "0/4 (0,0%) 0 trực tuyến · 0 giấy"],
        ["Sở Nội vụ", "2/3 (66,7%) 0 trực tuyến · 2 giấy", "2/4 (50,0%) 0 trực tuyến · 2 giấy"],
        ["Sở Tài chính", "0/3 (0,0%) 0 trực tuyến · 0 giấy", "1/4 (25,0%) 1 trực tuyến · 0 giấy"],
        ["Sở Tư pháp", "0/3 (0,0%) 0 trực tuyến · 0 giấy", "0/4 (0,0%) 0 trực tuyến · 0 giấy"],
        ["Sở Y tế", "0/3 (0,0%) 0 trực tuyến · 0 giấy", "0/4 (0,0%) 0 trực tuyến · 0 giấy"],
    ]
    totals = html.split("<tfoot>")[1].split("</tfoot>")[0]
    assert by_attribute(totals, "group") == {"LD": "2/15 (13,3%)", "ND": "3/20 (15,0%)"}


def test_the_distribution_of_the_answers_per_question(client, survey):
    client.force_login(survey.council)

    html = client.get(URL).content.decode()

    rows = [row[-4:] for row in table_rows(html, "survey-distribution")]
    assert rows == [
        ["A · Tốt", "100", "2", "40,0"],
        ["B · Khá", "60", "1", "20,0"],
        ["C · Trung bình", "20", "1", "20,0"],
        ["D · Kém", "0", "1", "20,0"],
        ["1 · Rất không hài lòng", "0", "1", "33,3"],
        ["2 · Không hài lòng", "25", "0", "0,0"],
        ["3 · Bình thường", "50", "0", "0,0"],
        ["4 · Hài lòng", "75", "1", "33,3"],
        ["5 · Rất hài lòng", "100", "1", "33,3"],
    ]
    assert "tiêu chí 2.1 · Lãnh đạo cấp phòng, Người dân, doanh nghiệp · 5 câu trả lời" in html
    assert "tiêu chí 2.1 · Người dân, doanh nghiệp · 3 câu trả lời" in html


def test_the_chart_is_fed_by_a_data_block(client, survey):
    client.force_login(survey.council)

    response = client.get(URL)

    block = re.search(
        r'<script id="survey-chart-data" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert json.loads(block.group(1)) == {
        "labels": ["Q1", "Q2"],
        "datasets": [
            {"label": "A", "data": [40.0, 0], "counts": [2, 0]},
            {"label": "B", "data": [20.0, 0], "counts": [1, 0]},
            {"label": "C", "data": [20.0, 0], "counts": [1, 0]},
            {"label": "D", "data": [20.0, 0], "counts": [1, 0]},
            {"label": "1", "data": [0, 33.3], "counts": [0, 1]},
            {"label": "2", "data": [0, 0.0], "counts": [0, 0]},
            {"label": "3", "data": [0, 0.0], "counts": [0, 0]},
            {"label": "4", "data": [0, 33.3], "counts": [0, 1]},
            {"label": "5", "data": [0, 33.3], "counts": [0, 1]},
        ],
    }
    assert 'src="/static/vendor/chart.js/chart.umd.js"' in response.content.decode()


@pytest.mark.parametrize("agencies", [["SNV"], ["SNV", "STC", "STP"]])
def test_the_page_runs_the_same_queries_for_one_agency_or_three(
    client, survey, agencies, django_assert_num_queries
):
    Assessment.objects.exclude(agency__code__in=agencies).delete()
    client.force_login(survey.council)
    # Session and user (2), period (1), the page's frame (1), the progress (4), questions with
    # scales and groups (2), the answers counted (1).
    with django_assert_num_queries(11):
        response = client.get(URL)
    assert len(table_rows(response.content.decode(), "survey-quota")) == len(agencies)


def test_every_answer_in_excel_one_row_each_values_only(client, survey):
    client.force_login(survey.council)

    response = client.get(XLSX_URL)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="tra-loi-khao-sat-CCHC-2025.xlsx"'
    sheet = load_workbook(BytesIO(response.content))["TraLoiKhaoSat"]
    rows = list(sheet.values)
    assert rows[0] == (
        "Kỳ",
        "Mã đơn vị",
        "Đơn vị",
        "Nhóm đối tượng",
        "Phiếu",
        "Nguồn",
        "Mã câu hỏi",
        "Câu hỏi",
        "Tiêu chí",
        "Trả lời",
        "% quy đổi",
        "Ngày",
    )
    web = SurveyResponse.objects.get(source=SurveySource.WEB)
    papers = list(SurveyResponse.objects.filter(source=SurveySource.PAPER).order_by("pk"))
    today = papers[0].submitted_on
    midnight = datetime.datetime(today.year, today.month, today.day)
    q1, q2 = "Thái độ phục vụ của công chức?", "Mức độ hài lòng về thời gian giải quyết?"
    snv, ld, nd = ("CCHC-2025", "SNV", "Sở Nội vụ"), "Lãnh đạo cấp phòng", "Người dân, doanh nghiệp"
    # The builder's paper forms carry no number: their response's number stands for them.
    assert rows[1:] == [
        (*snv, ld, str(papers[0].pk), "Giấy", "Q1", q1, "2.1", "A", 100, midnight),
        (*snv, ld, str(papers[1].pk), "Giấy", "Q1", q1, "2.1", "B", 60, midnight),
        (*snv, nd, str(papers[2].pk), "Giấy", "Q1", q1, "2.1", "C", 20, midnight),
        (*snv, nd, str(papers[2].pk), "Giấy", "Q2", q2, "2.1", "4", 75, midnight),
        (*snv, nd, str(papers[3].pk), "Giấy", "Q1", q1, "2.1", "D", 0, midnight),
        (*snv, nd, str(papers[3].pk), "Giấy", "Q2", q2, "2.1", "5", 100, midnight),
        ("CCHC-2025", "STC", "Sở Tài chính", nd, str(web.pk), "Trực tuyến", "Q1", q1, "2.1", "A", 100,
         datetime.datetime(2025, 11, 20)),
        ("CCHC-2025", "STC", "Sở Tài chính", nd, str(web.pk), "Trực tuyến", "Q2", q2, "2.1", "1", 0,
         datetime.datetime(2025, 11, 20)),
    ]  # fmt: skip
    assert sheet["L2"].number_format == "dd/mm/yyyy"
    assert sheet["K2"].number_format == "#,##0.00"


def test_hostile_text_stays_text_in_the_export(client, survey):
    question = survey.questions["Q1"]
    question.text = '=HYPERLINK("http://example.com","bấm")'
    question.save()
    client.force_login(survey.council)

    response = client.get(XLSX_URL)

    sheet = load_workbook(BytesIO(response.content))["TraLoiKhaoSat"]
    assert sheet["H2"].value == '=HYPERLINK("http://example.com","bấm")'
    assert sheet["H2"].data_type == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_export_runs_two_queries_after_the_period(client, survey, django_assert_num_queries):
    client.force_login(survey.council)
    # Session and user (2), period (1), scales (1), answers with their response, agency,
    # group, question and criterion (1).
    with django_assert_num_queries(5):
        assert client.get(XLSX_URL).status_code == 200


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.OFFICER, Role.VIEWER])
def test_other_roles_are_refused(client, survey, role):
    agency = survey.agency("SNV") if role == Role.OFFICER else None
    client.force_login(UserFactory(role=role, agency=agency))

    assert client.get(URL).status_code == 403
    assert client.get(XLSX_URL).status_code == 403


def test_the_percent_of_the_maximum_of_each_option(survey):
    statistics = survey_statistics(period=survey.period)

    assert [(o.option, o.percent_of_maximum, o.count, o.share) for o in statistics.questions[0].options] == [
        ("A", D(100), 2, D("40.0")),
        ("B", D(60), 1, D("20.0")),
        ("C", D(20), 1, D("20.0")),
        ("D", D(0), 1, D("20.0")),
    ]


def test_a_period_without_a_survey_says_so(client):
    build_year()
    council = UserFactory(role=Role.COUNCIL)
    client.force_login(council)

    response = client.get(URL)

    assert response.status_code == 200
    assert "Kỳ này chưa có nhóm đối tượng khảo sát" in text(response.content.decode())
    assert client.get(XLSX_URL).status_code == 200


def test_the_survey_page_links_to_the_statistics(client, survey):
    client.force_login(survey.council)

    html = client.get("/hoi-dong/CCHC-2025/khao-sat/").content.decode()

    assert f'<a href="{URL}">Thống kê khảo sát</a>' in html
