"""The reviewer's pages: the queue, the side-by-side appraisal and the explanation decisions.

Every write goes through `ranking.assessments.appraisal`; these views only parse the form, call the
service and show its answer. Reads are bounded: the queue is one query whatever its length,
the appraisal page reads the sheet with `assessment_sheet` (a fixed number of queries).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import AgencyGroup, User
from accounts.rules import is_council
from ranking import scoring
from ranking.assessments.appraisal import (
    appraisal_start,
    assessment_mark_reviewed,
    assessment_return,
    explanation_decide,
    field_accept_self,
    score_review_set,
)
from ranking.assessments.sheets import (
    AssessmentSheet,
    SheetFigures,
    SheetRow,
    assessment_sheet,
    sheet_figures,
    sheet_leaf,
)
from ranking.enums import AssessmentStatus, Decision, Method, Phase
from ranking.errors import ScoreConflict, ServiceError
from ranking.models import Assessment, Criterion, Period, Score
from ranking.periods.criteria import final_not_arising_q, leaf_applies
from ranking.rules import submitted_once_q
from ranking.views.common import (
    allow,
    assessment_or_404,
    decimal_or_error,
    page_version,
    posted_version,
    service_error_response,
)

S = AssessmentStatus

# What a reviewer has to act on comes first in the queue, what is settled last.
QUEUE_ORDER = (
    S.SUBMITTED,
    S.IN_REVIEW,
    S.EXPLAINED,
    S.RETURNED,
    S.REVIEWED,
    S.APPROVED,
    S.FINALIZED,
    S.DRAFT,
)

# Leaves a reviewer must score before closing the appraisal (as `AssessmentSheet.unreviewed`).
NOT_REVIEWED_METHODS = (scoring.SURVEY, *scoring.OUTSIDE_BASE)


# --- the queue ----------------------------------------------------------------------------


class QueueFilter(forms.Form):
    period = forms.ModelChoiceField(
        label=gettext_lazy("Period"),
        queryset=Period.objects.order_by("-year", "subject"),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("Periods not yet published"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    group = forms.ModelChoiceField(
        label=gettext_lazy("Group"),
        queryset=AgencyGroup.objects.order_by("order", "code"),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("All groups"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All statuses")), *AssessmentStatus.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def queue_assessments(
    *, user: User, period: Period | None = None, group: AgencyGroup | None = None, status: str = ""
) -> QuerySet[Assessment]:
    """The assessments in a user's queue, with counts of reviewed leaves. One query.

    A reviewer sees the assessments assigned to them once submitted (`rules.submitted_once`),
    the council every one. Without a period, only periods not yet published are listed.
    """
    leaves = (
        Criterion.objects.filter(period=OuterRef("period"))
        .exclude(method__in=NOT_REVIEWED_METHODS)
        .filter(leaf_applies(OuterRef(OuterRef("agency__group_id"))))
        .order_by()
        .values("period")
        .annotate(n=Count("pk"))
        .values("n")
    )
    reviewed = (
        Score.objects.filter(assessment=OuterRef("pk"))
        .filter(Q(reviewed_score__isnull=False) | final_not_arising_q())
        .exclude(criterion__method__in=NOT_REVIEWED_METHODS)
        .order_by()
        .values("assessment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    assessments = Assessment.objects.select_related("period", "agency__group", "reviewer").annotate(
        leaf_count=Coalesce(Subquery(leaves, output_field=IntegerField()), Value(0)),
        reviewed_count=Coalesce(Subquery(reviewed, output_field=IntegerField()), Value(0)),
        queue_position=Case(
            *(When(status=s, then=Value(i)) for i, s in enumerate(QUEUE_ORDER)),
            default=Value(len(QUEUE_ORDER)),
            output_field=IntegerField(),
        ),
    )
    if not is_council(user):
        assessments = assessments.filter(submitted_once_q(), reviewer=user)
    if period is not None:
        assessments = assessments.filter(period=period)
    else:
        assessments = assessments.exclude(period__phase=Phase.PUBLISHED)
    if group is not None:
        assessments = assessments.filter(agency__group=group)
    if status:
        assessments = assessments.filter(status=status)
    return assessments.order_by(
        "queue_position", "-period__year", "period__subject", "agency__group__order", "agency__code"
    )


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    allow(request, "ranking.review_queue")
    form = QueueFilter(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    assessments = list(
        queue_assessments(
            user=request.user,
            period=chosen.get("period"),
            group=chosen.get("group"),
            status=chosen.get("status", ""),
        )
    )
    return render(
        request,
        "ranking/review/queue.html",
        {
            "form": form,
            "assessments": assessments,
            "filtered": bool(chosen and any(chosen.values())),
            "sees_all": is_council(request.user),
        },
    )


# --- the appraisal page -------------------------------------------------------------------


def plain_number(value: Decimal | None) -> str:
    """A score as typed in a form field: exact, no trailing zeros, the language's decimal mark."""
    if value is None:
        return ""
    number = value.to_integral_value() if value == value.to_integral_value() else value.normalize()
    return format(number, "f").replace(".", get_format("DECIMAL_SEPARATOR"))


