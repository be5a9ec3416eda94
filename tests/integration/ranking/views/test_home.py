"""The home page of each role (ranking/views/home.py): what every role sees, exactly, and a
number of queries that does not grow with the data.

Dates are relative to today, so the countdown reads the same on every run.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from ranking.enums import AssessmentStatus, Method, Phase, Subject
from ranking.models import Assessment, Period, Result, Score
from tests.builders import by_attribute, text
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    CriterionFactory,
    PeriodFactory,
    UserFactory,
    make_tiers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Factories hash a password for every user; the slow production hasher adds nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


D = Decimal
S = AssessmentStatus


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def shown(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def groups():
    return (
        AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1),
        AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=2),
    )


def period(code, phase, **fields):
    subject, year = code.split("-")
    return PeriodFactory(
        code=code, name=f"{subject} {year}", subject=Subject(subject), year=int(year), phase=phase, **fields
    )


def assess(period, agency, status=S.DRAFT, reviewer=None):
    return Assessment.objects.create(period=period, agency=agency, status=status, reviewer=reviewer)


def result(period, agency, rank, tier):
    return Result.objects.create(
        period=period,
        agency=agency,
        group=agency.group,
        total=D(90),
        total_without_survey=D(90),
        maximum=D(100),
        index=D(90),
        tier_before_demotion=tier,
        tier=tier,
        rank=rank,
    )


def cards(html: str, attribute: str) -> dict[str, str]:
    return by_attribute(html, attribute)


def queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


# --- agency officers and heads ----------------------------------------------------------------------


def agency_year(groups):
    """Three running periods of Sở Nội vụ, a published one, and another agency's assessment."""
    sbn, qh = groups
    snv = AgencyFactory(code="SNV", name="Sở Nội vụ", group=sbn)
    other = AgencyFactory(code="STC", name="Sở Tài chính", group=sbn)
    cchc26 = period("CCHC-2026", Phase.SELF_ASSESSMENT, self_assessment_deadline=days(5))
    field = CriterionFactory(period=cchc26, code="1", max_points=D(30))
    leaves = [
        CriterionFactory(period=cchc26, code="1.1", parent=field, max_points=D(10)),
        CriterionFactory(period=cchc26, code="1.2", parent=field, max_points=D(10)),
        # Neither bonus nor survey leaves, nor another group's, are the agency's to score.
        CriterionFactory(period=cchc26, code="1.3", parent=field, max_points=D(2), method=Method.BONUS),
        CriterionFactory(period=cchc26, code="1.4", parent=field, max_points=D(10), method=Method.SURVEY),
    ]
    district = CriterionFactory(period=cchc26, code="1.5", parent=field, max_points=D(10))
    district.groups.set([qh])
    mine = assess(cchc26, snv, S.DRAFT)
    Score.objects.create(assessment=mine, criterion=leaves[0], self_score=D(7))
    Score.objects.create(assessment=mine, criterion=leaves[1], note="chưa chấm")
    Score.objects.create(assessment=mine, criterion=leaves[2], self_score=D(1))
    assess(cchc26, other, S.SUBMITTED)

    vtlt26 = period("VTLT-2026", Phase.EXPLANATION, explanation_deadline=days(-2))
    leaf = CriterionFactory(period=vtlt26, code="1", max_points=D(10), allow_not_arising=True)
    approved = assess(vtlt26, snv, S.APPROVED)
    Score.objects.create(assessment=approved, criterion=leaf, not_arising=True)

    cchc27 = period("CCHC-2027", Phase.SELF_ASSESSMENT, self_assessment_deadline=days(0))
    assess(cchc27, snv, S.RETURNED)

    cchc25 = period("CCHC-2025", Phase.PUBLISHED)
    good = make_tiers(cchc25)[1]
    result(cchc25, snv, 3, good)
    result(cchc25, other, 1, good)
    return snv


