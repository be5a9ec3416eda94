"""Sign-in lockout, security headers, the Content Security Policy and the deploy checks."""

import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings

from accounts.models import Role
from accounts.security import client_address
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


# --- behind a proxy: whose address is locked (issue 9, item 14) ---------------------------------

PROXY = "10.0.0.5"
SIGN_IN = "/dang-nhap/"


def sign_in(client, username: str, password: str, forwarded_for: str | None = None):
    headers = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(SIGN_IN, {"username": username, "password": password}, **headers)


@override_settings(PROXY_COUNT=1)
def test_behind_a_proxy_a_guesser_locks_out_only_their_own_address(client):
    UserFactory(username="hoidong", role=Role.COUNCIL)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "hoidong", "sai", forwarded_for="203.0.113.9")
    assert sign_in(client, "hoidong", PASSWORD, forwarded_for="203.0.113.9").status_code == 429

    # The council member signs in through the same proxy, from their own address.
    response = sign_in(Client(), "hoidong", PASSWORD, forwarded_for="198.51.100.7")
    assert response.status_code == 302
    attempts = AccessAttempt.objects.values_list("username", "ip_address", "failures_since_start")
    assert list(attempts) == [("hoidong", "203.0.113.9", settings.AXES_FAILURE_LIMIT + 1)]


@override_settings(PROXY_COUNT=1)
def test_behind_a_proxy_what_the_client_writes_before_the_proxys_entry_is_ignored(client):
    UserFactory(username="hoidong", role=Role.COUNCIL)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # Each try claims another address; the proxy appends the one it really saw.
        sign_in(client, "hoidong", "sai", forwarded_for=f"192.0.2.{attempt}, 203.0.113.9")
    assert sign_in(client, "hoidong", PASSWORD, forwarded_for="192.0.2.99, 203.0.113.9").status_code == 429


def test_without_a_proxy_a_forwarded_address_is_not_believed(client):
    UserFactory(username="hoidong", role=Role.COUNCIL)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "hoidong", "sai", forwarded_for=f"192.0.2.{attempt}")
    assert sign_in(client, "hoidong", PASSWORD, forwarded_for="192.0.2.99").status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]


def test_a_lockout_holds_the_user_at_that_address_only(client):
    UserFactory(username="hoidong", role=Role.COUNCIL)
    UserFactory(username="thamdinh", role=Role.REVIEWER)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "hoidong", "sai")
    assert sign_in(client, "hoidong", PASSWORD).status_code == 429
    assert sign_in(Client(), "thamdinh", PASSWORD).status_code == 302
    elsewhere = Client().post(SIGN_IN, {"username": "hoidong", "password": PASSWORD}, REMOTE_ADDR="10.0.0.6")
    assert elsewhere.status_code == 302


@pytest.mark.parametrize(
    "count, remote, forwarded, expected",
    [
        (0, "10.0.0.5", "203.0.113.9", "10.0.0.5"),
        (1, "10.0.0.5", None, "10.0.0.5"),
        (1, "10.0.0.5", "203.0.113.9", "203.0.113.9"),
        (1, "10.0.0.5", " 192.0.2.1 ,203.0.113.9 ", "203.0.113.9"),
        (2, "10.0.0.5", "192.0.2.1, 203.0.113.9, 10.0.0.4", "203.0.113.9"),
        (2, "10.0.0.5", "203.0.113.9", "10.0.0.5"),
        (1, "10.0.0.5", "2001:db8::1", "2001:db8::1"),
        (1, "10.0.0.5", "unknown", "10.0.0.5"),
        (1, "10.0.0.5", "203.0.113.9:4711", "10.0.0.5"),
    ],
)
def test_the_client_address_behind_proxy_count_proxies(count, remote, forwarded, expected, rf, settings):
    settings.PROXY_COUNT = count
    headers = {
        "REMOTE_ADDR": remote,
        **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}),
    }
    assert client_address(rf.get("/", **headers)) == expected


# --- the password change form is a sign-in too ---------------------------------------------------


def test_wrong_current_passwords_on_the_change_form_count_as_failed_sign_ins(client):
    user = UserFactory(username="canbo.stc")
    client.force_login(user)
    change = {
        "old_password": "doan-mo",
        "new_password1": "Moi-hoan-toan-2026",
        "new_password2": "Moi-hoan-toan-2026",
    }

    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/doi-mat-khau/", change)
        assert response.status_code == 200
        assert response.context["form"].errors["old_password"] == [
            "Mật khẩu cũ không chính xác. Hãy nhập lại lần nữa"
        ]
    assert client.post("/doi-mat-khau/", change).status_code == 429

    # Locked out: even the right current password changes nothing, and signing in is refused.
    locked = client.post("/doi-mat-khau/", {**change, "old_password": PASSWORD})
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert Client().post(SIGN_IN, {"username": "canbo.stc", "password": PASSWORD}).status_code == 429


def test_the_right_current_password_changes_it(client):
    user = UserFactory(username="canbo.stc")
    client.force_login(user)
    response = client.post(
        "/doi-mat-khau/",
        {
            "old_password": PASSWORD,
            "new_password1": "Moi-hoan-toan-2026",
            "new_password2": "Moi-hoan-toan-2026",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/doi-mat-khau/xong/"
    user.refresh_from_db()
    assert user.check_password("Moi-hoan-toan-2026")
    assert not AccessAttempt.objects.exists()


# --- the public development key ----------------------------------------------------------------


def start(module: str, **variables) -> subprocess.CompletedProcess:
    """Load the settings `module` in a fresh process, with `variables` as its only own settings."""
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG")}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(DJANGO_SETTINGS_MODULE=module, **variables)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_off_with_the_public_development_key_refuses_to_start():
    result = start("config.settings", DEBUG="0")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: DEBUG is off but SECRET_KEY is the public "
        "development key of config/settings.py: set SECRET_KEY in the environment (50 random "
        "characters, the same on every server), or run with "
        "DJANGO_SETTINGS_MODULE=config.settings_production (docs/deploy.md)."
    )


@pytest.mark.parametrize(
    "module, variables",
    [
        ("config.settings", {}),
        ("config.settings", {"DEBUG": "1"}),
        ("config.settings", {"DEBUG": "0", "SECRET_KEY": "k" * 50}),
        ("config.settings_production", {"SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "danhgia.example.gov.vn"}),
        ("bench.settings", {}),
    ],
)
def test_every_other_way_of_starting_still_starts(module, variables):
    result = start(module, **variables)
    assert (result.returncode, result.stdout) == (0, "started\n"), result.stderr
