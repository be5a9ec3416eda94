"""The layout, the sign-in pages and the home page, as a browser receives them."""

import json
import re

import pytest
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils.html import escape

from accounts.models import Agency, AgencyGroup

PASSWORD = "mat-khau-thu-nghiem-2025"

# A <script> tag without a src attribute, or an on...= handler inside a tag: both are inline
# code, which the Content Security Policy forbids.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STATIC_REFERENCE = re.compile(r'(?:href|src)="/static/([^"]+)"')

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(django_user_model):
    return django_user_model.objects.create_user(
        username="lanhdao.ubnd", password=PASSWORD, role="viewer", first_name="Thị Bình", last_name="Trần"
    )


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        username="quantri", password=PASSWORD, role="admin", is_staff=True
    )


def assert_no_inline_code(html: str) -> None:
    assert INLINE_SCRIPT.findall(html) == []
    assert INLINE_HANDLER.findall(html) == []
    assert " onclick=" not in html


def test_login_page_has_the_sign_in_form(client):
    response = client.get("/dang-nhap/")

    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["registration/login.html", "base.html"]
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert '<form method="post" action="/dang-nhap/" novalidate>' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert re.search(r'<input type="text" name="username" id="id_username"[^>]*autocomplete="username"', html)
    assert re.search(
        r'<input type="password" name="password" id="id_password"[^>]*autocomplete="current-password"', html
    )
    # Anonymous visitors get neither the user menu nor a sign-out form.
    assert 'action="/dang-xuat/"' not in html
    assert 'href="/doi-mat-khau/"' not in html
    assert_no_inline_code(html)


def test_pages_load_vendored_assets_that_exist(client):
    html = client.get("/dang-nhap/").content.decode()

    references = STATIC_REFERENCE.findall(html)
    assert references == [
        "root/favicon.ico",  # issue 9 adds the site's icon to every page
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap-icons/bootstrap-icons.min.css",
        "css/app.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "vendor/htmx/htmx.min.js",
        "js/app.js",
    ]
    assert [path for path in references if finders.find(path) is None] == []
    assert "//cdn" not in html and "https://" not in html


def test_vendored_libraries_ship_with_their_licences():
    for path in (
        "vendor/bootstrap/LICENSE",
        "vendor/bootstrap-icons/LICENSE",
        "vendor/htmx/LICENSE",
        "vendor/chart.js/LICENSE.md",
        "vendor/chart.js/chart.umd.js",
        "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
        "vendor/bootstrap-icons/fonts/bootstrap-icons.woff",
    ):
        assert finders.find(path) is not None, path


