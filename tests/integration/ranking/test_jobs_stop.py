"""Issue 9: a background job can be cancelled, stops at its time limit, and a job whose worker
died is marked failed — and in every case nothing it did is kept.

Tasks run in the request (django-tasks' ImmediateBackend) unless a test hands them to the
database queue. A cancellation "from another request" is made through the service in the
middle of the import, on the test's connection; the tests marked PostgreSQL make it, or judge
the worker dead, through a connection of their own, as another process does — SQLite has a
single writer, which the import's transaction holds.
"""

import io
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from html import unescape

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency, AgencyGroup, Role
from ranking.jobs import JobProgress, JobWatch, job_cancel, job_fail_if_dead
from ranking.models import Job
from tests.factories import AgencyFactory, UserFactory
from tests.workbooks import write_workbook

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KHOI = ["Mã khối", "Tên khối", "Thứ tự"]
DONVI = ["Mã đơn vị", "Tên đơn vị", "Mã khối"]
NOTHING = "Không có dữ liệu nào được ghi."
DEAD = (
    "Tiến trình chạy nền không có tín hiệu hoạt động quá 1 phút: tiến trình đã dừng "
    "(bị tắt, hết bộ nhớ hoặc máy chủ khởi động lại). Không có dữ liệu nào được ghi; hãy chạy lại công việc."
)
postgresql_only = pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="SQLite has one writer: no other connection writes while the import's transaction is open.",
)


