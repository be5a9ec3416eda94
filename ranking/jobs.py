"""Long work and its progress: the year workbook import, the conference workbook export and the
whole year workbook's export run in the background (django-tasks, a `db_worker` fed from the
database) and record their progress and outcome on a `Job`; the management commands draw a
progress bar on the terminal instead.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from io import BytesIO
from typing import TextIO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import OutputWrapper
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from accounts.models import User
from ranking.errors import ServiceError
from ranking.models import Job, Period, Result
from ranking.reports.exports.conference import conference_workbook_bytes
from ranking.rules import require
from ranking.workbook.importer import first_line, may_export_year, workbook_export, workbook_import
from ranking.workbook.limits import file_size_problem

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


# --- starting -----------------------------------------------------------------------------


def job_import_start(*, user, file: UploadedFile | None, dry_run: bool) -> Job:
    """Store the uploaded year workbook privately and queue its import."""
    require(user, "ranking.start_job")
    if file is None:
        raise ServiceError(_("Choose the year workbook (.xlsx) to import."))
    # The other limits are checked by the worker, before it reads the workbook.
    problem = file_size_problem(file.size)
    if problem:
        raise ServiceError(problem)
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
    require(user, "ranking.start_job")
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


# The name of the produced year workbook, as the admin site's export names it.
YEAR_WORKBOOK_NAME = "du-lieu-nam.xlsx"


def year_export_require(user) -> None:
    """Refuse unless `user` may start jobs and export every sheet of the year workbook."""
    require(user, "ranking.start_job")
    if not may_export_year(user):
        raise PermissionDenied(
            _("Only someone who may export every sheet may export the whole year workbook.")
        )


def job_year_export_start(*, user) -> Job:
    """Queue the export of the whole year workbook (every sheet of WORKBOOK.md, every period):
    a large year takes longer than a page may wait. One the user started that is not finished
    yet is the one they get (a second click would only write the same file twice)."""
    year_export_require(user)
    pending = Job.objects.filter(
        kind=Job.Kind.YEAR_EXPORT, user=user, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    ).first()
    if pending is not None and not job_fail_if_dead(pending):
        return pending
    job = Job.objects.create(
        kind=Job.Kind.YEAR_EXPORT,
        user=user,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        file_name=YEAR_WORKBOOK_NAME,
    )
    return job_enqueue(job)


def job_enqueue(job: Job) -> Job:
    """Hand the job to a worker. The job's row is committed first, so the worker finds it."""
    result = job_run.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


# --- cancelling, and jobs whose worker died ----------------------------------------------------


def job_cancel(*, user, job: Job) -> Job:
    """Cancel a job. One still waiting for a worker is cancelled at once (the worker skips it);
    a running one stops at its next batch of rows, and nothing it did is kept."""
    require(user, "ranking.cancel_job", job)
    now = timezone.now()
    with translation.override(job.language):
        message = cancelled_message(user)
    running = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING)
    asked = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELLED,
        cancel_requested_at=now,
        cancelled_by=user,
        finished_at=now,
        problems=[message],
    ) or running.filter(cancel_requested_at__isnull=True).update(cancel_requested_at=now, cancelled_by=user)
    if not asked and not running.exists():
        raise ServiceError(_("The job has already finished."))
    job.refresh_from_db()
    return job


def cancelled_message(user) -> str:
    name = (user.get_full_name() or user.get_username()) if user is not None else "—"
    return _("Cancelled by %(name)s. Nothing was written.") % {"name": name}


def duration(seconds: int) -> str:
    if seconds % 60 == 0:
        return ngettext("%(count)d minute", "%(count)d minutes", seconds // 60) % {"count": seconds // 60}
    return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}


def silence_allowed() -> timedelta:
    """How long a running job may go without a sign of life before its worker counts as dead.

    The worker writes its heartbeat with the progress, on PostgreSQL through a connection of
    its own while the import's transaction is open. SQLite has a single writer, which the
    import's transaction holds: no heartbeat can be written until it ends, so there the
    time limit, which bounds that transaction, is allowed on top.
    """
    seconds = settings.JOBS_HEARTBEAT_TIMEOUT
    if connection.vendor == "sqlite":
        seconds += settings.JOBS_TIME_LIMIT
    return timedelta(seconds=seconds)


