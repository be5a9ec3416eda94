"""The appraisal queue's search, sort, status filter and late rows (ranking/views/review.py,
review_queue; ranking/assessments/selectors.py, queue_assessments).

The year is `build_year` (tests/builders.py) in appraisal, every assessment submitted, read by
the council (who sees every one) in Vietnamese, the site's language.
"""

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import Role
from ranking.enums import AssessmentStatus, Phase
from ranking.models import Assessment, Period
from tests.builders import build_year, text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = AssessmentStatus
QUEUE = "/tham-dinh/"
SUBMITTED = timezone.make_aware(datetime.datetime(2025, 12, 1, 9, 0))


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def days(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


@pytest.fixture
def year():
    year = build_year(phase=Phase.APPRAISAL, status=S.SUBMITTED)
    Period.objects.filter(pk=year.period.pk).update(appraisal_deadline=days(5))
    Assessment.objects.filter(period=year.period).update(submitted_at=SUBMITTED)
    return year


@pytest.fixture
def council(client):
    user = UserFactory(username="hoidong", role=Role.COUNCIL)
    client.force_login(user)
    return user


def rows(client, **params) -> list[list[str]]:
    html = client.get(QUEUE, params).content.decode()
    return [
        [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r'<tr data-queue-row="\d+"[^>]*>(.*?)</tr>', html, re.S)
    ]


def agencies(client, **params) -> list[str]:
    return [row[0] for row in rows(client, **params)]


def test_the_queue_searches_by_agency_name(client, year, council):
    assert agencies(client, q="sở t") == ["Sở Tài chính", "Sở Tư pháp"]


def test_the_queue_filters_by_status(client, year, council):
    Assessment.objects.filter(pk=year.assessments["SYT"].pk).update(status=S.IN_REVIEW)

    assert agencies(client, status="in_review") == ["Sở Y tế"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("agency", ["Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp", "Sở Y tế", "UBND quận Hải Châu"]),
        ("-agency", ["UBND quận Hải Châu", "Sở Y tế", "Sở Tư pháp", "Sở Tài chính", "Sở Nội vụ"]),
        ("-group", ["UBND quận Hải Châu", "Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp", "Sở Y tế"]),
        # Not a column: what the reviewer has to act on first, then group and agency code.
        (
            "agency__reviewer__password",
            ["Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp", "Sở Y tế", "UBND quận Hải Châu"],
        ),
    ],
)
def test_the_queue_sorts_by_a_whitelisted_column(client, year, council, sort, expected):
    assert agencies(client, sort=sort) == expected


def test_the_queue_sorts_by_status_in_the_order_of_work(client, year, council):
    Assessment.objects.filter(pk=year.assessments["SNV"].pk).update(status=S.REVIEWED)
    Assessment.objects.filter(pk=year.assessments["STP"].pk).update(status=S.IN_REVIEW)

    assert agencies(client, sort="-status") == [
        "Sở Nội vụ",
        "Sở Tư pháp",
        "Sở Tài chính",
        "Sở Y tế",
        "UBND quận Hải Châu",
    ]


def test_the_sort_links_keep_the_filters_and_turn_the_direction(client, year, council):
    html = client.get(QUEUE, {"status": "submitted", "sort": "agency"}).content.decode()

    assert 'href="?status=submitted&amp;sort=-agency" data-sort="agency"' in html
    assert 'href="?status=submitted&amp;sort=group" data-sort="group"' in html
    assert 'aria-sort="ascending"' in html


def test_late_rows_carry_a_text_marker(client, year, council):
    Period.objects.filter(pk=year.period.pk).update(appraisal_deadline=days(-2))
    # Appraised and approved: the appraisal is done, the explanation is not due.
    Assessment.objects.filter(pk=year.assessments["STP"].pk).update(status=S.APPROVED)

    statuses = {row[0]: row[3] for row in rows(client)}

    late = f"Đã gửi Quá hạn (hạn {days(-2):%d/%m/%Y})"
    assert statuses == {
        "Sở Nội vụ": late,
        "Sở Tài chính": late,
        "Sở Tư pháp": "Đã duyệt kết quả thẩm định",
        "Sở Y tế": late,
        "UBND quận Hải Châu": late,
    }
    assert client.get(QUEUE).content.decode().count('class="table-warning"') == 4


def test_nothing_is_late_before_the_deadline(client, year, council):
    assert "Quá hạn" not in client.get(QUEUE).content.decode()


@pytest.mark.parametrize("kept", [("SNV",), ("SNV", "STC", "STP")])
def test_the_queue_reads_the_same_number_of_queries_for_1_and_3_rows(
    client, year, council, kept, django_assert_num_queries
):
    Assessment.objects.filter(period=year.period).exclude(agency__code__in=kept).delete()

    # Session, user; the form's periods and groups; the assessments with their counts.
    with django_assert_num_queries(5):
        found = agencies(client, q="", sort="-reviewed")

    assert len(found) == len(kept)
