"""Each person chooses on their own page how the e-mails of the year's steps reach them."""

import re

import pytest
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import UserFactory

URL = "/thong-bao/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def checked(html: str) -> list[str]:
    """The values of the checked radio buttons."""
    return re.findall(r'<input type="radio" name="daily_digest" value="(\w+)"[^>]* checked>', html)


def test_the_page_s_address():
    assert reverse("notification_settings") == URL


@pytest.mark.django_db
def test_a_reviewer_chooses_the_daily_digest_and_back(client):
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER)
    other = UserFactory(username="thamdinh2", role=Role.REVIEWER)
    client.force_login(reviewer)

    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<h1 class="h4 mb-3">Thông báo</h1>' in html
    assert "Thư về hồ sơ đã nộp, giải trình và thẩm định đã xong" in html
    assert checked(html) == ["False"]

    answer = client.post(URL, {"daily_digest": "True"}, follow=True)
    assert answer.status_code == 200
    assert "Anh/chị sẽ nhận một thư tổng hợp mỗi ngày." in answer.content.decode()
    assert User.objects.get(pk=reviewer.pk).daily_digest is True
    assert User.objects.get(pk=other.pk).daily_digest is False
    assert checked(answer.content.decode()) == ["True"]

    client.post(URL, {"daily_digest": "False"})
    assert User.objects.get(pk=reviewer.pk).daily_digest is False


@pytest.mark.django_db
def test_a_value_that_is_no_choice_changes_nothing(client):
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER)
    client.force_login(reviewer)

    answer = client.post(URL, {"daily_digest": "maybe"})

    assert answer.status_code == 200
    assert (
        "Hãy chọn một lựa chọn hợp lệ. maybe không phải là một trong các lựa chọn khả thi."
        in answer.content.decode()
    )
    assert User.objects.get(pk=reviewer.pk).daily_digest is False


@pytest.mark.django_db
def test_signing_in_comes_first(client):
    answer = client.get(URL)

    assert answer.status_code == 302
    assert answer["Location"] == "/dang-nhap/?next=/thong-bao/"