@pytest.mark.parametrize("role", [Role.OFFICER, Role.HEAD])
def test_agency_member_sees_its_assessments_deadlines_and_progress(client, english, groups, role):
    snv = agency_year(groups)
    client.force_login(UserFactory(username="canbo.snv", role=role, agency=snv))

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    ids = {a.period.code: a.pk for a in Assessment.objects.filter(agency=snv).select_related("period")}
    assert cards(html, "assessment") == {
        str(ids["CCHC-2027"]): f"CCHC 2027 Returned for correction Phase: Self-assessment · "
        f"Self-assessment deadline: {shown(days(0))} Due today 0/0 0/0 scored Open",
        str(ids["CCHC-2026"]): f"CCHC 2026 Draft Phase: Self-assessment · "
        f"Self-assessment deadline: {shown(days(5))} 5 days left 1/2 1/2 scored Open",
        str(ids["VTLT-2026"]): f"VTLT 2026 Appraisal approved Phase: Explanation · "
        f"Explanation deadline: {shown(days(-2))} 2 days overdue 1/1 1/1 scored Open",
    }
    assert list(cards(html, "assessment")) == [str(ids[c]) for c in ("CCHC-2027", "CCHC-2026", "VTLT-2026")]
    for pk in ids.values():
        assert html.count(f'href="/danh-gia/{pk}/"') == 2
    assert '<progress class="flex-grow-1 assessment-progress" value="1" max="2"' in html
    published = re.search(r'id="own-results">.*?</section>', html, re.S).group(0)
    assert re.findall(r'href="(/ket-qua/[^"]+)"', published) == ["/ket-qua/CCHC-2025/"]
    assert "Rank 3 · Tốt" in text(published)
    assert "Sở Tài chính" not in html
    assert html.count('<li><span class="fw-semibold">') == 6


def test_agency_member_without_assessments(client, english, groups):
    agency = AgencyFactory(code="SNV", name="Sở Nội vụ", group=groups[0])
    client.force_login(UserFactory(username="canbo.snv", role=Role.OFFICER, agency=agency))

    html = client.get("/").content.decode()

    assert "No assessment of your agency is open." in html
    assert "No results of your agency have been published yet." in html


def test_agency_home_queries_do_not_grow(client, groups):
    snv = agency_year(groups)
    client.force_login(UserFactory(username="canbo.snv", role=Role.OFFICER, agency=snv))
    few = queries(client)
    mine = Assessment.objects.get(agency=snv, period__code="CCHC-2026")
    field = mine.period.criteria.get(code="1")
    for i in range(6, 20):
        leaf = CriterionFactory(period=mine.period, code=f"1.{i}", parent=field, max_points=D(1))
        Score.objects.create(assessment=mine, criterion=leaf, self_score=D(1))
    vtlt27 = period("VTLT-2027", Phase.SELF_ASSESSMENT)
    assess(vtlt27, snv)

    assert queries(client) == few


# --- reviewers --------------------------------------------------------------------------------------


def test_reviewer_sees_counts_by_status_and_the_queue(client, english, groups):
    sbn, _qh = groups
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER)
    colleague = UserFactory(username="thamdinh2", role=Role.REVIEWER)
    cchc26 = period("CCHC-2026", Phase.APPRAISAL)
    vtlt26 = period("VTLT-2026", Phase.EXPLANATION)
    cchc25 = period("CCHC-2025", Phase.PUBLISHED)
    agencies = [AgencyFactory(code=f"DV{i}", name=f"Đơn vị {i}", group=sbn) for i in range(5)]
    assess(cchc26, agencies[0], S.SUBMITTED, reviewer)
    assess(cchc26, agencies[1], S.SUBMITTED, reviewer)
    assess(cchc26, agencies[2], S.IN_REVIEW, reviewer)
    assess(cchc26, agencies[3], S.IN_REVIEW, colleague)
    assess(vtlt26, agencies[0], S.REVIEWED, reviewer)
    assess(cchc25, agencies[0], S.FINALIZED, reviewer)
    client.force_login(reviewer)

    html = client.get("/").content.decode()

    assert cards(html, "period") == {
        "CCHC-2026": "CCHC 2026 3 assessments Submitted 2 Under appraisal 1",
        "VTLT-2026": "VTLT 2026 1 assessment Appraised 1",
    }
    # The queue is linked from the page and from the navigation bar.
    assert html.count('href="/tham-dinh/"') == 2
    assert html.count('<li><span class="fw-semibold">') == 0


def test_reviewer_without_assignments(client, english):
    client.force_login(UserFactory(username="thamdinh", role=Role.REVIEWER))

    html = client.get("/").content.decode()

    assert "No assessment of a running period is assigned to you." in html
    assert 'href="/tham-dinh/"' in html


