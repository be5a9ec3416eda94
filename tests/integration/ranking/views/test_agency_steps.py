"""The head's submission page: the summary of what is signed, and the leaves still missing something."""

import re
from decimal import Decimal

import pytest

from ranking.assessments.services import score_self_set
from tests.builders import SelfAssessmentYear, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return SelfAssessmentYear()


def links(html: str, attribute: str) -> list[tuple[str, str]]:
    block = re.search(rf"<ul[^>]*data-{attribute}>(.*?)</ul>", html, re.S)
    assert block, f"no data-{attribute} list"
    return [(href, text(label)) for href, label in re.findall(r'<a href="([^"]+)">(.*?)</a>', block.group(1))]


def test_the_summary_shows_the_totals_and_links_to_each_missing_leaf(client, year):
    for criterion, value in ((year.number, "2"), (year.choice, "0.5")):
        score_self_set(
            user=year.officer_a, assessment=year.assessment, criterion_id=criterion.pk, value=Decimal(value)
        )
    client.force_login(year.head_a)

    response = client.get(year.url("nop/"))

    assert response.status_code == 200
    html = response.content.decode()
    # 2,5 of 2 + 1 + 1 + the survey's 3 (bonus and deduction are outside the maximum).
    assert text(re.search(r"data-summary-total>(.*?)<", html).group(1)) == "2,5"
    assert text(re.search(r"data-summary-maximum>(.*?)<", html).group(1)) == "7"
    assert text(re.search(r"data-summary-index>(.*?)<", html).group(1)) == "35,71"
    detail = f"/danh-gia/{year.assessment.pk}/"
    assert links(html, "missing-score") == [
        (f"{detail}#leaf-{year.yesno.pk}", "1.3 Tổ chức hội nghị tập huấn")
    ]
    assert links(html, "missing-evidence") == [
        (f"{detail}#leaf-{year.number.pk}", "1.1 Ban hành kế hoạch CCHC năm")
    ]


def test_a_complete_self_assessment_lists_nothing_missing(client, year):
    year.fill_everything()
    client.force_login(year.head_a)

    html = client.get(year.url("nop/")).content.decode()

    assert text(re.search(r"data-summary-total>(.*?)<", html).group(1)) == "4"
    assert text(re.search(r"data-summary-index>(.*?)<", html).group(1)) == "57,14"
    assert "data-missing-score" not in html
    assert "data-missing-evidence" not in html
    assert 'type="submit" class="btn btn-primary"' in html


def test_another_agency_sees_no_summary(client, year):
    client.force_login(year.officer_b)

    response = client.get(year.url("nop/"))

    assert response.status_code == 403
    assert "data-summary" not in response.content.decode()
