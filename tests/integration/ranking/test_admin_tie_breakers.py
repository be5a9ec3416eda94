"""A period's tie-breakers on the admin site: one drop-down per place, in order, never raw JSON."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from ranking.enums import Phase
from ranking.models import Period
from tests.factories import PeriodFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client):
    user = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    return user


def change_url(period: Period) -> str:
    return reverse("admin:ranking_period_change", args=[period.pk])


def posted(period: Period, **fields) -> dict:
    data = {
        "code": period.code,
        "name": period.name,
        "year": str(period.year),
        "subject": period.subject,
        "award_from_tier": period.award_from_tier,
        "award_exclude_demoted": "on",
        "late_rule": period.late_rule,
        "tiers-TOTAL_FORMS": "0",
        "tiers-INITIAL_FORMS": "0",
        "_save": "Lưu",
    }
    return {**data, **fields}


def selected(html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.search(r'<option value="([^"]*)" selected>', select).group(1)


def test_the_form_offers_one_drop_down_per_place_in_order(client, administrator):
    period = PeriodFactory(code="CCHC-2025", tie_breakers=["fields", "total_without_survey"])

    html = client.get(change_url(period)).content.decode()

    assert (selected(html, "tie_breakers_0"), selected(html, "tie_breakers_1")) == (
        "fields",
        "total_without_survey",
    )
    first = re.search(r'<select name="tie_breakers_0"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", first) == [
        "(không có)",
        "Tổng điểm cao hơn khi không tính tiêu chí điều tra xã hội học",
        "Điểm lĩnh vực 1 cao hơn, rồi đến lĩnh vực 2, …",
    ]
    assert 'aria-label="Tiêu chí phụ thứ 2"' in html
    assert "total_without_survey, fields" not in html  # no JSON to write by hand


def test_the_order_chosen_is_saved(client, administrator):
    period = PeriodFactory(code="CCHC-2025")
    assert period.tie_breakers == ["total_without_survey", "fields"]

    response = client.post(
        change_url(period), posted(period, tie_breakers_0="fields", tie_breakers_1="total_without_survey")
    )

    assert response.status_code == 302
    period.refresh_from_db()
    assert period.tie_breakers == ["fields", "total_without_survey"]

    client.post(change_url(period), posted(period, tie_breakers_0="", tie_breakers_1="fields"))
    period.refresh_from_db()
    assert period.tie_breakers == ["fields"]


def test_a_tie_breaker_chosen_twice_or_none_is_refused(client, administrator):
    period = PeriodFactory(code="CCHC-2025")

    twice = client.post(change_url(period), posted(period, tie_breakers_0="fields", tie_breakers_1="fields"))
    none = client.post(change_url(period), posted(period, tie_breakers_0="", tie_breakers_1=""))

    assert twice.status_code == 200
    assert twice.context["adminform"].form.errors["tie_breakers"] == ["Mỗi tiêu chí phụ chỉ chọn một lần."]
    assert none.status_code == 200
    assert list(none.context["adminform"].form.errors) == ["tie_breakers"]
    period.refresh_from_db()
    assert period.tie_breakers == ["total_without_survey", "fields"]


def test_a_published_period_shows_its_tie_breakers_by_name(client, administrator):
    period = PeriodFactory(code="CCHC-2024", year=2024, phase=Phase.PUBLISHED)

    html = client.get(change_url(period)).content.decode()

    assert (
        "1. Tổng điểm cao hơn khi không tính tiêu chí điều tra xã hội học; 2. Điểm lĩnh vực 1 cao hơn" in html
    )
    assert 'name="tie_breakers_0"' not in html