# --- the council and the administrator --------------------------------------------------------------


def running_year(groups, *, per_group=1, start=0):
    """CCHC 2026 (self-assessment), VTLT 2026 (appraisal, no tiers), CCHC 2027 (set-up, empty) and
    the published CCHC 2025; in each group, `per_group` times three agencies (codes from `start`):
    CCHC 2026 draft, submitted, draft; VTLT 2026 reviewed, in review, approved. Called again, it
    adds agencies to the same periods.
    """
    cchc26 = period("CCHC-2026", Phase.SELF_ASSESSMENT)
    if not cchc26.tiers.exists():
        make_tiers(cchc26)
        CriterionFactory(period=cchc26, code="1")
    vtlt26 = period("VTLT-2026", Phase.APPRAISAL)
    if not vtlt26.criteria.exists():
        CriterionFactory(period=vtlt26, code="1")
    period("CCHC-2027", Phase.SETUP)
    cchc25 = period("CCHC-2025", Phase.PUBLISHED)
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER)
    n = start
    for group in groups:
        for _ in range(per_group):
            for status26, status_v in (
                (S.DRAFT, S.REVIEWED),
                (S.SUBMITTED, S.IN_REVIEW),
                (S.DRAFT, S.APPROVED),
            ):
                n += 1
                agency = AgencyFactory(code=f"{group.code}{n:03d}", name=f"Đơn vị {n:03d}", group=group)
                UserFactory(username=f"canbo.{n}", role=Role.OFFICER, agency=agency)
                assess(cchc26, agency, status26)
                assess(vtlt26, agency, status_v, reviewer)
                assess(cchc25, agency, S.FINALIZED)
    return cchc26, vtlt26


def test_council_sees_every_groups_progress(client, english, groups):
    running_year(groups)
    client.force_login(UserFactory(username="hoidong", role=Role.COUNCIL))

    response = client.get("/")

    html = response.content.decode()
    sections = re.findall(
        r'<section class="card shadow-sm mb-4" data-period="([\w-]+)"(.*?)</section>', html, re.S
    )
    assert [code for code, _body in sections] == ["CCHC-2027", "CCHC-2026", "VTLT-2026"]
    body = dict(sections)
    assert "This period has no assessments yet." in body["CCHC-2027"]
    assert 'href="/hoi-dong/CCHC-2027/"' in body["CCHC-2027"]
    # Draft, submitted, in review, returned, reviewed, approved, explained, finalized, total.
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\"[^>]*>(.*?)</th>(.*?)</tr>", body["CCHC-2026"], re.S)
    assert [(name, text(cells)) for name, cells in rows] == [
        ("Khối sở, ban, ngành", "2 1 0 0 0 0 0 0 3"),
        ("Khối quận, huyện", "2 1 0 0 0 0 0 0 3"),
        ("All groups", "4 2 0 0 0 0 0 0 6"),
    ]
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\"[^>]*>(.*?)</th>(.*?)</tr>", body["VTLT-2026"], re.S)
    assert [(name, text(cells)) for name, cells in rows] == [
        ("Khối sở, ban, ngành", "0 0 1 0 1 1 0 0 3"),
        ("Khối quận, huyện", "0 0 1 0 1 1 0 0 3"),
        ("All groups", "0 0 2 0 2 2 0 0 6"),
    ]
    assert 'href="/hoi-dong/VTLT-2026/"' in body["VTLT-2026"]
    assert "CCHC-2025" not in html
    assert "Set-up tasks" not in html
    assert 'href="/admin/' not in html  # the council is not staff here