@pytest.fixture(autouse=True)
def _jobs(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.JOBS_HEARTBEAT_TIMEOUT = 60
    settings.JOBS_TIME_LIMIT = 60


def year(tmp_path, agencies: int):
    """A group and `agencies` agencies: the import reads 1 + `agencies` rows, then imports them."""
    rows = [[f"DV{n:05d}", f"Đơn vị số {n}", "SBN"] for n in range(1, agencies + 1)]
    sheets = {"Khoi": [KHOI, ["SBN", "Khối sở", 1]], "DonVi": [DONVI, *rows]}
    path = write_workbook(tmp_path / "nam.xlsx", sheets)
    return SimpleUploadedFile("nam.xlsx", path.read_bytes(), content_type=XLSX)


def signed_in(client, role=Role.COUNCIL):
    user = UserFactory(role=role)
    client.force_login(user)
    return user


def start(client, upload):
    return client.post(reverse("job_import"), {"file": upload})


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def nothing_written() -> bool:
    return AgencyGroup.objects.count() == 0 and Agency.objects.count() == 0


def cancel_at(monkeypatch, row: int, user) -> list[int]:
    """Cancel the running job, as `user` pressing the button, when its `row`-th row is imported;
    the rows the worker went on to import are returned."""
    seen: list[int] = []
    progress = JobProgress.__call__

    def cancelling(self, done, total):
        seen.append(done)
        if done == row:
            job = Job.objects.get(pk=self.job_id)
            assert job.status == Job.Status.RUNNING
            job_cancel(user=user, job=job)
        progress(self, done, total)

    monkeypatch.setattr(JobProgress, "__call__", cancelling)
    return seen


# --- cancelling ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_waiting_job_is_cancelled_at_once_and_no_worker_takes_it(client, tmp_path, settings):
    settings.TASKS = DATABASE_QUEUE
    owner = signed_in(client)
    start(client, year(tmp_path, 3))
    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED

    response = client.post(reverse("job_cancel", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.cancelled_by, job.problems) == (
        Job.Status.CANCELLED,
        owner,
        [f"Đã bị {owner.get_full_name()} hủy. {NOTHING}"],
    )
    assert job.finished_at is not None

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert nothing_written()

    page = client.get(reverse("job_detail", args=[job.pk]))
    content = text(page)
    assert "Đã hủy" in content
    assert f"Đã bị {owner.get_full_name()} hủy. {NOTHING}" in content
    assert "hx-trigger" not in page.content.decode()
    assert reverse("job_cancel", args=[job.pk]) not in page.content.decode()


def test_a_running_import_stops_at_its_next_batch_of_rows_and_keeps_nothing(client, tmp_path, monkeypatch):
    owner = signed_in(client)
    seen = cancel_at(monkeypatch, 10, owner)
    start(client, year(tmp_path, 2500))

    job = Job.objects.get()
    assert (job.status, job.cancelled_by, job.problems) == (
        Job.Status.CANCELLED,
        owner,
        [f"Đã bị {owner.get_full_name()} hủy. {NOTHING}"],
    )
    assert nothing_written()
    # 2,501 rows to import: the worker stopped within a batch of the cancellation, not at the end.
    assert 10 < max(seen) <= 10 + JobWatch.rows
    assert max(seen) < 2501


def test_a_cancellation_after_the_last_batch_still_undoes_the_import(client, tmp_path, monkeypatch):
    """The job is marked done inside the import's transaction, only if nobody cancelled it."""
    owner = signed_in(client)
    seen = cancel_at(monkeypatch, 4, owner)
    start(client, year(tmp_path, 3))

    job = Job.objects.get()
    assert max(seen) == 4
    assert job.status == Job.Status.CANCELLED
    assert job.problems == [f"Đã bị {owner.get_full_name()} hủy. {NOTHING}"]
    assert nothing_written()


def test_an_administrator_may_cancel_anyones_job_and_another_council_member_may_not(
    client, tmp_path, settings
):
    settings.TASKS = DATABASE_QUEUE
    owner = signed_in(client)
    start(client, year(tmp_path, 3))
    job = Job.objects.get()

    signed_in(client, Role.COUNCIL)
    response = client.post(reverse("job_cancel", args=[job.pk]))
    assert response.status_code == 403
    assert "Chỉ người khởi tạo công việc này hoặc quản trị hệ thống được xem." in text(response)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED

    administrator = signed_in(client, Role.ADMIN)
    assert client.post(reverse("job_cancel", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.cancelled_by) == (Job.Status.CANCELLED, administrator)
    assert job.user == owner


def test_cancelling_is_a_post_and_a_finished_job_stays_as_it_ended(client, tmp_path):
    signed_in(client)
    start(client, year(tmp_path, 3))
    job = Job.objects.get()
    assert job.status == Job.Status.DONE

    assert client.get(reverse("job_cancel", args=[job.pk])).status_code == 405
    page = client.post(reverse("job_cancel", args=[job.pk]), follow=True)
    assert "Công việc đã kết thúc." in text(page)
    job.refresh_from_db()
    assert (job.status, job.cancel_requested_at, job.cancelled_by) == (Job.Status.DONE, None, None)
    assert Agency.objects.count() == 3


def test_the_page_of_a_running_job_offers_the_cancel_button_until_it_is_pressed(client):
    user = signed_in(client, Role.ADMIN)
    job = Job.objects.create(
        kind=Job.Kind.IMPORT, user=user, status=Job.Status.RUNNING, started_at=timezone.now(),
        heartbeat_at=timezone.now(), file_name="a.xlsx",
    )
    url = reverse("job_detail", args=[job.pk])
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'action="{reverse("job_cancel", args=[job.pk])}"' in html
    assert "Hủy công việc" in html

    client.post(reverse("job_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.cancelled_by) == (Job.Status.RUNNING, user)
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert (
        "Đã yêu cầu hủy: công việc sẽ dừng ở nhóm dòng tiếp theo và không ghi dữ liệu nào." in text(fragment)
    )
    assert reverse("job_cancel", args=[job.pk]) not in fragment.content.decode()
    assert 'hx-trigger="every 1s"' in fragment.content.decode()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_cancellation_committed_by_another_connection_stops_the_running_import(
    client, tmp_path, monkeypatch
):
    owner = signed_in(client)
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    seen: list[int] = []
    progress = JobProgress.__call__

    def cancelled_elsewhere(self, done, total):
        seen.append(done)
        if done == 10:
            with other.cursor() as cursor:
                cursor.execute(
                    "UPDATE ranking_job SET cancel_requested_at = now(), cancelled_by_id = %s WHERE id = %s",
                    [owner.pk, self.job_id],
                )
        progress(self, done, total)

    monkeypatch.setattr(JobProgress, "__call__", cancelled_elsewhere)
    try:
        start(client, year(tmp_path, 2500))
    finally:
        other.close()
    job = Job.objects.get()
    assert (job.status, job.cancelled_by, job.problems) == (
        Job.Status.CANCELLED,
        owner,
        [f"Đã bị {owner.get_full_name()} hủy. {NOTHING}"],
    )
    assert 10 < max(seen) <= 10 + JobWatch.rows
    assert nothing_written()


# --- the time limit -------------------------------------------------------------------------------


def test_an_import_past_the_time_limit_stops_and_keeps_nothing(client, tmp_path, settings, monkeypatch):
    settings.JOBS_TIME_LIMIT = 1
    progress = JobProgress.__call__

    def slow(self, done, total):
        if done == 10:
            time.sleep(1.1)
        progress(self, done, total)

    monkeypatch.setattr(JobProgress, "__call__", slow)
    signed_in(client)
    start(client, year(tmp_path, 2500))

    job = Job.objects.get()
    assert (job.status, job.problems) == (
        Job.Status.FAILED,
        [f"Đã dừng sau 1 giây, thời gian tối đa của một công việc. {NOTHING}"],
    )
    assert nothing_written()
    content = text(client.get(reverse("job_detail", args=[job.pk])))
    assert "Phát hiện 1 lỗi; chưa nhập dữ liệu nào." in content
    assert f"Đã dừng sau 1 giây, thời gian tối đa của một công việc. {NOTHING}" in content


# --- a worker that died -----------------------------------------------------------------------------


def running(user, *, silent_for: timedelta) -> Job:
    """A job left running by a worker last heard of `silent_for` ago."""
    now = timezone.now()
    return Job.objects.create(
        kind=Job.Kind.IMPORT,
        user=user,
        status=Job.Status.RUNNING,
        started_at=now - silent_for - timedelta(minutes=1),
        heartbeat_at=now - silent_for,
        done=5,
        total=10,
        file_name="nam.xlsx",
    )


def test_a_job_whose_worker_died_is_marked_failed_when_its_page_is_looked_at(client):
    user = signed_in(client)
    dead = running(user, silent_for=timedelta(minutes=3))
    alive = running(user, silent_for=timedelta(seconds=20))

    page = client.get(reverse("job_detail", args=[dead.pk]), HTTP_HX_REQUEST="true")
    dead.refresh_from_db()
    assert (dead.status, dead.problems) == (Job.Status.FAILED, [DEAD])
    assert dead.finished_at is not None
    assert DEAD in text(page)
    assert "Không thành công" in text(page)
    assert "hx-trigger" not in page.content.decode()

    client.get(reverse("job_detail", args=[alive.pk]))
    alive.refresh_from_db()
    assert (alive.status, alive.problems) == (Job.Status.RUNNING, [])


def test_on_sqlite_the_time_limit_is_allowed_on_top_of_the_silence(client):
    """SQLite's single writer is held by the import's transaction, which no heartbeat can pass:
    a worker silent for 90 s (timeout 60 s, time limit 60 s) may still be importing there."""
    user = signed_in(client)
    job = running(user, silent_for=timedelta(seconds=90))
    client.get(reverse("job_detail", args=[job.pk]))
    job.refresh_from_db()
    expected = Job.Status.RUNNING if connection.vendor == "sqlite" else Job.Status.FAILED
    assert job.status == expected


def test_the_job_list_marks_the_jobs_whose_worker_died(client):
    user = signed_in(client)
    dead = running(user, silent_for=timedelta(minutes=3))
    content = client.get(reverse("job_list")).content.decode()
    dead.refresh_from_db()
    assert dead.status == Job.Status.FAILED
    assert f'data-job="{dead.pk}"' in content
    assert 'data-status="failed"' in content


def test_every_worker_marks_the_jobs_of_dead_workers_before_its_task(client, tmp_path):
    user = signed_in(client)
    dead = running(user, silent_for=timedelta(minutes=3))
    start(client, year(tmp_path, 3))  # the worker runs the new job at once
    dead.refresh_from_db()
    assert (dead.status, dead.problems) == (Job.Status.FAILED, [DEAD])
    assert Job.objects.exclude(pk=dead.pk).get().status == Job.Status.DONE


def test_the_command_marks_the_jobs_of_dead_workers(client):
    user = signed_in(client)
    dead = running(user, silent_for=timedelta(minutes=3))
    alive = running(user, silent_for=timedelta(seconds=20))
    old = Job.objects.create(kind=Job.Kind.IMPORT, user=user, status=Job.Status.RUNNING, file_name="cu.xlsx")
    Job.objects.filter(pk=old.pk).update(
        started_at=timezone.now() - timedelta(hours=1), created_at=timezone.now() - timedelta(hours=1)
    )
    out = io.StringIO()
    call_command("fail_dead_jobs", stdout=out)
    assert out.getvalue() == "2 công việc có tiến trình chạy nền đã dừng được đánh dấu thất bại.\n"
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses == {dead.pk: Job.Status.FAILED, alive.pk: Job.Status.RUNNING, old.pk: Job.Status.FAILED}


def test_a_heartbeat_that_arrives_first_wins_over_the_judgement():
    """The failure is written only if the job still has the last sign of life that was judged."""
    user = UserFactory()
    job = running(user, silent_for=timedelta(minutes=3))
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    assert job_fail_if_dead(job) is False
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING


@pytest.mark.django_db(transaction=True)
def test_progress_writes_the_heartbeat():
    """Outside a transaction, as the worker reads the workbook."""
    job = Job.objects.create(kind=Job.Kind.IMPORT, status=Job.Status.RUNNING)
    before = timezone.now()
    progress = JobProgress(job.pk, interval=0)
    progress(3, 10)
    job.refresh_from_db()
    assert (job.done, job.total) == (3, 10)
    assert job.heartbeat_at >= before


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_slow_worker_judged_dead_meanwhile_writes_nothing(client, tmp_path, monkeypatch):
    """Judged dead by a looker while it was only slow, the worker finds its job no longer
    running at its next check, and undoes its import."""
    signed_in(client)
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    progress = JobProgress.__call__

    def judged_dead(self, done, total):
        if done == 10:
            with other.cursor() as cursor:
                cursor.execute(
                    "UPDATE ranking_job SET status = 'failed', problems = '[\"dead\"]' WHERE id = %s",
                    [self.job_id],
                )
        progress(self, done, total)

    monkeypatch.setattr(JobProgress, "__call__", judged_dead)
    try:
        start(client, year(tmp_path, 2500))
    finally:
        other.close()
    job = Job.objects.get()
    assert (job.status, job.problems) == (Job.Status.FAILED, ["dead"])
    assert nothing_written()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_an_import(client, tmp_path, settings):
    """A real `db_worker` process, killed (SIGKILL) while its import's transaction is open:
    the database undoes the import, the job stays "running" — until it is looked at after the
    heartbeat timeout."""
    settings.TASKS = DATABASE_QUEUE
    signed_in(client)
    start(client, year(tmp_path, 20_000))
    job = Job.objects.get()
    root = settings.BASE_DIR
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "MEDIA_ROOT": settings.STORAGES["default"]["OPTIONS"]["location"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        env=env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status == Job.Status.RUNNING and job.done > 100:
                break
            assert worker.poll() is None, "the worker ended before it was killed"
            time.sleep(0.05)
        assert job.done > 100
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert nothing_written()

    settings.JOBS_HEARTBEAT_TIMEOUT = 1
    time.sleep(1.5)
    page = client.get(reverse("job_detail", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.problems == [
        "Tiến trình chạy nền không có tín hiệu hoạt động quá 1 giây: tiến trình đã dừng (bị tắt, hết bộ nhớ "
        "hoặc máy chủ khởi động lại). Không có dữ liệu nào được ghi; hãy chạy lại công việc."
    ]
    assert job.problems[0] in text(page)
    assert nothing_written()


def test_an_agency_officer_may_not_cancel_a_job(client):
    owner = UserFactory(role=Role.COUNCIL)
    job = running(owner, silent_for=timedelta(seconds=1))
    client.force_login(UserFactory(role=Role.OFFICER, agency=AgencyFactory()))
    response = client.post(reverse("job_cancel", args=[job.pk]))
    assert response.status_code == 403
    job.refresh_from_db()
    assert (job.status, job.cancel_requested_at) == (Job.Status.RUNNING, None)