@dataclass
class Leaf:
    """A leaf of the sheet with what the appraisal page shows and asks for it."""

    row: SheetRow
    unreviewed: bool
    uncommented: bool
    options: list[tuple[str, str]] = field(default_factory=list)
    self_label: str = ""
    reviewed_label: str = ""
    proposed_label: str = ""
    decision_errors: list[str] = field(default_factory=list)
    decision_form: dict = field(default_factory=dict)
    # The version the page keeps after a refused save: the one it showed, not a newer one.
    kept_version: int | None = None

    @property
    def criterion(self) -> Criterion:
        return self.row.criterion

    @property
    def score(self) -> Score | None:
        return self.row.score

    @property
    def reviewed_input(self) -> str:
        return plain_number(self.score.reviewed_score) if self.score else ""

    @property
    def version(self) -> int:
        return self.kept_version if self.kept_version is not None else page_version(self.score)

    @property
    def is_survey(self) -> bool:
        return self.criterion.method == Method.SURVEY

    @property
    def not_arising(self) -> bool:
        """The agency's word: the leaf does not arise."""
        return bool(self.score and self.score.not_arising)

    @property
    def reviewed_not_arising(self) -> bool:
        """The appraisal's word, which the final figures follow: the reviewer's once given."""
        return bool(self.score and self.score.final_not_arising)

    @property
    def offers_not_arising(self) -> bool:
        """The reviewer may say "does not arise" where the leaf allows it, and undo the agency's."""
        return self.criterion.allow_not_arising or self.not_arising

    @property
    def explained(self) -> bool:
        return bool(self.score and self.score.explanation)

    @property
    def awaiting_decision(self) -> bool:
        return self.explained and not self.score.decision

    @property
    def range_hint(self) -> str:
        c = self.criterion
        top = plain_number(c.max_points or Decimal(0))
        if c.method == Method.DEDUCTION:
            return _("from −%(floor)s to 0") % {"floor": top}
        if c.method == Method.BONUS:
            return _("bonus, 0 to %(max)s") % {"max": top}
        if c.method == Method.NUMBER and c.step:
            return _("0 to %(max)s, in steps of %(step)s") % {"max": top, "step": plain_number(c.step)}
        return _("0 to %(max)s") % {"max": top}


def option_labels(criterion: Criterion) -> list[tuple[Decimal, str]]:
    """The values a choice or yes/no leaf offers, with their labels."""
    if criterion.method == Method.CHOICE:
        return [(points, label) for label, points in criterion.option_values]
    if criterion.method == Method.YESNO:
        return [(criterion.max_points or Decimal(0), _("Done")), (Decimal(0), _("Not done"))]
    return []


def label_of(choices: list[tuple[Decimal, str]], value: Decimal | None) -> str:
    if value is None:
        return ""
    return next((label for points, label in choices if points == value), "")


def leaf_of_row(row: SheetRow, unreviewed: set[int], uncommented: set[int]) -> Leaf:
    choices = option_labels(row.criterion)
    score = row.score
    leaf = Leaf(
        row=row, unreviewed=row.criterion.id in unreviewed, uncommented=row.criterion.id in uncommented
    )
    leaf.options = [(plain_number(points), f"{label} ({plain_number(points)})") for points, label in choices]
    if score:
        leaf.self_label = label_of(choices, score.self_score)
        leaf.reviewed_label = label_of(choices, score.reviewed_score)
        leaf.proposed_label = label_of(choices, score.proposed_score)
    return leaf


@dataclass
class Block:
    """A field of the criteria tree: its own row and the rows below it, leaves decorated."""

    row: SheetRow
    items: list = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.row.criterion.code


