"""The agency's assessment page: the self-assessment, the explanation and the evidence of each leaf.

Views stay thin: every write goes through the services of each concept, every page reads the
assessment once through `assessment_sheet` (a fixed number of queries however many leaves).
Each leaf row is its own htmx form; a save answers with the re-rendered row and an
out-of-band update of the progress panel and the subtotals, read with `sheet_figures` and
`sheet_leaf` rather than the whole sheet.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ranking.assessments.appraisal import explanation_set
from ranking.assessments.display import (
    STATUS_BADGES,
    Access,
    Heading,
    Leaf,
    differences_of,
    progress_of,
    sections_of,
)
from ranking.assessments.evidence import EXTENSIONS
from ranking.assessments.history import return_reason
from ranking.assessments.services import (
    evidence_add,
    evidence_delete,
    score_self_set,
)
from ranking.assessments.sheets import assessment_sheet, sheet_figures, sheet_leaf
from ranking.enums import AssessmentStatus, Phase
from ranking.errors import ServiceError
from ranking.models import Assessment, Evidence, Score
from ranking.numbers import points
from ranking.periods.selectors import days_left
from ranking.reports.agency import report_period_ids
from ranking.rules import AgencyInPeriod
from ranking.views.common import (
    CONFLICT,
    INVALID,
    SAVED,
    allow,
    assessment_or_404,
    decimal_or_error,
    detailed_layout,
    layout_remembered,
    leaf_save,
    posted_version,
    refusal_fragment,
    service_error_response,
)

logger = logging.getLogger(__name__)

ACCEPTED_FILES = ",".join(sorted(EXTENSIONS))

def url_base(name: str, pk: int) -> str:
    """The address of a leaf's `name` view without the leaf's id: the grid adds it per row."""
    return reverse(name, args=[pk, 0])[: -len("0/")]


# --- pages ----------------------------------------------------------------------------------


@login_required
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    allow(request, "ranking.view_assessment", assessment)
    user = request.user
    access = Access.of(user, assessment)
    sheet = assessment_sheet(assessment=assessment)
    period = assessment.period
    # While the agency explains, it writes its explanations in the cards.
    detailed = detailed_layout(request, cards_first=access.explain)
    sections = sections_of(sheet, access)
    context = {
        "detailed": detailed,
        "save_base": url_base("score_self_save", assessment.pk),
        "leaf_base": url_base("assessment_leaf", assessment.pk),
        "assessment": assessment,
        "period": period,
        "status_badge": STATUS_BADGES.get(assessment.status, "text-bg-secondary"),
        "access": access,
        "sections": sections,
        "fields": [
            (s.heading.row.criterion.code, s.heading.row.criterion.title, f"gfield-{s.heading.id}")
            for s in sections
            if s.heading
        ],
        "unscored_label": _("not scored"),
        # While the agency may explain, what it would explain comes first.
        "differences": differences_of(sheet)
        if access.appraisal and period.phase == Phase.EXPLANATION
        else [],
        "progress": progress_of(sheet),
        "reviewed_totals": sheet.reviewed_totals,
        "final_totals": sheet.final_totals,
        "reviewed_total_text": points(sheet.reviewed_totals.total) or "0",
        "final_total_text": points(sheet.final_totals.total) or "0",
        "days_left": days_left(period.self_assessment_deadline),
        "awaiting_agency": assessment.status in (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED),
        "return_reason": return_reason(assessment),
        "explanation_days_left": days_left(period.explanation_deadline),
        "can_submit": user.has_perm("ranking.submit_assessment", assessment),
        "can_withdraw": user.has_perm("ranking.withdraw_assessment", assessment),
        "can_submit_explanation": user.has_perm("ranking.submit_explanation", assessment),
        "is_appraiser": user.has_perm("ranking.review_queue")
        and user.has_perm("ranking.open_appraisal", assessment),
        "max_upload": settings.EVIDENCE_MAX_BYTES,
        "accepted_files": ACCEPTED_FILES,
        "can_view_report": user.has_perm(
            "ranking.view_agency_report", AgencyInPeriod(period, assessment.agency)
        )
        and bool(report_period_ids(agency=assessment.agency, periods=[period])),
    }
    return layout_remembered(request, render(request, "ranking/agency/detail.html", context))


@login_required
@require_GET
def assessment_leaf(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    """One leaf as the detailed page shows it (guidance, evidence, history), opened from the grid."""
    assessment = assessment_or_404(pk)
    allow(request, "ranking.view_assessment", assessment)
    figures = sheet_figures(assessment=assessment)
    if criterion_id not in figures.leaf_ids:
        raise Http404
    row = sheet_leaf(assessment=assessment, criterion_id=criterion_id)
    context = {
        "assessment": assessment,
        "leaf": Leaf(row, Access.of(request.user, assessment)),
        "max_upload": settings.EVIDENCE_MAX_BYTES,
        "accepted_files": ACCEPTED_FILES,
    }
    return render(request, "ranking/agency/_leaf.html", context)


def leaf_response(
    request: HttpRequest,
    assessment: Assessment,
    criterion_id: int,
    *,
    status: int = 200,
    score: Score | None = None,
    **state,
) -> HttpResponse:
    """The re-rendered leaf row, with the progress panel and every subtotal swapped out of band.

    The figures come from `sheet_figures` (one query), the row from `sheet_leaf`: `score` is
    the leaf's score the service returned or refused (with its criterion), read otherwise.
    """
    figures = sheet_figures(assessment=assessment)
    if criterion_id not in figures.leaf_ids:
        return service_error_response(request, ServiceError(*(state.get("errors") or [_("Not found.")])))
    row = sheet_leaf(
        assessment=assessment, criterion_id=criterion_id, score=score, evidence=criterion_id in figures.filed
    )
    access = Access.of(request.user, assessment)
    leaf = Leaf(row, access, **state)
    headings = [Heading(r, access.appraisal) for r in figures.headings]
    context = {
        "assessment": assessment,
        "leaf": leaf,
        "headings": headings,
        "progress": progress_of(figures),
        "max_upload": settings.EVIDENCE_MAX_BYTES,
        "accepted_files": ACCEPTED_FILES,
    }
    # The grid asks for its own row: a table row with the sticky totals and the field subtotals.
    template = (
        "ranking/agency/_grid_response.html"
        if request.POST.get("grid")
        else "ranking/agency/_leaf_response.html"
    )
    response = HttpResponse(render_to_string(template, context, request=request), status=status)
    if leaf.conflict and not request.POST.get("grid"):
        # The whole row is out of date: show the newer values in place of what was typed.
        response["HX-Retarget"] = f"#leaf-{criterion_id}"
        response["HX-Reselect"] = f"#leaf-{criterion_id}"
        response["HX-Reswap"] = "outerHTML"
    return response


def leaf_url(assessment: Assessment, criterion_id: int) -> str:
    """Where a save without JavaScript returns: the leaf on the page (the detailed cards, as a
    browser without JavaScript is shown)."""
    return reverse("assessment_detail", args=[assessment.pk]) + f"#leaf-{criterion_id}"


def back_to_leaf(assessment: Assessment, criterion_id: int):
    return redirect(leaf_url(assessment, criterion_id))


def posted_number(request: HttpRequest, name: str, *, permission: str, assessment: Assessment):
    """The number typed in the field `name`, None when blank; refused when it is not a number."""
    value, problem = decimal_or_error(request.POST.get(name))
    if problem:
        # Checked after the permission: someone who may not edit learns nothing more.
        allow(request, permission, assessment)
        raise ServiceError(problem)
    return value


@login_required
@require_POST
def score_self_save(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    # The autosave's hot path reads the assessment once: the service locks it by its id (404
    # when there is none) and the score it returns carries it, with its period. Only a number
    # that is not one, or a refused save, reads it here, to check the permission or answer.
    read: list[Assessment] = []

    def assessment() -> Assessment:
        if not read:
            read.append(assessment_or_404(pk))
        return read[0]

    data = request.POST

    def save() -> Score:
        value, problem = decimal_or_error(data.get("value"))
        if problem:
            # As `posted_number`: checked after the permission.
            allow(request, "ranking.fill_assessment", assessment())
            raise ServiceError(problem)
        try:
            return score_self_set(
                user=request.user,
                assessment=read[0] if read else Assessment(pk=pk),
                criterion_id=criterion_id,
                value=value,
                not_arising=bool(data.get("not_arising")),
                note=data.get("note", "").strip(),
                no_evidence_reason=data.get("no_evidence_reason", "").strip(),
                version=posted_version(data),
            )
        except Assessment.DoesNotExist as missing:
            raise Http404 from missing

    def answer(*, status: int, score: Score | None, messages: list[str]) -> HttpResponse:
        return leaf_response(
            request,
            score.assessment if score is not None else assessment(),
            criterion_id,
            status=status,
            score=score,
            saved=status == SAVED,
            conflict=status == CONFLICT,
            errors=messages,
            # What was typed stays in the field to be corrected; a conflict shows the newer value.
            typed_value=data.get("value") if status == INVALID else None,
        )

    return leaf_save(
        request,
        save,
        answer=answer,
        back=reverse("assessment_detail", args=[pk]) + f"#leaf-{criterion_id}",
        saved_message=_("Saved."),
    )


@login_required
@require_POST
def explanation_save(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    data = request.POST

    def save() -> Score:
        proposed = posted_number(
            request, "proposed_score", permission="ranking.explain_assessment", assessment=assessment
        )
        return explanation_set(
            user=request.user,
            assessment=assessment,
            criterion_id=criterion_id,
            explanation=data.get("explanation", ""),
            proposed_score=proposed,
            version=posted_version(data),
        )

    def answer(*, status: int, score: Score | None, messages: list[str]) -> HttpResponse:
        return leaf_response(
            request,
            assessment,
            criterion_id,
            status=status,
            score=score,
            explanation_saved=status == SAVED,
            conflict=status == CONFLICT,
            explanation_errors=messages,
        )

    return leaf_save(
        request,
        save,
        answer=answer,
        back=leaf_url(assessment, criterion_id),
        saved_message=_("Explanation saved."),
    )


# --- evidence -----------------------------------------------------------------------------


@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    purpose = (
        Evidence.Purpose.EXPLANATION
        if request.POST.get("purpose") == Evidence.Purpose.EXPLANATION
        else Evidence.Purpose.SELF_ASSESSMENT
    )
    uploads = request.FILES.getlist("file")
    errors: list[str] = []
    try:
        if not uploads:
            allow(
                request,
                "ranking.explain_assessment"
                if purpose == Evidence.Purpose.EXPLANATION
                else "ranking.fill_assessment",
                assessment,
            )
            errors.append(_("Choose a file to upload."))
        for upload in uploads:
            try:
                evidence_add(
                    user=request.user,
                    assessment=assessment,
                    criterion_id=criterion_id,
                    upload=upload,
                    purpose=purpose,
                )
            except ServiceError as error:
                reason = " ".join(error.messages)
                # Say which file was refused, unless the message names it already.
                errors.append(
                    reason
                    if upload.name in reason
                    else _("%(name)s: %(reason)s") % {"name": upload.name, "reason": reason}
                )
    except PermissionDenied as error:
        if request.htmx:
            return refusal_fragment(request, error)
        raise
    if request.htmx:
        return leaf_response(
            request, assessment, criterion_id, status=422 if errors else 200, upload_errors=errors
        )
    if errors:
        messages.error(request, " ".join(errors))
    else:
        messages.success(request, _("The file was attached."))
    return back_to_leaf(assessment, criterion_id)


def evidence_or_404(evidence_id: int) -> Evidence:
    return get_object_or_404(
        Evidence.objects.select_related(
            "score__assessment__period",
            "score__assessment__agency__group",
            "score__assessment__group",
            "score__assessment__reviewer",
        ),
        pk=evidence_id,
    )


@login_required
@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = evidence_or_404(evidence_id)
    allow(request, "ranking.view_assessment", evidence.score.assessment)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        logger.error("Evidence %s: its file %s is missing from the storage.", evidence.pk, evidence.file.name)
        message = _(
            "The file “%(name)s” is no longer on the server. Ask the agency to attach it again, or the "
            "administrator to restore it from a backup."
        ) % {"name": evidence.original_name}
        return render(request, "404.html", {"message": message}, status=404)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def evidence_remove(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = evidence_or_404(evidence_id)
    assessment = evidence.score.assessment
    criterion_id = evidence.score.criterion_id
    try:
        evidence_delete(user=request.user, evidence=evidence)
    except PermissionDenied as error:
        if request.htmx:
            return refusal_fragment(request, error)
        raise
    if request.htmx:
        return leaf_response(request, assessment, criterion_id)
    messages.success(request, _("The file was removed."))
    return back_to_leaf(assessment, criterion_id)