def job_fail_if_dead(job: Job, *, now=None) -> bool:
    """Mark `job` failed if it is running but its worker gave no sign of life for too long:
    the worker died (killed, out of memory, the server restarted), and the database undid
    its transaction with it. True if it was so marked; `job` is then refreshed.

    The update holds only while the job is still running with the same last sign of life,
    so a worker that beats, finishes or is judged at the same moment elsewhere wins. A worker
    that was only slow finds its job no longer running at its next check, and writes nothing.
    """
    if job.status != Job.Status.RUNNING:
        return False
    now = now or timezone.now()
    last = job.heartbeat_at or job.started_at or job.created_at
    if last is None or now - last <= silence_allowed():
        return False
    with translation.override(job.language):
        message = _(
            "The background worker gave no sign of life for more than %(limit)s: it stopped "
            "(killed, out of memory, or the server restarted). Nothing was written; start the job again."
        ) % {"limit": duration(settings.JOBS_HEARTBEAT_TIMEOUT)}
    marked = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, heartbeat_at=job.heartbeat_at).update(
        status=Job.Status.FAILED, finished_at=now, problems=[message]
    )
    if marked:
        job.refresh_from_db()
    return bool(marked)


def jobs_fail_dead() -> int:
    """Mark failed every running job whose worker died (see `job_fail_if_dead`); how many."""
    now = timezone.now()
    cutoff = now - silence_allowed()
    silent = Job.objects.filter(status=Job.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    return sum(job_fail_if_dead(job, now=now) for job in silent)


# --- running ------------------------------------------------------------------------------


class JobStopped(Exception):
    """The job must stop where it is, writing nothing: `status` and `message` say why (None:
    the job is no longer this worker's — it was judged dead meanwhile)."""

    def __init__(self, status: str | None, message: str = "", **fields):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields


@task()
def job_run(job_id: int) -> str:
    """The worker's side: do the job, record its outcome; an unexpected error fails the job."""
    jobs_fail_dead()
    now = timezone.now()
    # Taken by one update, so a cancellation at the same moment wins or loses whole.
    if not Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now
    ):
        return "skipped"  # already taken, cancelled, or deleted
    job = Job.objects.get(pk=job_id)
    progress = JobProgress(job.pk)
    watch = JobWatch(job, progress)
    try:
        with translation.override(job.language):
            if job.kind == Job.Kind.IMPORT:
                import_run(job, progress, watch)
            elif job.kind == Job.Kind.YEAR_EXPORT:
                export_run(job, watch, year_workbook_bytes())
            else:
                export_run(job, watch, conference_workbook_bytes(period=job.period))
    except JobStopped as stopped:
        if stopped.status is not None:
            job_finish(job, status=stopped.status, problems=[stopped.message], **stopped.fields)
    except Exception as error:
        logger.exception("Job %s failed", job.pk)
        with translation.override(job.language):
            problems = [_("Unexpected error: %(error)s") % {"error": first_line(error)}]
        job_finish(job, status=Job.Status.FAILED, problems=problems)
        raise
    finally:
        progress.close()
    job.refresh_from_db()
    return job.status


def job_finish(job: Job, *, status: str, **fields) -> bool:
    """Record the outcome of a job still running; a job cancelled meanwhile is never done.
    False when the job no longer was running (judged dead), or was cancelled."""
    still = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING)
    if status == Job.Status.DONE:
        still = still.filter(cancel_requested_at__isnull=True)
    return bool(still.update(status=status, finished_at=timezone.now(), **fields))


