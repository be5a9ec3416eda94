"""What a person sees when something is not there or goes wrong: Vietnamese 404 and 500 pages,
the site's icon, and an evidence file lost from the disk (issue 9, item 12)."""

import logging

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.template.loader import get_template
from django.test import Client, override_settings
from django.urls import path, reverse

from accounts.models import Role
from ranking.models import Evidence
from tests.factories import AssessmentFactory, CriterionFactory, ScoreFactory, UserFactory

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("a defect in a view")


urlpatterns = [path("hong/", broken_view)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_wrong_address_answers_the_vietnamese_404_page(client):
    client.force_login(UserFactory(role=Role.VIEWER))
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<title>Không tìm thấy trang · Sở Nội vụ</title>" in page
    assert (
        '<div class="alert alert-warning">Địa chỉ không đúng, hoặc nội dung cần mở không còn tồn tại.</div>'
        in page
    )
    assert '<a class="btn btn-primary" href="/">Về trang chủ</a>' in page
    # Django's own wording, and its internal messages, never reach the page.
    assert "Not Found" not in page and "matches the given query" not in page


def test_an_assessment_that_does_not_exist_answers_the_same_page(client):
    client.force_login(UserFactory(role=Role.COUNCIL))
    response = client.get(reverse("assessment_detail", args=[987654]))
    assert response.status_code == 404
    assert "Địa chỉ không đúng, hoặc nội dung cần mở không còn tồn tại." in response.content.decode()
    assert "Assessment" not in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_answers_the_vietnamese_500_page():
    response = Client(raise_request_exception=False).get("/hong/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "<title>Lỗi máy chủ · Sở Nội vụ</title>" in page
    assert (
        "Máy chủ gặp sự cố nên không hiển thị được trang. Lỗi đã được ghi lại; vui lòng thử lại sau ít "
        "phút và báo quản trị hệ thống nếu lỗi còn lặp lại."
    ) in page
    assert "a defect in a view" not in page


def test_the_500_page_needs_neither_the_database_nor_a_request():
    def no_database(execute, sql, params, many, context):
        raise AssertionError(f"the 500 page queried the database: {sql}")

    with connection.execute_wrapper(no_database):
        page = get_template("500.html").render()

    assert '<h1 class="h4 text-danger">Lỗi máy chủ</h1>' in page
    assert '<link rel="icon" href="/static/root/favicon.ico" sizes="16x16 32x32 48x48">' in page


def test_the_site_answers_for_its_icon_and_every_page_links_it(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    body = b"".join(icon.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00" and int.from_bytes(body[4:6], "little") == 3
    page = client.get(reverse("login")).content.decode()
    assert '<link rel="icon" href="/static/root/favicon.ico" sizes="16x16 32x32 48x48">' in page


@pytest.fixture
def lost_evidence(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    assessment = AssessmentFactory()
    officer = UserFactory(role=Role.OFFICER, agency=assessment.agency)
    score = ScoreFactory(assessment=assessment, criterion=CriterionFactory(period=assessment.period))
    evidence = Evidence(
        score=score, original_name="Kế hoạch CCHC.pdf", content_type="application/pdf", size=15
    )
    evidence.file.save("evidence.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    (tmp_path / "media" / evidence.file.name).unlink()
    return officer, evidence


def test_an_evidence_file_lost_from_the_disk_answers_404_with_a_message(lost_evidence, client, caplog):
    officer, evidence = lost_evidence
    client.force_login(officer)

    with caplog.at_level(logging.ERROR, logger="ranking.views.agency"):
        response = client.get(reverse("evidence_download", args=[evidence.pk]))

    assert response.status_code == 404
    assert (
        '<div class="alert alert-warning">Tệp “Kế hoạch CCHC.pdf” không còn trên máy chủ. Đề nghị đơn vị '
        "đính kèm lại, hoặc quản trị hệ thống khôi phục từ bản sao lưu.</div>"
    ) in response.content.decode()
    assert [r.getMessage() for r in caplog.records if r.name == "ranking.views.agency"] == [
        f"Evidence {evidence.pk}: its file {evidence.file.name} is missing from the storage."
    ]
