"""Long work and its progress: the year workbook import and the conference workbook export run
in the background (django-tasks, a `db_worker` fed from the database) and record their progress
and outcome on a `Job`; the management commands draw a progress bar on the terminal instead.
"""

from __future__ import annotations

import logging
import time
from typing import TextIO

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import OutputWrapper
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from accounts.rules import is_administrator, is_council

from .exports import conference_workbook_bytes
from .models import Job, Period, Result
from .services import ServiceError
from .services.workbook import first_line, workbook_import

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


# --- who may ------------------------------------------------------------------------------


@rules.predicate
def is_job_owner(user, job) -> bool:
    return job is not None and job.user_id is not None and job.user_id == user.id


# The whole-year import and the conference workbook are the administrator's and the council's.
may_start_jobs = is_council | is_administrator
may_view_job = is_job_owner | is_administrator


def require_job_starter(user) -> None:
    if not may_start_jobs(user):
        raise PermissionDenied(_("Only the council or an administrator may import or export workbooks."))


def require_job_viewer(user, job: Job) -> None:
    if not may_view_job(user, job):
        raise PermissionDenied(_("Only the person who started this job, or an administrator, may see it."))


# --- starting -----------------------------------------------------------------------------


def job_import_start(*, user, file: UploadedFile | None, dry_run: bool) -> Job:
    """Store the uploaded year workbook privately and queue its import."""
    require_job_starter(user)
    if file is None:
        raise ServiceError(_("Choose the year workbook (.xlsx) to import."))
    if file.size > settings.JOBS_UPLOAD_MAX_BYTES:
        raise ServiceError(
            _("The file is larger than %(limit)s.")
            % {"limit": filesizeformat(settings.JOBS_UPLOAD_MAX_BYTES)}
        )
    head = file.read(4)
    file.seek(0)
    if not file.name.lower().endswith(".xlsx") or not head.startswith(ZIP_MAGIC):
        raise ServiceError(_("The file is not an Excel workbook (.xlsx)."))
    job = Job(
        kind=Job.Kind.IMPORT,
        user=user,
        dry_run=dry_run,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        file_name=file.name[-255:],
    )
    job.file.save(file.name, file, save=False)
    job.save()
    return job_enqueue(job)


def job_export_start(*, user, period: Period) -> Job:
    """Queue the production of a period's conference workbook."""
    require_job_starter(user)
    if not Result.objects.filter(period=period).exists():
        raise ServiceError(
            _("Results of period %(code)s have not been computed yet.") % {"code": period.code}
        )
    job = Job.objects.create(
        kind=Job.Kind.EXPORT,
        user=user,
        period=period,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        file_name=f"hoi-nghi-{period.code}.xlsx",
    )
    return job_enqueue(job)


def job_enqueue(job: Job) -> Job:
    """Hand the job to a worker. The job's row is committed first, so the worker finds it."""
    result = job_run.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


# --- running ------------------------------------------------------------------------------


@task()
def job_run(job_id: int) -> str:
    """The worker's side: do the job, record its outcome; an unexpected error fails the job."""
    job = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).first()
    if job is None:  # already taken, or deleted
        return "skipped"
    job.status = Job.Status.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    progress = JobProgress(job.pk)
    try:
        with translation.override(job.language):
            if job.kind == Job.Kind.IMPORT:
                import_run(job, progress)
            else:
                export_run(job)
    except Exception as error:
        logger.exception("Job %s failed", job.pk)
        with translation.override(job.language):
            job.problems = [_("Unexpected error: %(error)s") % {"error": first_line(error)}]
        job.status = Job.Status.FAILED
        job.finished_at = timezone.now()
        job.save()
        raise
    finally:
        progress.close()
    return job.status


def import_run(job: Job, progress: JobProgress) -> None:
    with job.file.open("rb") as file:
        report = workbook_import(file=file, dry_run=job.dry_run, progress=progress, user=job.user)
    # A refused workbook imported nothing: its problems are the whole outcome.
    job.summary = [
        {"sheet": c.sheet, "new": c.new, "updated": c.updated, "unchanged": c.unchanged}
        for c in report.sheets
        if report.ok
    ]
    job.problems = report.problems
    job.done, job.total = progress.last
    job.status = Job.Status.DONE if report.ok else Job.Status.FAILED
    job.finished_at = timezone.now()
    job.save()


def export_run(job: Job) -> None:
    content = conference_workbook_bytes(period=job.period)
    job.file.save(job.file_name, ContentFile(content), save=False)
    job.done = job.total = 1
    job.status = Job.Status.DONE
    job.finished_at = timezone.now()
    job.save()


class JobProgress:
    """Records a running job's progress (done of total) on its row, at most every `interval` s.

    The import runs in one transaction: written on the worker's own connection, the progress
    would stay invisible to the job page until the end. So inside a transaction it is written
    through a connection of its own, in autocommit — on PostgreSQL. SQLite has a single writer,
    busy with the import: there the page shows the progress when the work is done.
    """

    def __init__(self, job_id: int, *, interval: float = 0.5):
        self.job_id = job_id
        self.interval = interval
        self.last = (0, 0)
        self.written_at: float | None = None
        self.own_connection = None

    def __call__(self, done: int, total: int) -> None:
        self.last = (done, total)
        now = time.monotonic()
        if done < total and self.written_at is not None and now - self.written_at < self.interval:
            return
        self.written_at = now
        self.write(done, total)

    def write(self, done: int, total: int) -> None:
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job_id).update(done=done, total=total)
            return
        if connection.vendor == "sqlite":
            return
        if self.own_connection is None:
            self.own_connection = connections.create_connection(DEFAULT_DB_ALIAS)
        quote = self.own_connection.ops.quote_name
        with self.own_connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(Job._meta.db_table)} SET {quote('done')} = %s, {quote('total')} = %s "
                f"WHERE {quote('id')} = %s",
                [done, total, self.job_id],
            )

    def close(self) -> None:
        if self.own_connection is not None:
            self.own_connection.close()
            self.own_connection = None


# --- the terminal ---------------------------------------------------------------------------


class TerminalProgress:
    """A one-line progress bar on a terminal stream, redrawn with a carriage return:
    `label [#######.......] done/total (percent%)`. It never writes to stdout, whose lines
    are the commands' contract."""

    WIDTH = 30

    def __init__(self, stream: TextIO | OutputWrapper, label: str, *, interval: float = 0.1):
        self.stream = stream
        self.label = label
        self.interval = interval
        self.drawn_at: float | None = None
        self.open_line = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and self.drawn_at is not None and now - self.drawn_at < self.interval:
            return
        self.drawn_at = now
        filled = self.WIDTH * done // total if total else self.WIDTH
        percent = done * 100 // total if total else 100
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.open_line = done < total
        self.emit(f"\r{self.label} [{bar}] {done}/{total} ({percent}%)" + ("" if self.open_line else "\n"))

    def close(self) -> None:
        """End a line left unfinished (the work stopped before its total)."""
        if self.open_line:
            self.open_line = False
            self.emit("\n")

    def emit(self, text: str) -> None:
        if isinstance(self.stream, OutputWrapper):
            # A command's stream would end every write with a newline and colour it as an error.
            self.stream.write(text, style_func=str, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()


def terminal_progress(
    stream: TextIO | OutputWrapper, label: str, *, wanted: bool | None
) -> TerminalProgress | None:
    """A bar on `stream` if asked for (`--progress`), or by default when it is a terminal."""
    if wanted is None:
        wanted = stream.isatty()
    return TerminalProgress(stream, label) if wanted else None
