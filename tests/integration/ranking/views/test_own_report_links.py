"""The agency reaches its own published report from its home page and its assessment page."""

import re

import pytest

from accounts.models import Role
from ranking.results.finalization import period_reopen
from tests.builders import build_year, finalize, publish
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REPORT = "/bao-cao/CCHC-2025/don-vi/STC/"


@pytest.fixture
def council(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return UserFactory(username="hoidong", role=Role.COUNCIL)


@pytest.fixture
def year(council):
    return build_year()


@pytest.fixture
def officer(year):
    return UserFactory(username="canbo.stc", role=Role.OFFICER, agency=year.assessments["STC"].agency)


def own_report_links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)" data-own-report', html)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.HEAD])
def test_once_published_the_home_and_assessment_pages_link_to_the_report(client, council, year, role):
    publish(year, council)
    member = UserFactory(username="snv.member", role=role, agency=year.assessments["STC"].agency)
    client.force_login(member)

    home = client.get("/").content.decode()
    page = client.get(f"/danh-gia/{year.assessments['STC'].pk}/").content.decode()

    assert own_report_links(home) == [REPORT]
    assert own_report_links(page) == [REPORT]
    assert client.get(REPORT).status_code == 200


def test_before_publication_there_is_no_link(client, council, year, officer):
    finalize(year, council)
    client.force_login(officer)

    page = client.get(f"/danh-gia/{year.assessments['STC'].pk}/").content.decode()

    assert own_report_links(page) == []
    assert own_report_links(client.get("/").content.decode()) == []
    assert client.get(REPORT).status_code == 403


def test_while_reopened_for_a_correction_the_link_goes(client, council, year, officer):
    publish(year, council)
    period_reopen(user=council, period=year.reload(), reason="Sửa điểm")
    client.force_login(officer)

    home = client.get("/").content.decode()

    # The published result stays listed; its report waits for the next publication.
    assert 'href="/ket-qua/CCHC-2025/"' in home
    assert own_report_links(home) == []
    assert own_report_links(client.get(f"/danh-gia/{year.assessments['STC'].pk}/").content.decode()) == []
