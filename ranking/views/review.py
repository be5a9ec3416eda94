"""The reviewer's pages: the queue, the side-by-side appraisal and the explanation decisions.

Every write goes through `ranking.assessments.appraisal`; these views only parse the form, call the
service and show its answer. Reads are bounded: the queue is one query whatever its length,
the appraisal page reads the sheet with `assessment_sheet` (a fixed number of queries).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.rules import is_council
from ranking.assessments.appraisal import (
    appraisal_start,
    assessment_mark_reviewed,
    assessment_return,
    explanation_decide,
    field_accept_self,
    field_accept_undo,
    score_review_set,
)
from ranking.assessments.appraisal_display import leaf_of_row, sheet_blocks, totals_context
from ranking.assessments.forms import QueueFilter
from ranking.assessments.selectors import QUEUE_SORTS, overdue, queue_assessments, step_deadline
from ranking.assessments.sheets import assessment_sheet, sheet_figures, sheet_leaf
from ranking.enums import AssessmentStatus, Decision
from ranking.errors import ServiceError
from ranking.models import Assessment, Score
from ranking.text import clean_text
from ranking.views.common import (
    CONFLICT,
    INVALID,
    SAVED,
    ListState,
    allow,
    assessment_or_404,
    decimal_or_error,
    detailed_layout,
    layout_remembered,
    leaf_save,
    posted_version,
    service_error_response,
)

S = AssessmentStatus


QUEUE_COLUMNS = (
    ("agency", gettext_lazy("Agency")),
    ("group", gettext_lazy("Group")),
    ("period", gettext_lazy("Period")),
    ("status", gettext_lazy("Status")),
    ("submitted", gettext_lazy("Submitted on")),
    ("reviewed", gettext_lazy("Leaves reviewed")),
    ("reviewer", gettext_lazy("Reviewer")),
)

# --- the queue ----------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    allow(request, "ranking.review_queue")
    form = QueueFilter(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    state = ListState.read(request.GET, QUEUE_SORTS)
    assessments = list(
        queue_assessments(
            user=request.user,
            period=chosen.get("period"),
            group=chosen.get("group"),
            status=chosen.get("status", ""),
            search=clean_text(chosen.get("q", "")).strip(),
            sort=state.sort,
        )
    )
    today = timezone.localdate()
    for assessment in assessments:
        assessment.deadline = step_deadline(assessment)
        assessment.overdue = overdue(assessment, today)
    # The sort links keep the filters as they were sent.
    kept = request.GET.copy()
    kept.pop("sort", None)
    columns = []
    for key, label in QUEUE_COLUMNS:
        kept["sort"] = f"-{key}" if state.sort == key else key
        columns.append((key, label, kept.urlencode(), state.direction(key)))
    return render(
        request,
        "ranking/review/queue.html",
        {
            "form": form,
            "assessments": assessments,
            "columns": columns,
            "sort": state.sort,
            "filtered": bool(chosen and any(chosen.values())),
            "sees_all": is_council(request.user),
        },
    )


# --- the appraisal page -------------------------------------------------------------------


def detail_context(request: HttpRequest, assessment: Assessment, **extra) -> dict:
    user = request.user
    sheet = assessment_sheet(assessment=assessment)
    blocks, leaves = sheet_blocks(sheet)
    page_errors = []
    for criterion_id, errors in extra.pop("decision_errors", {}).items():
        leaf = leaves.get(criterion_id)
        if leaf is not None and leaf.awaiting_decision:
            leaf.decision_errors = errors
            leaf.decision_form = extra.get("decision_form", {})
        else:
            # No decision form is shown for this leaf: the refusal goes to the top of the page.
            page_errors.extend(errors)
    # The detailed cards after a refused post (its errors are shown in the cards), and first
    # while explanations await a decision (taken in the cards).
    can_decide = user.has_perm("ranking.decide_explanation", assessment)
    detailed = request.method == "POST" or detailed_layout(request, cards_first=can_decide)
    return {
        "detailed": detailed,
        "save_base": reverse("score_review_save", args=[assessment.pk, 0])[: -len("0/")],
        "fields": [(b.code, b.row.criterion.title, f"gfield-{b.row.criterion.id}") for b in blocks],
        "unscored_label": _("not reviewed"),
        "page_errors": page_errors,
        "assessment": assessment,
        "blocks": blocks,
        "can_review": user.has_perm("ranking.review_assessment", assessment),
        "undoable": undoable_fields(request, assessment),
        "can_start": assessment.review_opened_at is None
        and user.has_perm("ranking.review_assessment", assessment),
        "can_decide": can_decide,
        "awaiting": [leaf for leaf in leaves.values() if leaf.awaiting_decision],
        **totals_context(sheet),
        **extra,
    }


def undoable_fields(request: HttpRequest, assessment: Assessment) -> set[str]:
    """The fields whose last acceptance of self-scores this user may still undo."""
    prefix = f"accept-undo-{assessment.pk}-"
    return {key[len(prefix) :] for key, _filled in request.session.items() if key.startswith(prefix)}


def detail_url(assessment: Assessment, anchor: str = "") -> str:
    url = reverse("review_detail", args=[assessment.pk])
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The appraisal page; reading it changes nothing (the reviewer starts the appraisal)."""
    assessment = assessment_or_404(pk)
    allow(request, "ranking.open_appraisal", assessment)
    return layout_remembered(
        request, render(request, "ranking/review/detail.html", detail_context(request, assessment))
    )


