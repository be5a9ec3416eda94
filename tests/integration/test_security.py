"""Sign-in lockout, security headers, the Content Security Policy and the deploy checks."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-thu-nghiem"


def test_repeated_failures_lock_the_account_even_for_the_right_password(client):
    UserFactory(username="canbo.snv")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/dang-nhap/", {"username": "canbo.snv", "password": "sai"})
        assert response.status_code in (200, 429)
    locked = client.post("/dang-nhap/", {"username": "canbo.snv", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_before_the_limit_resets_the_count(client):
    UserFactory(username="lanhdao.snv")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/dang-nhap/", {"username": "lanhdao.snv", "password": "sai"})
    response = client.post("/dang-nhap/", {"username": "lanhdao.snv", "password": PASSWORD})
    assert response.status_code == 302
    client.logout()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/dang-nhap/", {"username": "lanhdao.snv", "password": "sai"}).status_code == 200


def test_pages_carry_the_security_headers_and_a_policy_without_inline_scripts(client):
    response = client.get("/dang-nhap/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response.cookies["csrftoken"]["httponly"] is True


def test_sessions_end_with_the_working_day(client):
    UserFactory(username="xem")
    response = client.post("/dang-nhap/", {"username": "xem", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["max-age"] == 8 * 60 * 60
    assert response.cookies["sessionid"]["httponly"] is True


def test_passwords_are_checked_by_djangos_validators(client):
    user = UserFactory(username="canbo.stc")
    client.force_login(user)
    response = client.post(
        "/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@override_settings(CSRF_USE_SESSIONS=False)
def test_a_post_without_the_csrf_token_is_refused(django_user_model):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory(username="lanhdao.stc"))
    assert strict.post("/dang-xuat/").status_code == 403


def test_deploy_checks_pass_under_the_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_production",
        "SECRET_KEY": "k" * 20 + "-production-secret-that-is-long-and-random-0123456789",
        "ALLOWED_HOSTS": "danhgia.example.gov.vn",
    }
    # The browser tests allow sync ORM calls beside Playwright's loop; a deployment never does.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
