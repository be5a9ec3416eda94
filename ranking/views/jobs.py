"""Background jobs in the browser: start the year workbook import or a period's conference
workbook export, follow the progress (the job page polls itself with htmx while it runs),
read the outcome and download the produced file.

Only the council and administrators start jobs; a job is seen by the person who started it
and by administrators. Files are served by a permission-checked view, never from a public URL.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ranking.errors import ServiceError
from ranking.jobs import (
    XLSX,
    job_export_start,
    job_fail_if_dead,
    job_import_start,
    job_year_export_start,
    year_export_require,
)
from ranking.jobs import job_cancel as cancel_job
from ranking.models import Job, Period
from ranking.views.common import allow, period_or_404

RECENT_JOBS = 20


def job_or_404(request: HttpRequest, pk: int) -> Job:
    job = get_object_or_404(Job.objects.select_related("period", "user"), pk=pk)
    allow(request, "ranking.view_job", job)
    return job


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    """The user's recent jobs, and what they may start."""
    allow(request, "ranking.start_job")
    jobs = list(Job.objects.filter(user=request.user).select_related("period")[:RECENT_JOBS])
    for job in jobs:
        job_fail_if_dead(job)
    periods = Period.objects.filter(results_computed_at__isnull=False).order_by("-year", "subject")
    return render(request, "ranking/jobs/list.html", {"jobs": jobs, "periods": periods})


@login_required
@require_http_methods(["GET", "POST"])
def job_import(request: HttpRequest) -> HttpResponse:
    """Upload the year workbook (docs/workbook.md) and start its import in the background."""
    allow(request, "ranking.start_job")
    if request.method == "POST":
        try:
            job = job_import_start(
                user=request.user,
                file=request.FILES.get("file"),
                dry_run=bool(request.POST.get("dry_run")),
            )
        except ServiceError as error:
            return render(
                request,
                "ranking/jobs/import.html",
                {"errors": error.messages, "dry_run": bool(request.POST.get("dry_run"))},
                status=422,
            )
        return redirect("job_detail", pk=job.pk)
    return render(request, "ranking/jobs/import.html", {"errors": [], "dry_run": False})


@login_required
@require_POST
def job_export(request: HttpRequest, code: str) -> HttpResponse:
    """Start producing a period's conference workbook in the background."""
    period = period_or_404(code)
    try:
        job = job_export_start(user=request.user, period=period)
    except ServiceError as error:
        for line in error.messages:
            messages.error(request, line)
        return redirect("job_list")
    return redirect("job_detail", pk=job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def job_year_export(request: HttpRequest) -> HttpResponse:
    """The whole year workbook, produced in the background (the admin site's export, for a year
    too large to wait for); to those who may export every sheet."""
    year_export_require(request.user)
    if request.method == "POST":
        job = job_year_export_start(user=request.user)
        return redirect("job_detail", pk=job.pk)
    return render(request, "ranking/jobs/year_export.html")


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's page; asked by htmx (its own polling), only the status card. A running job
    whose worker died is marked failed here, when someone looks."""
    job = job_or_404(request, pk)
    job_fail_if_dead(job)
    template = "ranking/jobs/_status.html" if request.htmx else "ranking/jobs/detail.html"
    return render(request, template, {"job": job})


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel the job, by the person who started it or an administrator."""
    job = job_or_404(request, pk)
    try:
        job = cancel_job(user=request.user, job=job)
    except ServiceError as error:
        for line in error.messages:
            messages.error(request, line)
    else:
        if job.status == Job.Status.CANCELLED:
            messages.success(request, _("The job was cancelled."))
        else:
            messages.success(
                request, _("Cancellation asked: the job stops at its next batch of rows and writes nothing.")
            )
    return redirect("job_detail", pk=job.pk)


@login_required
@require_GET
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    """The produced workbook (or the uploaded one), to the job's owner and administrators only."""
    job = job_or_404(request, pk)
    if not job.file or (job.kind != Job.Kind.IMPORT and job.status != Job.Status.DONE):
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=True, filename=job.file_name, content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    return response