@login_required
@require_POST
def review_start(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    allow(request, "ranking.review_assessment", assessment)
    try:
        appraisal_start(user=request.user, assessment=assessment)
    except ServiceError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(detail_url(assessment))
    messages.success(
        request,
        _("The appraisal of %(agency)s has started: the agency can no longer withdraw its submission.")
        % {"agency": assessment.agency.name},
    )
    return redirect(detail_url(assessment))


def refused_page(request: HttpRequest, assessment: Assessment, **errors) -> HttpResponse:
    """The appraisal page again, with what the service refused, as 422."""
    return render(
        request, "ranking/review/detail.html", detail_context(request, assessment, **errors), status=422
    )


def leaf_response(
    request: HttpRequest,
    assessment: Assessment,
    criterion_id: int,
    *,
    status: int = 200,
    score: Score | None = None,
    kept_version: int | None = None,
    **extra,
) -> HttpResponse:
    """The leaf's status area again (saved, refused, or the newer value of a conflict), with
    the totals and the subtotals above it updated out of band.

    Only the status area: the fields stay as the reviewer is typing in them. The figures come
    from `sheet_figures` (one query), the row from `sheet_leaf`: `score` is the leaf's score
    the service returned or refused (with its criterion), read otherwise.
    """
    figures = sheet_figures(assessment=assessment, appraisal=True)
    if criterion_id not in figures.leaf_ids:
        if extra.get("errors"):
            # No row of this page to show it in: the refusal alone.
            return service_error_response(request, ServiceError(*extra["errors"]))
        raise Http404
    row = sheet_leaf(assessment=assessment, criterion_id=criterion_id, score=score, evidence=False)
    leaf = leaf_of_row(
        row,
        {criterion_id} if row.unreviewed else set(),
        {criterion_id} if row.uncommented else set(),
    )
    leaf.kept_version = kept_version
    html = render_to_string(
        "ranking/review/_leaf_response.html",
        {
            "assessment": assessment,
            "leaf": leaf,
            "ancestors": figures.ancestors(row.criterion.parent_id),
            **totals_context(figures),
            **extra,
        },
        request=request,
    )
    return HttpResponse(html, status=status)


def posted_not_arising(data) -> bool | None:
    """The reviewer's "does not arise" box: ticked, unticked, or None where it was not shown
    (its hidden companion is posted with it)."""
    values = data.getlist("not_arising")
    return "1" in values if values else None


@login_required
@require_POST
def score_review_save(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    version = posted_version(request.POST)

    def save() -> Score:
        allow(request, "ranking.review_assessment", assessment)
        value, problem = decimal_or_error(request.POST.get("reviewed_score"))
        if problem:
            raise ServiceError(problem)
        return score_review_set(
            user=request.user,
            assessment=assessment,
            criterion_id=criterion_id,
            value=value,
            comment=request.POST.get("review_comment", ""),
            version=version,
            not_arising=posted_not_arising(request.POST),
        )

    def answer(*, status: int, score: Score | None, messages: list[str]) -> HttpResponse:
        # Only the status area is redrawn: the fields keep what the reviewer typed. A conflict
        # takes the newer version, so that saving again keeps it; a refusal the one shown.
        return leaf_response(
            request,
            assessment,
            criterion_id,
            status=status,
            score=score,
            kept_version=version if status == INVALID else None,
            saved=status == SAVED,
            conflict=messages if status == CONFLICT else [],
            errors=messages if status == INVALID else [],
        )

    return leaf_save(
        request,
        save,
        answer=answer,
        back=detail_url(assessment, f"leaf-{criterion_id}"),
        saved_message=_("The reviewed score was saved."),
    )


def undo_key(assessment: Assessment, field_code: str) -> str:
    return f"accept-undo-{assessment.pk}-{field_code}"


def accepted_text(field_code: str, filled: int, kept: int) -> str:
    return " ".join(
        (
            ngettext(
                "Field %(field)s: %(count)d leaf not yet reviewed took its self-score.",
                "Field %(field)s: %(count)d leaves not yet reviewed took their self-scores.",
                filled,
            )
            % {"field": field_code, "count": filled},
            ngettext(
                "%(count)d leaf already reviewed was kept as it is.",
                "%(count)d leaves already reviewed were kept as they are.",
                kept,
            )
            % {"count": kept},
        )
    )


@login_required
@require_POST
def field_accept(request: HttpRequest, pk: int, field_code: str) -> HttpResponse:
    assessment = assessment_or_404(pk)
    allow(request, "ranking.review_assessment", assessment)
    try:
        accepted = field_accept_self(user=request.user, assessment=assessment, field_code=field_code)
    except ServiceError as error:
        if request.htmx:
            return service_error_response(request, error)
        for message in error.messages:
            messages.error(request, message)
        return redirect(detail_url(assessment, f"field-{field_code}"))
    # What was filled is kept in the session, not in the page: the undo takes back only what
    # this acceptance filled, and the service checks again that nothing changed since.
    if accepted.filled:
        request.session[undo_key(assessment, field_code)] = {str(k): v for k, v in accepted.filled.items()}
    else:
        request.session.pop(undo_key(assessment, field_code), None)
    message = accepted_text(field_code, len(accepted.filled), accepted.kept)
    if not request.htmx:
        messages.success(request, message)
        return redirect(detail_url(assessment, f"field-{field_code}"))
    return field_response(request, assessment, field_code, accepted_message=message)


@login_required
@require_POST
def field_accept_undo_view(request: HttpRequest, pk: int, field_code: str) -> HttpResponse:
    assessment = assessment_or_404(pk)
    allow(request, "ranking.review_assessment", assessment)
    filled = request.session.pop(undo_key(assessment, field_code), None)
    if not filled:
        messages.info(request, _("There is nothing to undo in field %(field)s.") % {"field": field_code})
        return redirect(detail_url(assessment, f"field-{field_code}"))
    undone = field_accept_undo(
        user=request.user,
        assessment=assessment,
        field_code=field_code,
        filled={int(k): v for k, v in filled.items()},
    )
    message = ngettext(
        "Field %(field)s: %(count)d leaf is not reviewed again.",
        "Field %(field)s: %(count)d leaves are not reviewed again.",
        undone,
    ) % {"field": field_code, "count": undone}
    if undone < len(filled):
        changed = len(filled) - undone
        message += " " + ngettext(
            "%(count)d leaf changed since was kept.", "%(count)d leaves changed since were kept.", changed
        ) % {"count": changed}
    messages.success(request, message)
    return redirect(detail_url(assessment, f"field-{field_code}"))


def field_response(request: HttpRequest, assessment: Assessment, field_code: str, **extra) -> HttpResponse:
    """The field's section again, with the totals updated out of band."""
    sheet = assessment_sheet(assessment=assessment)
    blocks, _leaves = sheet_blocks(sheet)
    block = next((b for b in blocks if b.code == field_code), None)
    if block is None:
        raise Http404
    html = render_to_string(
        "ranking/review/_field_response.html",
        {
            "assessment": assessment,
            "block": block,
            "can_review": request.user.has_perm("ranking.review_assessment", assessment),
            "undoable": undoable_fields(request, assessment),
            "can_decide": request.user.has_perm("ranking.decide_explanation", assessment),
            **totals_context(sheet),
            **extra,
        },
        request=request,
    )
    return HttpResponse(html)


@login_required
@require_POST
def assessment_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    allow(request, "ranking.review_assessment", assessment)
    reason = request.POST.get("reason", "")
    try:
        assessment_return(user=request.user, assessment=assessment, reason=reason)
    except ServiceError as error:
        return refused_page(request, assessment, return_errors=error.messages, return_reason=reason)
    messages.success(
        request,
        _("The assessment of %(agency)s was returned for correction; the agency has been notified.")
        % {"agency": assessment.agency.name},
    )
    return redirect(detail_url(assessment))


@login_required
@require_POST
def assessment_reviewed_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    allow(request, "ranking.review_assessment", assessment)
    try:
        assessment_mark_reviewed(user=request.user, assessment=assessment)
    except ServiceError as error:
        return refused_page(request, assessment, reviewed_errors=error.messages)
    messages.success(
        request,
        _("The appraisal of %(agency)s is complete; it awaits the council's approval.")
        % {"agency": assessment.agency.name},
    )
    return redirect(detail_url(assessment))


@login_required
@require_POST
def explanation_decide_view(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    allow(request, "ranking.decide_explanation", assessment)
    decision = request.POST.get("decision", "")
    reason = request.POST.get("reason", "")
    value, problem = decimal_or_error(request.POST.get("score"))
    try:
        if problem and decision == Decision.PARTIAL:
            raise ServiceError(problem)
        explanation_decide(
            user=request.user,
            assessment=assessment,
            criterion_id=criterion_id,
            decision=decision,
            reason=reason,
            score_value=value if decision == Decision.PARTIAL else None,
        )
    except ServiceError as error:
        return refused_page(
            request,
            assessment,
            decision_errors={criterion_id: error.messages},
            decision_form={"decision": decision, "reason": reason, "score": request.POST.get("score", "")},
        )
    assessment = assessment_or_404(pk)
    if assessment.status == S.FINALIZED:
        messages.success(request, _("Every explanation has been decided: the assessment is finalized."))
        return redirect(detail_url(assessment))
    messages.success(request, _("The decision was saved."))
    return redirect(detail_url(assessment, f"leaf-{criterion_id}"))