def import_run(job: Job, progress: JobProgress, watch: JobWatch) -> None:
    def outcome(report) -> dict:
        done, total = progress.last
        # A refused workbook imported nothing: its problems are the whole outcome.
        return {
            "status": Job.Status.DONE if report.ok else Job.Status.FAILED,
            "summary": summary(report) if report.ok else [],
            "problems": report.problems,
            "done": done,
            "total": total,
        }

    def keep(report) -> None:
        """The last step inside the import's transaction: the job is marked done in it, or, if
        it was cancelled or judged dead meanwhile, the whole import is undone."""
        if not job_finish(job, **outcome(report)):
            raise watch.stopped() or JobStopped(None)

    with job.file.open("rb") as file:
        report = workbook_import(
            file=file,
            dry_run=job.dry_run,
            progress=progress,
            checkpoint=watch,
            before_commit=keep,
            user=job.user,
        )
    # A kept import was marked done by `keep`; a refused one, or a dry run, wrote nothing.
    if (job.dry_run or not report.ok) and not job_finish(job, **outcome(report)):
        raise watch.stopped() or JobStopped(None)


def summary(report) -> list[dict]:
    return [
        {"sheet": c.sheet, "new": c.new, "updated": c.updated, "unchanged": c.unchanged}
        for c in report.sheets
    ]


def year_workbook_bytes() -> bytes:
    file = BytesIO()
    workbook_export().save(file)
    return file.getvalue()


def export_run(job: Job, watch: JobWatch, content: bytes) -> None:
    """Keep the produced workbook as the job's file, unless the job stopped meanwhile."""
    job.file.save(job.file_name, ContentFile(content), save=False)
    if not job_finish(job, status=Job.Status.DONE, file=job.file.name, done=1, total=1):
        job.file.delete(save=False)
        raise watch.stopped() or JobStopped(None)


class JobProgress:
    """Records a running job's progress (done of total) on its row, at most every `interval` s,
    and with it the worker's heartbeat.

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

    def beat(self) -> None:
        """Write the heartbeat now, with the progress so far."""
        self.written_at = time.monotonic()
        self.write(*self.last)

    def write(self, done: int, total: int) -> None:
        now = timezone.now()
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job_id).update(done=done, total=total, heartbeat_at=now)
            return
        if connection.vendor == "sqlite":
            return
        if self.own_connection is None:
            self.own_connection = connections.create_connection(DEFAULT_DB_ALIAS)
        ops = self.own_connection.ops
        quote = ops.quote_name
        with self.own_connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(Job._meta.db_table)} SET {quote('done')} = %s, {quote('total')} = %s, "
                f"{quote('heartbeat_at')} = %s WHERE {quote('id')} = %s",
                [done, total, ops.adapt_datetimefield_value(now), self.job_id],
            )

    def close(self) -> None:
        if self.own_connection is not None:
            self.own_connection.close()
            self.own_connection = None


class JobWatch:
    """The checkpoint of a running job, called after every row read or imported. Every
    `rows` rows it stops the job — by raising `JobStopped`, so that nothing is written — once
    it has run longer than JOBS_TIME_LIMIT, was cancelled, or is no longer running (judged
    dead while the worker was only slow); otherwise it writes the heartbeat."""

    rows = 1000

    def __init__(self, job: Job, progress: JobProgress):
        self.job = job
        self.progress = progress
        self.time_limit = settings.JOBS_TIME_LIMIT
        self.started = time.monotonic()
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
        if self.calls % self.rows == 0:
            self.check()

    def check(self) -> None:
        if time.monotonic() - self.started > self.time_limit:
            raise JobStopped(
                Job.Status.FAILED,
                _("Stopped after %(limit)s, the time limit of a job. Nothing was written.")
                % {"limit": duration(self.time_limit)},
            )
        stopped = self.stopped()
        if stopped is not None:
            raise stopped
        self.progress.beat()

    def stopped(self) -> JobStopped | None:
        """Why the job must stop, as the database says now; None while it may go on."""
        state = (
            Job.objects.filter(pk=self.job.pk).values("status", "cancel_requested_at", "cancelled_by").first()
        )
        if state is None or state["status"] != Job.Status.RUNNING:
            return JobStopped(None)
        if state["cancel_requested_at"] is None:
            return None
        user = User.objects.filter(pk=state["cancelled_by"]).first()
        return JobStopped(
            Job.Status.CANCELLED,
            cancelled_message(user),
            cancel_requested_at=state["cancel_requested_at"],
            cancelled_by=user,
        )


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
