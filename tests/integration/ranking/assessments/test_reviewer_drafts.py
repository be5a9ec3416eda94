"""Reviewers see an assessment once the agency has submitted it (`rules.submitted_once`).

A draft the agency never handed in is still being written: the assigned reviewer does not find
it in the queue nor in the home page's counts. The reviewer may still read it by its address,
as the agency page links it (read-only: an appraisal starts only once submitted). A submission
returned for correction, or reopened by the council, stays in the queue; a withdrawn one is a
draft again. The council and administrators list every assessment.
"""

import datetime
import html as html_lib
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from ranking.assessments.services import assessment_submit, assessment_withdraw
from ranking.enums import AssessmentStatus, Phase
from ranking.models import Criterion, Score
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    PeriodFactory,
    UserFactory,
    make_tiers,
)

pytestmark = pytest.mark.django_db

S = AssessmentStatus
SUBMITTED_AT = timezone.make_aware(datetime.datetime(2026, 3, 10, 9, 0))
REFUSAL = "Only the assigned reviewer, the appraisal council and administrators may open this appraisal."


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def year():
    """CCHC 2026 in self-assessment, every assessment assigned to one reviewer: a draft never
    submitted, a submission returned for correction, and a submission the council reopened."""
    period = PeriodFactory(
        year=2026,
        phase=Phase.SELF_ASSESSMENT,
        self_assessment_deadline=timezone.localdate() + datetime.timedelta(days=10),
    )
    make_tiers(period)
    group = AgencyGroupFactory(code="SO", name="Khối sở, ban, ngành", order=1)
    Criterion.objects.create(period=period, code="1", title="Tiêu chí 1", max_points=2)
    reviewer = UserFactory(username="thamdinh1", role=Role.REVIEWER)

    def assessment(code: str, name: str, status: str, **fields):
        agency = AgencyFactory(code=code, name=name, group=group)
        return AssessmentFactory(period=period, agency=agency, reviewer=reviewer, status=status, **fields)

    return SimpleNamespace(
        period=period,
        reviewer=reviewer,
        council=UserFactory(username="hoidong", role=Role.COUNCIL),
        admin=UserFactory(username="quantri", role=Role.ADMIN),
        draft=assessment("STP", "Sở Tư pháp", S.DRAFT),
        returned=assessment("STC", "Sở Tài chính", S.RETURNED, submitted_at=SUBMITTED_AT),
        reopened=assessment("SXD", "Sở Xây dựng", S.DRAFT, submitted_at=SUBMITTED_AT, reopened=True),
    )


def as_user(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def text_of(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def queue_rows(html: str) -> list[list[str]]:
    rows = re.findall(r'<tr data-queue-row="\d+">(.*?)</tr>', html, re.DOTALL)
    return [[text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)] for row in rows]


def status_counts(html: str, period) -> dict[str, int]:
    block = re.search(rf'<li class="list-group-item py-3" data-period="{period.code}">(.*?)</li>', html, re.S)
    found = re.findall(
        r'data-status="(\w+)">.*?<span class="num fw-semibold">(\d+)</span>', block.group(1), re.S
    )
    return {status: int(count) for status, count in found}


# --- the permission ---------------------------------------------------------------------------------


def test_the_appraisal_of_a_never_submitted_draft_opens_but_does_not_start(year):
    holders = {
        name: [user.has_perm("ranking.open_appraisal", a) for a in (year.draft, year.returned, year.reopened)]
        for name, user in (("reviewer", year.reviewer), ("council", year.council), ("admin", year.admin))
    }
    starts = [year.reviewer.has_perm("ranking.review_assessment", a) for a in (year.draft, year.returned)]

    assert starts == [False, False]
    assert holders == {
        "reviewer": [True, True, True],
        "council": [True, True, True],
        "admin": [True, True, True],
    }


# --- the queue and the home page ----------------------------------------------------------------


def test_the_reviewers_queue_leaves_out_the_draft_never_submitted(client, year):
    response = as_user(client, year.reviewer).get(reverse("review_queue"))

    assert response.status_code == 200
    assert queue_rows(response.content.decode()) == [
        [
            "Sở Tài chính",
            "Khối sở, ban, ngành",
            "CCHC 2026",
            "Returned for correction",
            "10/03/2026",
            "0 / 1",
            "Open",
        ],
        ["Sở Xây dựng", "Khối sở, ban, ngành", "CCHC 2026", "Draft", "10/03/2026", "0 / 1", "Open"],
    ]
    assert f'href="/tham-dinh/{year.draft.pk}/"' not in response.content.decode()


def test_the_councils_queue_still_lists_the_draft(client, year):
    response = as_user(client, year.council).get(reverse("review_queue"))

    assert response.status_code == 200
    assert [row[0] for row in queue_rows(response.content.decode())] == [
        "Sở Tài chính",
        "Sở Tư pháp",
        "Sở Xây dựng",
    ]


def test_the_reviewers_home_counts_only_what_was_submitted(client, year):
    response = as_user(client, year.reviewer).get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert status_counts(html, year.period) == {"draft": 1, "returned": 1}
    assert "2 assessments" in text_of(html)


def test_a_withdrawn_submission_leaves_the_reviewers_queue(client, year):
    head = UserFactory(username="lanhdao.stp", role=Role.HEAD, agency=year.draft.agency)
    Score.objects.create(
        assessment=year.draft, criterion=Criterion.objects.get(period=year.period, code="1"), self_score=1
    )
    assessment_submit(user=head, assessment=year.draft)
    as_user(client, year.reviewer)
    submitted = [row[0] for row in queue_rows(client.get(reverse("review_queue")).content.decode())]

    assessment_withdraw(user=head, assessment=year.draft)
    withdrawn = [row[0] for row in queue_rows(client.get(reverse("review_queue")).content.decode())]

    assert submitted == ["Sở Tư pháp", "Sở Tài chính", "Sở Xây dựng"]
    assert withdrawn == ["Sở Tài chính", "Sở Xây dựng"]


# --- the appraisal page -----------------------------------------------------------------------------


def test_the_reviewer_reads_the_draft_s_appraisal_page_without_starting_it(client, year):
    response = as_user(client, year.reviewer).get(reverse("review_detail", args=[year.draft.pk]))

    assert response.status_code == 200
    html = text_of(response.content.decode())
    assert "Sở Tư pháp" in html
    assert REFUSAL not in html
    assert reverse("review_start", args=[year.draft.pk]) not in response.content.decode()


@pytest.mark.parametrize("which", ["returned", "reopened"])
def test_the_reviewer_opens_a_returned_or_reopened_submission(client, year, which):
    assessment = getattr(year, which)

    response = as_user(client, year.reviewer).get(reverse("review_detail", args=[assessment.pk]))

    assert response.status_code == 200
    html = text_of(response.content.decode())
    assert assessment.agency.name in html
    assert "Tiêu chí 1" in html
    assert REFUSAL not in html


@pytest.mark.parametrize("who", ["council", "admin"])
def test_the_council_and_administrators_open_the_draft(client, year, who):
    response = as_user(client, getattr(year, who)).get(reverse("review_detail", args=[year.draft.pk]))

    assert response.status_code == 200
    assert "Sở Tư pháp" in text_of(response.content.decode())