def test_administrator_sees_progress_and_set_up_tasks(client, english, groups):
    cchc26, vtlt26 = running_year(groups)
    # One assessment of CCHC 2026 has a reviewer; the five others have none.
    Assessment.objects.filter(pk=Assessment.objects.filter(period=cchc26).first().pk).update(
        reviewer=UserFactory(username="thamdinh2", role=Role.REVIEWER)
    )
    lonely = AgencyFactory(code="ZZ1", name="Đơn vị không có người", group=groups[0])
    retired = AgencyFactory(code="ZZ2", name="Đơn vị có người đã nghỉ", group=groups[0])
    UserFactory(username="lanhdao.zz2", role=Role.HEAD, agency=retired, is_active=False)
    AgencyFactory(code="ZZ3", name="Đơn vị đã giải thể", group=groups[0], is_active=False)
    admin = UserFactory(username="quantri", role=Role.ADMIN, is_staff=True)
    client.force_login(admin)

    html = client.get("/").content.decode()

    tasks = cards(html, "task")
    assert tasks == {
        "setup": "Periods in set-up 1",
        "incomplete": "Periods without tier scheme or criteria 2 CCHC 2027 VTLT 2026",
        "unassigned": "Assessments without a reviewer 5 CCHC 2026: 5",
        "no-members": "Agencies without an officer or head 2 Đơn vị không có người Đơn vị có người đã nghỉ",
    }
    assert 'href="/admin/ranking/period/?phase__exact=setup"' in html
    cchc27 = Period.objects.get(code="CCHC-2027")
    assert f'href="/admin/ranking/period/{cchc27.pk}/change/"' in html
    assert f'href="/admin/ranking/period/{vtlt26.pk}/change/"' in html
    assert (
        f'href="/admin/ranking/assessment/?period__id__exact={cchc26.pk}&amp;reviewer__isnull=True"' in html
    )
    assert f'href="/admin/accounts/agency/{lonely.pk}/change/"' in html
    assert f'href="/admin/accounts/agency/{retired.pk}/change/"' in html
    assert html.count('href="/admin/"') == 2  # the navbar and the administration card
    assert html.count('href="/mau-so-lieu.xlsx"') == 1
    assert re.findall(r'data-period="([\w-]+)"', html) == ["CCHC-2027", "CCHC-2026", "VTLT-2026"]


def test_administrator_with_nothing_to_prepare(client, english, groups):
    client.force_login(UserFactory(username="quantri", role=Role.ADMIN, is_staff=True))

    html = client.get("/").content.decode()

    assert cards(html, "task") == {
        "setup": "Periods in set-up 0",
        "incomplete": "Periods without tier scheme or criteria 0",
        "unassigned": "Assessments without a reviewer 0",
        "no-members": "Agencies without an officer or head 0",
    }
    assert "No period is running." in html


@pytest.mark.parametrize("username,role", [("hoidong", Role.COUNCIL), ("quantri", Role.ADMIN)])
def test_council_and_admin_home_queries_do_not_grow(client, groups, username, role):
    running_year(groups, per_group=1)
    client.force_login(UserFactory(username=username, role=role, is_staff=role == Role.ADMIN))
    few = queries(client)
    wards = AgencyGroupFactory(code="PX", name="Khối phường, xã", order=3)
    running_year((*groups, wards), per_group=4, start=100)

    assert queries(client) == few


def test_reviewer_home_queries_do_not_grow(client, groups):
    running_year(groups, per_group=1)
    client.force_login(UserFactory(username="thamdinh", role=Role.REVIEWER))
    few = queries(client)
    running_year(groups, per_group=5, start=100)

    assert Assessment.objects.filter(reviewer__username="thamdinh").count() == 36
    assert queries(client) == few


# --- viewers ----------------------------------------------------------------------------------------


def test_viewer_sees_published_results_and_the_phases(client, english, groups):
    old = period("CCHC-2024", Phase.PUBLISHED)
    new = period("CCHC-2025", Phase.PUBLISHED, published_at=timezone.now())
    vtlt = period("VTLT-2025", Phase.PUBLISHED)
    period("CCHC-2026", Phase.FINALIZATION)
    client.force_login(UserFactory(username="xem", role=Role.VIEWER))

    html = client.get("/").content.decode()

    assert re.findall(r'href="/ket-qua/([\w-]+)/"', html) == [new.code, vtlt.code, old.code]
    assert f"CCHC 2025 {timezone.localdate().strftime('%d/%m/%Y')}" in text(html)
    assert html.count('<li><span class="fw-semibold">') == 6
    assert 'href="/admin/' not in html


def test_viewer_home_queries_do_not_grow(client, groups):
    period("CCHC-2024", Phase.PUBLISHED)
    client.force_login(UserFactory(username="xem", role=Role.VIEWER))
    few = queries(client)
    for year in range(2015, 2024):
        period(f"VTLT-{year}", Phase.PUBLISHED)

    assert queries(client) == few
