"""The agency's steps beyond its leaves: submitting, withdrawing, submitting the explanation,
and the assessment's history. Every write goes through a service, which checks the permission
and the phase itself.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from ranking.assessments.appraisal import explanation_submit
from ranking.assessments.display import STATUS_BADGES
from ranking.assessments.history import evidence_trail, newest_first, score_trail, status_trail
from ranking.assessments.services import assessment_submit, assessment_withdraw, submission_problems
from ranking.assessments.sheets import assessment_sheet
from ranking.enums import AssessmentStatus
from ranking.errors import ServiceError
from ranking.models import Assessment, Criterion
from ranking.numbers import index_shown, points
from ranking.periods.selectors import days_left
from ranking.views.common import allow, assessment_or_404

# --- submission -----------------------------------------------------------------------------


def submission_page(request: HttpRequest, assessment: Assessment, problems: list[str], *, status: int = 200):
    # What the head signs: the totals as they stand, and each leaf still missing something,
    # to reach it in one click.
    sheet = assessment_sheet(assessment=assessment)
    context = {
        "totals": sheet.self_totals,
        "total_text": points(sheet.self_totals.total) or "0",
        "maximum_text": points(sheet.self_totals.maximum) or "0",
        "index": index_shown(sheet.self_totals.index),
        "unscored": sheet.unscored,
        "missing_evidence": sheet.missing_evidence,
        "assessment": assessment,
        "period": assessment.period,
        "status_badge": STATUS_BADGES.get(assessment.status, "text-bg-secondary"),
        "problems": problems,
        "can_fill": request.user.has_perm("ranking.fill_assessment", assessment),
        "can_submit": request.user.has_perm("ranking.submit_assessment", assessment),
        "is_officer": request.user.role == Role.OFFICER,
        "days_left": days_left(assessment.period.self_assessment_deadline),
    }
    return render(request, "ranking/agency/submit.html", context, status=status)


@login_required
def assessment_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    if request.method == "POST":
        try:
            assessment_submit(user=request.user, assessment=assessment)
        except ServiceError as error:
            return submission_page(request, assessment, error.messages[1:] or error.messages, status=422)
        messages.success(request, _("The self-assessment was submitted. It is now read-only."))
        return redirect("assessment_detail", pk=assessment.pk)
    allow(request, "ranking.view_assessment", assessment)
    return submission_page(request, assessment, submission_problems(assessment=assessment))


@login_required
@require_POST
def assessment_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    assessment_withdraw(user=request.user, assessment=assessment)
    messages.success(request, _("The submission was withdrawn: the self-assessment can be edited again."))
    return redirect("assessment_detail", pk=assessment.pk)


@login_required
@require_POST
def explanation_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    explanation_submit(user=request.user, assessment=assessment)
    assessment.refresh_from_db(fields=["status"])
    if assessment.status == AssessmentStatus.EXPLAINED:
        messages.success(request, _("The explanation was submitted to the reviewer."))
    else:
        messages.success(request, _("No explanation was written: the reviewed scores are final."))
    return redirect("assessment_detail", pk=assessment.pk)


# --- history ----------------------------------------------------------------------------------


@login_required
@require_GET
def assessment_history(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    allow(request, "ranking.view_history", assessment)
    appraisal = request.user.has_perm("ranking.view_appraisal", assessment)
    context = {
        "assessment": assessment,
        "period": assessment.period,
        "status_badge": STATUS_BADGES.get(assessment.status, "text-bg-secondary"),
        "status_entries": newest_first(status_trail(assessment)),
        "score_entries": newest_first(
            score_trail(assessment, appraisal=appraisal), evidence_trail(assessment)
        ),
    }
    return render(request, "ranking/agency/history.html", context)


@login_required
@require_GET
def score_history(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    allow(request, "ranking.view_history", assessment)
    # A criterion of another period (or none) has no history here: not an empty one.
    criterion = get_object_or_404(
        Criterion.objects.only("pk", "code", "title"), pk=criterion_id, period_id=assessment.period_id
    )
    appraisal = request.user.has_perm("ranking.view_appraisal", assessment)
    entries = newest_first(
        score_trail(assessment, appraisal=appraisal, criterion_id=criterion_id),
        evidence_trail(assessment, criterion_id=criterion_id),
    )
    context = {"entries": entries, "show_subject": False, "compact": True}
    if request.htmx:
        return render(request, "ranking/_history.html", context)
    # Opened as a page of its own (a link opened in a new tab, no JavaScript): a whole page.
    context.update(
        assessment=assessment,
        period=assessment.period,
        criterion=criterion,
        status_badge=STATUS_BADGES.get(assessment.status, "text-bg-secondary"),
    )
    return render(request, "ranking/agency/score_history.html", context)