def sheet_blocks(sheet: AssessmentSheet) -> tuple[list[Block], dict[int, Leaf]]:
    unreviewed = {r.criterion.id for r in sheet.unreviewed}
    uncommented = {r.criterion.id for r in sheet.uncommented}
    blocks: list[Block] = []
    leaves: dict[int, Leaf] = {}
    for row in sheet.rows:
        if row.is_leaf:
            item = leaves[row.criterion.id] = leaf_of_row(row, unreviewed, uncommented)
        else:
            item = row
        if row.is_field:
            blocks.append(Block(row=row))
            if not row.is_leaf:
                continue
        blocks[-1].items.append(item)
    return blocks, leaves


def totals_context(sheet: AssessmentSheet | SheetFigures) -> dict:
    return {
        "sheet": sheet,
        "reviewed_count": sheet.review_count - sheet.unreviewed_count,
        "review_count": sheet.review_count,
        "differences": sheet.differences,
        "uncommented_count": sheet.uncommented_count,
        "show_final": sheet.assessment.status in (S.APPROVED, S.EXPLAINED, S.FINALIZED),
    }


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
    return {
        "page_errors": page_errors,
        "assessment": assessment,
        "blocks": blocks,
        "can_review": user.has_perm("ranking.review_assessment", assessment),
        "can_start": assessment.review_opened_at is None
        and user.has_perm("ranking.review_assessment", assessment),
        "can_decide": user.has_perm("ranking.decide_explanation", assessment),
        "awaiting": [leaf for leaf in leaves.values() if leaf.awaiting_decision],
        **totals_context(sheet),
        **extra,
    }


def detail_url(assessment: Assessment, anchor: str = "") -> str:
    url = reverse("review_detail", args=[assessment.pk])
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The appraisal page; reading it changes nothing (the reviewer starts the appraisal)."""
    assessment = assessment_or_404(pk)
    allow(request, "ranking.open_appraisal", assessment)
    return render(request, "ranking/review/detail.html", detail_context(request, assessment))


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
    allow(request, "ranking.review_assessment", assessment)
    value, problem = decimal_or_error(request.POST.get("reviewed_score"))
    version = posted_version(request.POST)
    try:
        if problem:
            raise ServiceError(problem)
        score = score_review_set(
            user=request.user,
            assessment=assessment,
            criterion_id=criterion_id,
            value=value,
            comment=request.POST.get("review_comment", ""),
            version=version,
            not_arising=posted_not_arising(request.POST),
        )
    except ScoreConflict as conflict:
        if not request.htmx:
            messages.warning(request, conflict.messages[0])
            return redirect(detail_url(assessment, f"leaf-{criterion_id}"))
        # The status area takes the newer version: saving again keeps what the reviewer typed.
        return leaf_response(
            request, assessment, criterion_id, status=409, score=conflict.score, conflict=conflict.messages
        )
    except ServiceError as error:
        if not request.htmx:
            for message in error.messages:
                messages.error(request, message)
            return redirect(detail_url(assessment, f"leaf-{criterion_id}"))
        return leaf_response(
            request, assessment, criterion_id, status=422, kept_version=version, errors=error.messages
        )
    if not request.htmx:
        messages.success(request, _("The reviewed score was saved."))
        return redirect(detail_url(assessment, f"leaf-{criterion_id}"))
    return leaf_response(request, assessment, criterion_id, score=score, saved=True)


@login_required
@require_POST
def field_accept(request: HttpRequest, pk: int, field_code: str) -> HttpResponse:
    assessment = assessment_or_404(pk)
    allow(request, "ranking.review_assessment", assessment)
    try:
        count = field_accept_self(user=request.user, assessment=assessment, field_code=field_code)
    except ServiceError as error:
        if request.htmx:
            return service_error_response(request, error)
        for message in error.messages:
            messages.error(request, message)
        return redirect(detail_url(assessment, f"field-{field_code}"))
    accepted = ngettext(
        "Field %(field)s: %(count)d leaf accepted at its self-score.",
        "Field %(field)s: %(count)d leaves accepted at their self-scores.",
        count,
    ) % {"field": field_code, "count": count}
    if not request.htmx:
        messages.success(request, accepted)
        return redirect(detail_url(assessment, f"field-{field_code}"))
    return field_response(request, assessment, field_code, accepted_message=accepted)


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