def test_collectstatic_with_the_production_storage_succeeds(settings, tmp_path):
    """The hashed storage rewrites url() and sourceMappingURL references and fails on a missing one."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

    call_command("collectstatic", interactive=False, verbosity=0)

    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in (
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "vendor/htmx/htmx.min.js",
        "vendor/chart.js/chart.umd.js",
        "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
        "css/app.css",
        "js/app.js",
    ):
        stem, extension = name.rsplit(".", 1)
        assert re.fullmatch(rf"{re.escape(stem)}\.[0-9a-f]{{12}}\.{extension}", paths[name])


def test_wrong_password_is_reported_on_the_form(client, viewer):
    response = client.post("/dang-nhap/", {"username": "lanhdao.ubnd", "password": "sai"})

    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    expected = AuthenticationForm.error_messages["invalid_login"] % {
        "username": form.fields["username"].label
    }
    assert form.non_field_errors() == [expected]
    assert (
        f'<div class="alert alert-danger" role="alert">\n        <p class="mb-0">{escape(expected)}</p>'
        in html
    )
    assert 'value="lanhdao.ubnd"' in html


def test_right_password_signs_in_and_goes_home(client, viewer):
    response = client.post("/dang-nhap/", {"username": "lanhdao.ubnd", "password": PASSWORD, "next": ""})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_anonymous_home_redirects_to_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=/"


def test_signed_in_viewer_sees_name_role_and_phases(client, viewer):
    client.force_login(viewer)

    response = client.get("/")

    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["ranking/home.html", "base.html"]
    html = response.content.decode()
    assert html.count("Trần Thị Bình") == 2  # the navbar and the welcome
    assert html.count(f"{viewer.get_role_display()}</span>") == 2
    assert html.count('<li><span class="fw-semibold">') == 6
    # Sign-out, the password and the notifications in the menu under the person's name.
    assert '<form method="post" action="/dang-xuat/">' in html
    assert '<button class="nav-link dropdown-toggle" type="button" id="account-menu"' in html
    assert 'href="/thong-bao/"' in html
    assert 'href="/doi-mat-khau/"' in html
    assert 'aria-current="page"' in html
    # Not staff: no administration, no workbook.
    assert 'href="/admin/"' not in html
    assert 'href="/mau-so-lieu.xlsx"' not in html
    assert_no_inline_code(html)


def test_htmx_sends_the_csrf_token(client, viewer):
    client.force_login(viewer)

    response = client.get("/")

    token = response.context["csrf_token"]
    assert f"""hx-headers='{{"X-CSRFToken": "{token}"}}'""" in response.content.decode()


def test_agency_officer_sees_own_agency(client, django_user_model):
    group = AgencyGroup.objects.create(code="SBN", name="Sở, ban, ngành")
    agency = Agency.objects.create(code="SNV", name="Sở Nội vụ thành phố", group=group)
    officer = django_user_model.objects.create_user(
        username="canbo.snv", password=PASSWORD, role="officer", agency=agency
    )
    client.force_login(officer)

    html = client.get("/").content.decode()

    assert '<span class="fw-semibold">Sở Nội vụ thành phố</span>' in html
    # Without a full name the username stands in.
    assert html.count("canbo.snv") == 2


def test_staff_sees_administration_and_workbook_links(client, staff):
    client.force_login(staff)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('href="/admin/"') == 2  # navbar and the card
    assert html.count('href="/mau-so-lieu.xlsx"') == 1
    assert_no_inline_code(html)


def test_password_change_form_and_done(client, viewer):
    client.force_login(viewer)

    response = client.get("/doi-mat-khau/")

    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'<input type="password" name="(\w+)"', html) == [
        "old_password",
        "new_password1",
        "new_password2",
    ]
    assert_no_inline_code(html)

    new_password = "mot-mat-khau-moi-rat-dai"
    response = client.post(
        "/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert response["Location"] == "/doi-mat-khau/xong/"
    viewer.refresh_from_db()
    assert viewer.check_password(new_password)

    response = client.get("/doi-mat-khau/xong/")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "registration/password_change_done.html"
    assert_no_inline_code(response.content.decode())


def test_password_change_errors_are_shown(client, viewer):
    client.force_login(viewer)

    response = client.post(
        "/doi-mat-khau/", {"old_password": "sai", "new_password1": "x", "new_password2": "y"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert set(response.context["form"].errors) == {"old_password", "new_password2"}
    assert html.count("form-control is-invalid") == 2
    assert 'id="id_old_password-errors"' in html
    assert 'id="id_new_password2-errors"' in html


def test_sign_out_is_a_post(client, viewer):
    client.force_login(viewer)

    response = client.post("/dang-xuat/")

    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/"
    assert client.get("/").status_code == 302


def test_language_switch_posts_and_changes_the_page_language(client):
    html = client.get("/dang-nhap/").content.decode()
    assert '<form method="post" action="/i18n/setlang/"' in html
    assert re.findall(r'<button type="submit" name="language" value="(\w+)"', html) == ["vi", "en"]
    assert '<input type="hidden" name="next" value="/dang-nhap/">' in html

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/dang-nhap/"})

    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/"
    html = client.get("/dang-nhap/").content.decode()
    assert '<html lang="en">' in html
    assert "Evaluation and ranking of administrative reform and records work" in html


def test_messages_render_as_bootstrap_alerts(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    messages = [Message(constants.ERROR, "Không lưu được."), Message(constants.SUCCESS, "Đã lưu.")]

    html = render_to_string("registration/logged_out.html", {"messages": messages}, request=request)

    assert re.search(
        r'class="alert alert-danger alert-dismissible fade show"\s+role="alert">\s+Không lưu được\.', html
    )
    assert re.search(
        r'class="alert alert-success alert-dismissible fade show"\s+role="status">\s+Đã lưu\.', html
    )
    assert_no_inline_code(html)
