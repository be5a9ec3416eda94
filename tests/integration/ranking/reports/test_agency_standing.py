"""The agency report of an agency assessed but not ranked, and late (ranking/reports/agency.py
and its workbook, ranking/reports/exports/agency.py).

The council's year of tests/builders.py `build_year`: SNV (92, Rất tốt, ranked 1 in 2024) is
not ranked and recorded late under the rule "nothing"; the group SBN then ranks STP 1,
STC 2, SYT 3, and still holds four agencies.
"""

import io

import pytest
from openpyxl import load_workbook

from accounts.models import Role
from ranking.enums import Standing
from ranking.results.compute import results_compute
from ranking.results.standing import assessment_late_set, assessment_standing_set
from tests.builders import build_year, by_attribute
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def council(client):
    user = UserFactory(username="hoidong", role=Role.COUNCIL)
    client.force_login(user)
    return user


def not_ranked_and_late(council):
    year = build_year()
    snv = year.assessments["SNV"]
    assessment_standing_set(
        user=council, assessment=snv, standing=Standing.NOT_RANKED, reason="Người đứng đầu bị kỷ luật"
    )
    assessment_late_set(user=council, assessment=snv, late=True, reason="Nộp sau hạn")
    results_compute(period=year.reload())
    return year


def test_the_report_page_shows_no_rank_and_the_standing(client, council):
    not_ranked_and_late(council)

    html = client.get("/bao-cao/CCHC-2025/don-vi/SNV/").content.decode()

    figures = by_attribute(html, "figure")
    assert {key: figures[key] for key in ("rank", "group-size", "previous-rank", "change", "standing")} == {
        "rank": "—",
        "group-size": "4",
        "previous-rank": "1",
        "change": "—",
        "standing": "Không xếp hạng Người đứng đầu bị kỷ luật nộp muộn",
    }
    assert by_attribute(html, "whatif")["rank"] == "Không xếp hạng: không có thứ hạng để cải thiện."


def test_the_report_workbook_lists_the_standing(client, council):
    not_ranked_and_late(council)

    response = client.get("/bao-cao/CCHC-2025/don-vi/SNV/bao-cao.xlsx")

    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    lines = {row[0]: row[2] for row in ws.iter_rows(values_only=True) if row[0] and len(row) > 2}
    assert (
        lines["Xếp hạng trong khối"],
        lines["Tình trạng xếp hạng"],
        lines["Lý do của tình trạng xếp hạng"],
        lines["Nộp muộn"],
    ) == (None, "Không xếp hạng", "Người đứng đầu bị kỷ luật", "Có")
