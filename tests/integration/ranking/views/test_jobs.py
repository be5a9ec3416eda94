"""Background jobs in the browser: the year workbook import and the conference workbook export.

Tasks run in the request (django-tasks' ImmediateBackend), except in the test that hands a job
to the database queue and lets `db_worker` take it, as in production. Pages are asked for in
English (the `django_language` cookie), so their texts are the msgids.
"""

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Agency, AgencyGroup, Role
from ranking.models import Job, Period, Score
from ranking.results.compute import results_compute
from tests.builders import ROWS, year_sheets
from tests.factories import AgencyFactory, PeriodFactory, UserFactory
from tests.workbooks import write_workbook

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# The base year of the workbook tests (`year_sheets`), with the one score it leaves out, so that CCHC-2025's
# results can be computed: 49 data rows.
SUMMARY = [
    {"sheet": "Khoi", "new": 2, "updated": 0, "unchanged": 0},
    {"sheet": "DonVi", "new": 3, "updated": 0, "unchanged": 0},
    {"sheet": "KyDanhGia", "new": 2, "updated": 0, "unchanged": 0},
    {"sheet": "XepLoai", "new": 5, "updated": 0, "unchanged": 0},
    {"sheet": "TieuChi", "new": 12, "updated": 0, "unchanged": 0},
    {"sheet": "Diem", "new": 21, "updated": 0, "unchanged": 0},
    {"sheet": "HaBac", "new": 1, "updated": 0, "unchanged": 0},
    {"sheet": "KetQua", "new": 3, "updated": 0, "unchanged": 0},
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _jobs(settings, tmp_path):
    """Tasks run at once; uploaded and produced files go to a temporary private storage."""
    settings.TASKS = IMMEDIATE
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def workbook_upload(tmp_path, sheets, name="nam-2025.xlsx") -> SimpleUploadedFile:
    path = write_workbook(tmp_path / name, sheets)
    return SimpleUploadedFile(name, path.read_bytes(), content_type=XLSX)


def signed_in(client, role: str, **extra):
    user = UserFactory(role=role, **extra)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return user


def start_import(client, upload, *, dry_run=False):
    data = {"file": upload}
    if dry_run:
        data["dry_run"] = "1"
    return client.post(reverse("job_import"), data)


def text(response) -> str:
    """The page's text with tags dropped and white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# --- import ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COUNCIL])
def test_import_runs_as_a_job_and_reports_the_counts_per_sheet(client, tmp_path, role):
    user = signed_in(client, role)
    response = start_import(client, workbook_upload(tmp_path, year_sheets()))

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert (job.kind, job.user, job.status, job.dry_run) == (Job.Kind.IMPORT, user, Job.Status.DONE, False)
    assert job.summary == SUMMARY
    assert job.problems == []
    assert (job.done, job.total) == (ROWS, ROWS)
    assert job.file_name == "nam-2025.xlsx"
    assert job.task_id
    assert job.finished_at is not None
    # The data is in, as the command would have imported it.
    assert sorted(Agency.objects.values_list("code", flat=True)) == ["QHC", "SNV", "STC"]
    assert Score.objects.filter(assessment__period__code="CCHC-2025").count() == 21

    page = client.get(response["Location"])
    assert page.status_code == 200
    content = text(page)
    assert "Done" in content
    assert "The workbook was imported: 49 rows." in content
    assert "Diem 21 0 0" in content
    assert "Khoi 2 0 0" in content
    assert 'hx-trigger="every 1s"' not in page.content.decode()


def test_a_refused_workbook_fails_the_job_with_its_problems_and_imports_nothing(client, tmp_path):
    signed_in(client, Role.ADMIN)
    sheets = year_sheets()
    sheets["DonVi"].append(["SXD", None, "XX"])
    response = start_import(client, workbook_upload(tmp_path, sheets))

    job = Job.objects.get()
    assert response.status_code == 302
    assert job.status == Job.Status.FAILED
    assert job.problems == [
        "DonVi!5 Tên đơn vị: This cell is required.",
        "DonVi!5 Mã khối: Unknown group code “XX”.",
    ]
    assert job.summary == []
    assert (AgencyGroup.objects.count(), Agency.objects.count(), Period.objects.count()) == (0, 0, 0)

    content = text(client.get(reverse("job_detail", args=[job.pk])))
    assert "Failed" in content
    assert "2 problems found; nothing was imported." in content
    assert "DonVi!5 Tên đơn vị: This cell is required." in content
    assert "DonVi!5 Mã khối: Unknown group code “XX”." in content


def test_a_file_that_is_no_workbook_fails_the_job(client, tmp_path):
    signed_in(client, Role.ADMIN)
    # A ZIP archive, but no workbook inside.
    upload = SimpleUploadedFile("nam.xlsx", b"PK\x05\x06" + b"\0" * 18, content_type=XLSX)
    start_import(client, upload)

    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert len(job.problems) == 1
    assert job.problems[0].startswith("The file cannot be read as an Excel workbook (.xlsx): ")


def test_dry_run_checks_and_counts_but_writes_nothing(client, tmp_path):
    signed_in(client, Role.ADMIN)
    start_import(client, workbook_upload(tmp_path, year_sheets()), dry_run=True)

    job = Job.objects.get()
    assert (job.status, job.dry_run) == (Job.Status.DONE, True)
    assert job.summary == SUMMARY
    assert (AgencyGroup.objects.count(), Agency.objects.count(), Score.objects.count()) == (0, 0, 0)
    content = text(client.get(reverse("job_detail", args=[job.pk])))
    assert "Dry run: the workbook has no problems. Nothing was written." in content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("nam.csv", b"Ma khoi,Ten khoi\n", "The file is not an Excel workbook (.xlsx)."),
        ("nam.xlsx", b"<html><script>alert(1)</script></html>", "The file is not an Excel workbook (.xlsx)."),
    ],
)
def test_an_upload_that_is_not_a_workbook_is_refused_at_once(client, name, content, message):
    signed_in(client, Role.ADMIN)
    response = start_import(client, SimpleUploadedFile(name, content))
    assert response.status_code == 422
    assert message in text(response)
    assert Job.objects.count() == 0


def test_an_upload_over_the_limit_is_refused(client, tmp_path, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1000
    signed_in(client, Role.ADMIN)
    response = start_import(client, workbook_upload(tmp_path, year_sheets()))
    assert response.status_code == 422
    assert "The file is larger than 1000" in text(response)
    assert Job.objects.count() == 0


def test_without_a_file_the_form_asks_for_one(client):
    signed_in(client, Role.ADMIN)
    response = client.post(reverse("job_import"), {})
    assert response.status_code == 422
    assert "Choose the year workbook (.xlsx) to import." in text(response)


def test_import_page_offers_the_upload_and_the_dry_run(client):
    signed_in(client, Role.COUNCIL)
    response = client.get(reverse("job_import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file"' in html and 'name="file"' in html
    assert 'name="dry_run"' in html
    assert 'enctype="multipart/form-data"' in html


@pytest.mark.parametrize("role", [Role.OFFICER, Role.HEAD, Role.REVIEWER, Role.VIEWER])
def test_others_may_not_import_or_export(client, tmp_path, role):
    agency = AgencyFactory() if role in (Role.OFFICER, Role.HEAD) else None
    signed_in(client, role, agency=agency)
    period = PeriodFactory()

    assert client.get(reverse("job_list")).status_code == 403
    assert client.get(reverse("job_import")).status_code == 403
    response = start_import(client, workbook_upload(tmp_path, year_sheets()))
    assert response.status_code == 403
    assert "Only the council or an administrator may import or export workbooks." in text(response)
    assert client.post(reverse("job_export", args=[period.code])).status_code == 403
    assert Job.objects.count() == 0
    assert Agency.objects.exclude(pk=getattr(agency, "pk", None)).count() == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, tmp_path):
    period = PeriodFactory()
    job = Job.objects.create(kind=Job.Kind.EXPORT, period=period, status=Job.Status.DONE)
    login = reverse("login")
    for response in (
        client.get(reverse("job_list")),
        client.get(reverse("job_import")),
        start_import(client, workbook_upload(tmp_path, year_sheets())),
        client.post(reverse("job_export", args=[period.code])),
        client.get(reverse("job_detail", args=[job.pk])),
        client.get(reverse("job_download", args=[job.pk])),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(login)
    assert Job.objects.count() == 1


def test_a_job_is_seen_by_its_owner_and_administrators_only(client, tmp_path):
    owner = signed_in(client, Role.COUNCIL)
    start_import(client, workbook_upload(tmp_path, year_sheets()))
    job = Job.objects.get(user=owner)

    signed_in(client, Role.COUNCIL)  # another member of the council
    for name in ("job_detail", "job_download"):
        response = client.get(reverse(name, args=[job.pk]))
        assert response.status_code == 403
        assert "Only the person who started this job, or an administrator, may see it." in text(response)
    assert f'data-job="{job.pk}"' not in client.get(reverse("job_list")).content.decode()

    signed_in(client, Role.ADMIN)
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 200
    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == job.file.read()
    job.file.close()


def test_an_unknown_job_is_not_found(client):
    signed_in(client, Role.ADMIN)
    assert client.get(reverse("job_detail", args=[999])).status_code == 404


# --- export ------------------------------------------------------------------------------------


@pytest.fixture
def computed(client, tmp_path):
    """The year imported (by an administrator's job) and CCHC-2025's results computed."""
    signed_in(client, Role.ADMIN)
    start_import(client, workbook_upload(tmp_path, year_sheets()))
    assert Job.objects.get().status == Job.Status.DONE
    client.logout()
    period = Period.objects.get(code="CCHC-2025")
    results_compute(period=period)
    return period


def test_export_job_produces_the_conference_workbook_behind_a_checked_download(client, computed):
    council = signed_in(client, Role.COUNCIL)
    response = client.post(reverse("job_export", args=[computed.code]))

    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert response.status_code == 302
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert (job.user, job.period, job.status) == (council, computed, Job.Status.DONE)
    assert (job.done, job.total) == (1, 1)

    page = client.get(response["Location"])
    assert page.status_code == 200
    download_url = reverse("job_download", args=[job.pk])
    assert f'href="{download_url}"' in page.content.decode()
    assert "The conference workbook is ready." in text(page)
    # The file lives in the private storage, never under a public URL.
    assert "/media/" not in page.content.decode()

    download = client.get(download_url)
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert download["Content-Disposition"] == 'attachment; filename="hoi-nghi-CCHC-2025.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.sheetnames == ["Khối sở, ban, ngành", "Khối quận, huyện", "Tổng hợp", "Khen thưởng"]
    assert workbook["Khối sở, ban, ngành"]["C8"].value == "Sở Nội vụ"

    signed_in(client, Role.COUNCIL)  # another member of the council
    assert client.get(download_url).status_code == 403
    signed_in(client, Role.REVIEWER)
    assert client.get(download_url).status_code == 403


def test_an_unexpected_error_fails_the_job_with_its_message(client, computed, monkeypatch):
    def broken(*, period):
        raise OSError("No space left on device")

    monkeypatch.setattr("ranking.jobs.conference_workbook_bytes", broken)
    signed_in(client, Role.ADMIN)
    client.post(reverse("job_export", args=[computed.code]))

    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert job.status == Job.Status.FAILED
    assert job.problems == ["Unexpected error: No space left on device"]
    assert job.finished_at is not None
    content = text(client.get(reverse("job_detail", args=[job.pk])))
    assert "The conference workbook could not be produced." in content
    assert "Unexpected error: No space left on device" in content
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_export_of_a_period_without_results_is_refused(client):
    signed_in(client, Role.ADMIN)
    period = PeriodFactory(year=2026)
    response = client.post(reverse("job_export", args=[period.code]), follow=True)
    assert response.redirect_chain == [(reverse("job_list"), 302)]
    assert "Results of period CCHC-2026 have not been computed yet." in text(response)
    assert Job.objects.count() == 0


def test_export_of_an_unknown_period_is_not_found(client):
    signed_in(client, Role.ADMIN)
    assert client.post(reverse("job_export", args=["CCHC-1999"])).status_code == 404


def test_export_only_by_post(client, computed):
    signed_in(client, Role.ADMIN)
    assert client.get(reverse("job_export", args=[computed.code])).status_code == 405


# --- the whole year workbook ------------------------------------------------------------------


def sheets_of(content: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_year_export_job_produces_the_year_workbook_behind_a_checked_download(client, computed):
    owner = signed_in(client, Role.ADMIN, is_staff=True, is_superuser=True)
    page = client.get(reverse("job_year_export"))
    assert page.status_code == 200
    assert "Export the whole year workbook" in text(page)
    assert 'class="job-year-export-form"' in page.content.decode()

    response = client.post(reverse("job_year_export"))

    job = Job.objects.get(kind=Job.Kind.YEAR_EXPORT)
    assert response.status_code == 302
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert (job.user, job.period, job.status, job.problems) == (owner, None, Job.Status.DONE, [])
    assert (job.done, job.total, job.file_name) == (1, 1, "du-lieu-nam.xlsx")
    detail = client.get(response["Location"])
    download_url = reverse("job_download", args=[job.pk])
    assert "The year workbook is ready." in text(detail)
    assert f'href="{download_url}"' in detail.content.decode()
    assert "/media/" not in detail.content.decode()

    download = client.get(download_url)
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="du-lieu-nam.xlsx"'
    content = b"".join(download.streaming_content)
    # The file the admin site's export gives, sheet by sheet and cell by cell.
    admin_export = client.get(reverse("admin:ranking_period_year_workbook"))
    assert sheets_of(content) == sheets_of(admin_export.content)
    exported = sheets_of(content)
    assert list(exported)[:3] == ["Khoi", "DonVi", "KyDanhGia"]
    assert len(exported["Diem"]) == 22  # the header and CCHC-2025's 21 scores

    signed_in(client, Role.ADMIN, is_staff=True, is_superuser=True)  # another administrator
    again = client.get(download_url)
    assert again.status_code == 200
    assert b"".join(again.streaming_content) == content
    signed_in(client, Role.COUNCIL)
    assert client.get(download_url).status_code == 403


@pytest.mark.parametrize(
    ("role", "message"),
    [
        (Role.COUNCIL, "Only someone who may export every sheet may export the whole year workbook."),
        (Role.ADMIN, "Only someone who may export every sheet may export the whole year workbook."),
        (Role.REVIEWER, "Only the council or an administrator may import or export workbooks."),
    ],
)
def test_the_year_export_is_refused_to_those_who_may_not_export_every_sheet(client, role, message):
    signed_in(client, role)

    page = client.get(reverse("job_year_export"))
    started = client.post(reverse("job_year_export"))

    assert (page.status_code, started.status_code) == (403, 403)
    assert message in text(page)
    assert message in text(started)
    assert Job.objects.count() == 0


def test_the_year_export_needs_a_sign_in_and_starts_only_by_post(client):
    response = client.post(reverse("job_year_export"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    signed_in(client, Role.ADMIN, is_staff=True, is_superuser=True)
    assert client.put(reverse("job_year_export")).status_code == 405
    assert Job.objects.count() == 0


def test_a_failed_year_export_says_so_and_keeps_no_file(client, monkeypatch):
    def broken():
        raise OSError("No space left on device")

    monkeypatch.setattr("ranking.jobs.workbook_export", broken)
    signed_in(client, Role.ADMIN, is_staff=True, is_superuser=True)
    client.post(reverse("job_year_export"))

    job = Job.objects.get(kind=Job.Kind.YEAR_EXPORT)
    assert (job.status, job.problems) == (Job.Status.FAILED, ["Unexpected error: No space left on device"])
    content = text(client.get(reverse("job_detail", args=[job.pk])))
    assert "The year workbook could not be produced." in content
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_a_second_click_while_the_year_export_waits_opens_the_same_job(client, settings):
    settings.TASKS = DATABASE_QUEUE  # no worker takes it meanwhile
    signed_in(client, Role.ADMIN, is_staff=True, is_superuser=True)

    first = client.post(reverse("job_year_export"))
    second = client.post(reverse("job_year_export"))

    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED
    assert first["Location"] == second["Location"] == reverse("job_detail", args=[job.pk])
    # Once it is finished, the next click starts a new export.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE)
    third = client.post(reverse("job_year_export"))
    assert Job.objects.count() == 2
    assert third["Location"] == reverse("job_detail", args=[Job.objects.latest("id").pk])


def test_the_periods_admin_list_offers_the_year_export_in_the_background(client):
    signed_in(client, Role.ADMIN, is_staff=True, is_superuser=True)
    html = client.get(reverse("admin:ranking_period_changelist")).content.decode()
    assert f'href="{reverse("job_year_export")}" class="year-workbook-job"' in html
    assert f'href="{reverse("admin:ranking_period_year_workbook")}" class="year-workbook"' in html


# --- the job page and the list ---------------------------------------------------------------


def test_the_page_of_a_running_job_polls_its_status_fragment(client):
    user = signed_in(client, Role.ADMIN)
    job = Job.objects.create(
        kind=Job.Kind.IMPORT, user=user, status=Job.Status.RUNNING, done=1234, total=5000, file_name="a.xlsx"
    )
    url = reverse("job_detail", args=[job.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "<html" in page.content.decode()

    fragment = client.get(url, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert "<html" not in html
    assert html.count('id="job-status"') == 1
    assert f'hx-get="{url}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert 'hx-swap="outerHTML"' in html
    assert '<progress class="w-100 job-progress" max="5000" value="1234"' in html
    assert "1,234 of 5,000 rows (24%)" in text(fragment)
    assert "Running" in text(fragment)

    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, done=5000, summary=SUMMARY[:1])
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html
    assert "<progress" not in html
    assert "The workbook was imported: 5,000 rows." in " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_waiting_job_says_it_waits_for_the_worker(client):
    user = signed_in(client, Role.ADMIN)
    job = Job.objects.create(kind=Job.Kind.IMPORT, user=user, file_name="a.xlsx")
    fragment = client.get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "Waiting for the background worker to take the job." in text(fragment)
    # The amount of work is not known yet: an indeterminate bar.
    assert '<progress class="w-100 job-progress" aria-label="Progress"></progress>' in html


def test_the_vietnamese_page_groups_thousands_with_dots(client):
    user = signed_in(client, Role.ADMIN)
    client.cookies["django_language"] = "vi"
    job = Job.objects.create(
        kind=Job.Kind.IMPORT, user=user, status=Job.Status.RUNNING, done=1234, total=150000
    )
    html = client.get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "1.234" in html and "150.000" in html


def test_the_list_shows_the_users_recent_jobs_in_constant_queries(client, django_assert_num_queries):
    user = signed_in(client, Role.COUNCIL)
    other = UserFactory(role=Role.ADMIN)
    period = PeriodFactory()
    Job.objects.create(kind=Job.Kind.EXPORT, user=other, period=period, status=Job.Status.DONE)

    def jobs_shown():
        response = client.get(reverse("job_list"))
        assert response.status_code == 200
        return [int(pk) for pk in re.findall(r'data-job="(\d+)"', response.content.decode())]

    first = Job.objects.create(kind=Job.Kind.EXPORT, user=user, period=period, status=Job.Status.DONE)
    with django_assert_num_queries(4):  # session, user, jobs, periods with results
        assert jobs_shown() == [first.pk]
    more = [
        Job.objects.create(kind=Job.Kind.IMPORT, user=user, file_name=f"{n}.xlsx", dry_run=True)
        for n in range(2)
    ]
    with django_assert_num_queries(4):
        assert jobs_shown() == [more[1].pk, more[0].pk, first.pk]


def test_the_list_offers_the_export_of_periods_with_results(client, computed):
    signed_in(client, Role.COUNCIL)
    html = client.get(reverse("job_list")).content.decode()
    assert f'action="{reverse("job_export", args=["CCHC-2025"])}"' in html
    assert reverse("job_export", args=["CCHC-2024"]) not in html


# --- the database queue, as in production ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_job_waits_in_the_database_queue_until_a_worker_takes_it(client, tmp_path, settings):
    """Committed for real, as the worker (another process in production) needs it."""
    settings.TASKS = DATABASE_QUEUE
    signed_in(client, Role.ADMIN)
    start_import(client, workbook_upload(tmp_path, year_sheets()))
    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED
    assert Agency.objects.count() == 0

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())

    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.summary == SUMMARY
    assert Agency.objects.count() == 3
