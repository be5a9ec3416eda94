"""The explanation phase: the agency's list of leaves whose appraisal differs from its self-score."""

from decimal import Decimal

import pytest

from ranking.enums import AssessmentStatus, Phase
from tests.builders import SelfAssessmentYear, table_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(settings):
    """The appraisal approved: 1.1 lowered, 1.2 lowered, 1.3 found not to arise; 2.2 raised."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    year = SelfAssessmentYear()
    year.fill_everything()
    for criterion, reviewed, comment in (
        (year.number, "1", "Kế hoạch ban hành chậm"),
        (year.choice, "0.5", "Chậm 1 báo cáo quý"),
        (year.yesno, None, "Không tổ chức trong năm"),
    ):
        score = year.score(criterion)
        score.reviewed_score = score.final_score = None if reviewed is None else Decimal(reviewed)
        score.reviewer_not_arising = reviewed is None or None
        score.review_comment = comment
        score.save()
    year.assessment.status = AssessmentStatus.APPROVED
    year.assessment.save()
    year.period.phase = Phase.EXPLANATION
    year.period.save()
    return year


def test_the_agency_sees_each_difference_with_the_reviewers_reason_and_a_link(client, approved):
    year = approved
    client.force_login(year.officer_a)

    html = client.get(year.url()).content.decode()

    assert "3 tiêu chí có điểm thẩm định khác điểm tự đánh giá" in html
    assert table_rows(html, "differences-table") == [
        ["1.1", "Ban hành kế hoạch CCHC năm", "2", "1", "−1", "Kế hoạch ban hành chậm"],
        ["1.2", "Báo cáo định kỳ đúng hạn", "1", "0,5", "−0,5", "Chậm 1 báo cáo quý"],
        ["1.3", "Tổ chức hội nghị tập huấn", "1", "không phát sinh", "", "Không tổ chức trong năm"],
    ]
    for criterion in (year.number, year.choice, year.yesno):
        assert f'<a href="#leaf-{criterion.pk}">{criterion.code}</a>' in html
        assert f'id="leaf-{criterion.pk}"' in html
    # The list comes before the leaves.
    assert html.index("data-differences") < html.index(f'id="leaf-{year.number.pk}"')


def test_a_raised_score_shows_a_positive_difference(client, approved):
    year = approved
    score = year.score(year.number)
    score.self_score, score.reviewed_score = Decimal("1.5"), Decimal("2")
    score.save()
    client.force_login(year.head_a)

    html = client.get(year.url()).content.decode()

    assert table_rows(html, "differences-table")[0][2:5] == ["1,5", "2", "+0,5"]


def test_no_list_outside_the_explanation_phase(client, approved):
    year = approved
    year.period.phase = Phase.FINALIZATION
    year.period.save()
    client.force_login(year.officer_a)

    assert "data-differences" not in client.get(year.url()).content.decode()


def test_no_list_before_the_appraisal_reaches_the_agency(client, approved):
    year = approved
    year.assessment.status = AssessmentStatus.IN_REVIEW
    year.assessment.save()
    client.force_login(year.officer_a)

    html = client.get(year.url()).content.decode()

    assert "data-differences" not in html
    assert "Kế hoạch ban hành chậm" not in html


def test_no_list_when_the_appraisal_agrees(client, approved):
    year = approved
    for criterion in (year.number, year.choice, year.yesno):
        score = year.score(criterion)
        score.reviewed_score, score.reviewer_not_arising = score.self_score, None
        score.save()
    client.force_login(year.officer_a)

    assert "data-differences" not in client.get(year.url()).content.decode()
