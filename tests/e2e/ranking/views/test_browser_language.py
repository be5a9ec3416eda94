"""What the browser itself would write in its own language is written in the page's: the file
pickers and the validation messages, in a browser set to English whose user chose Vietnamese."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from ranking.models import Assessment

PASSWORD = "demo@2026"


def signed_in(browser, live_server, username: str):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1366, "height": 900}
    )
    # The language chosen on the site (its switcher's cookie), not the browser's.
    context.add_cookies([{"name": "django_language", "value": "vi", "url": live_server.url}])
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form[action='/dang-nhap/'] button[type=submit]").click()
    return context, page


@pytest.mark.e2e
@pytest.mark.xdist_group("browser")
@pytest.mark.django_db(transaction=True)
def test_the_file_pickers_and_the_validation_messages_speak_vietnamese(browser, live_server, tmp_path):
    call_command("seed_demo", stdout=StringIO())
    workbook = tmp_path / "so-lieu-nam-2025.xlsx"
    workbook.write_bytes(b"PK\x03\x04")
    scans = [tmp_path / "ke-hoach.pdf", tmp_path / "bao-cao.pdf"]
    for scan in scans:
        scan.write_bytes(b"%PDF-1.4\n")

    context, page = signed_in(browser, live_server, "hoidong")
    page.goto(reverse("job_import"))
    picker = page.locator("#job-file")
    expect(page.locator("label[for=job-file]")).to_have_text("Chọn tệp")
    expect(page.locator(".file-picker [data-file-name]")).to_have_text("Chưa chọn tệp nào")
    # Sent without a file: the browser stops it, with the page's message, not "Please select a file."
    page.get_by_role("button", name="Bắt đầu nhập").click()
    assert picker.evaluate("input => input.validationMessage") == "Hãy chọn một tệp."
    assert page.url.endswith(reverse("job_import"))
    picker.set_input_files(workbook)
    expect(page.locator(".file-picker [data-file-name]")).to_have_text("so-lieu-nam-2025.xlsx")
    assert picker.evaluate("input => input.validationMessage") == ""
    context.close()

    context, page = signed_in(browser, live_server, "canbo.snv")
    draft = Assessment.objects.get(period__code="CCHC-2026", agency__code="SNV")
    # The cards of every leaf, each with its upload form (a wide window opens the grid).
    page.goto(reverse("assessment_detail", args=[draft.pk]) + "?xem=chi-tiet")
    upload = page.locator(".upload-form").first
    expect(upload.locator(".file-picker-button")).to_have_text("Chọn tệp")
    upload.locator("input[type=file]").set_input_files(scans)
    expect(upload.locator("[data-file-name]")).to_have_text("2 tệp")
    context.close()
