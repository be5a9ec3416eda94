"""The appraisal page as a compact grid (its default): the self-score read-only beside the
reviewed score and the comment, the filters' flags, saves through the appraisal's own endpoint.

Sở Tư pháp self-scored every leaf of field 1 (2 points each) with 2 and is under appraisal by
Võ Minh; 1.1 is reviewed 1,5 with a comment, 1.2 reviewed 1 without one.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from ranking.enums import AssessmentStatus, Phase
from ranking.models import Criterion, Score
from tests.builders import HTMX
from tests.factories import AgencyFactory, AgencyGroupFactory, AssessmentFactory, PeriodFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def wide_window(client):
    """The cookie static/js/app.js writes in a window at least 992 px wide."""
    client.cookies["man-hinh"] = "rong"


def appraisal(size: int = 4):
    period = PeriodFactory(year=2026, phase=Phase.APPRAISAL)
    group = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành")
    agency = AgencyFactory(code="STP", name="Sở Tư pháp", group=group)
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER, last_name="Võ", first_name="Minh")
    field = Criterion.objects.create(period=period, code="1", title="Công tác chỉ đạo CCHC")
    leaves = [
        Criterion.objects.create(
            period=period, parent=field, code=f"1.{n}", title=f"Tiêu chí 1.{n}", max_points=Decimal(2)
        )
        for n in range(1, size + 1)
    ]
    opened = timezone.now() - datetime.timedelta(hours=1)
    assessment = AssessmentFactory(
        period=period,
        agency=agency,
        reviewer=reviewer,
        status=AssessmentStatus.IN_REVIEW,
        submitted_at=opened,
        review_opened_at=opened,
    )
    for leaf in leaves:
        Score.objects.create(assessment=assessment, criterion=leaf, self_score=Decimal(2))
    return assessment, leaves, reviewer


def element(html: str, element_id: str) -> str:
    match = re.search(rf'<(\w+) id="{element_id}"[^>]*>.*?</\1>', html, re.DOTALL)
    assert match, element_id
    return match.group(0)


def test_the_grid_shows_the_self_score_beside_the_reviewed_score(client):
    assessment, leaves, reviewer = appraisal()
    Score.objects.filter(assessment=assessment, criterion=leaves[0]).update(
        reviewed_score=Decimal("1.5"), review_comment="Thiếu minh chứng"
    )
    Score.objects.filter(assessment=assessment, criterion=leaves[1]).update(reviewed_score=Decimal(1))
    client.force_login(reviewer)
    html = client.get(f"/tham-dinh/{assessment.pk}/").content.decode()

    assert html.count('<tr id="row-') == 4
    first = element(html, f"row-{leaves[0].pk}")
    assert first.startswith(f'<tr id="row-{leaves[0].pk}" data-row="{leaves[0].pk}" data-differs>')
    assert '<td class="num" data-score="self">2</td>' in first
    assert 'name="reviewed_score" value="1,5"' in first and 'aria-label="Điểm thẩm định 1.1"' in first
    assert 'aria-label="Ý kiến 1.1">Thiếu minh chứng</textarea>' in first
    second = element(html, f"row-{leaves[1].pk}")
    assert second.startswith(
        f'<tr id="row-{leaves[1].pk}" data-row="{leaves[1].pk}" data-differs data-uncommented>'
    )
    third = element(html, f"row-{leaves[2].pk}")
    assert third.startswith(f'<tr id="row-{leaves[2].pk}" data-row="{leaves[2].pk}" data-unscored>')
    assert f'data-save="/tham-dinh/{assessment.pk}/diem/"' in html
    assert 'id="leaf-status-' in first and '<input type="hidden" name="version" value="1">' in first
    # The totals stay on top of the page and the details are one link away.
    assert 'id="review-totals" class="card shadow-sm mb-4 sticky-top"' in html
    assert f'href="?xem=chi-tiet#leaf-{leaves[0].pk}"' in first


def test_a_grid_save_goes_through_the_appraisal_s_endpoint(client):
    assessment, leaves, reviewer = appraisal()
    client.force_login(reviewer)
    response = client.post(
        f"/tham-dinh/{assessment.pk}/diem/{leaves[3].pk}/",
        {"reviewed_score": "1,5", "review_comment": "Chậm 5 ngày", "version": "1", "grid": "1"},
        **HTMX,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<div id="leaf-status-{leaves[3].pk}" ')
    assert 'data-differs="true" data-uncommented="false">' in html
    assert '<input type="hidden" name="version" value="2">' in html
    assert 'id="review-totals"' in html
    score = Score.objects.get(assessment=assessment, criterion=leaves[3])
    assert (score.reviewed_score, score.review_comment, score.version) == (Decimal("1.5"), "Chậm 5 ngày", 2)


def test_the_council_reads_the_grid_without_inputs_after_the_appraisal(client):
    assessment, leaves, _reviewer = appraisal()
    assessment.status = AssessmentStatus.REVIEWED
    assessment.save()
    council = UserFactory(username="hoidong", role=Role.COUNCIL)
    client.force_login(council)
    html = client.get(f"/tham-dinh/{assessment.pk}/").content.decode()

    assert html.count('<tr id="row-') == 4
    assert "data-col" not in html


@pytest.mark.parametrize("size", [1, 3])
def test_the_grid_runs_the_same_number_of_queries_for_any_tree(client, size, django_assert_num_queries):
    assessment, _leaves, reviewer = appraisal(size)
    client.force_login(reviewer)
    with django_assert_num_queries(7):
        response = client.get(f"/tham-dinh/{assessment.pk}/")
    assert response.content.decode().count('<tr id="row-') == size
