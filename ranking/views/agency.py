"""The agency's pages: self-assessment, submission, evidence, explanation and history.

Views stay thin: every write goes through the services of each concept, every page reads the
assessment once through `assessment_sheet` (a fixed number of queries however many leaves).
Each leaf row is its own htmx form; a save answers with the re-rendered row and an
out-of-band update of the progress panel and the subtotals, read with `sheet_figures` and
`sheet_leaf` rather than the whole sheet.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from ranking.assessments.appraisal import explanation_set, explanation_submit
from ranking.assessments.evidence import EXTENSIONS
from ranking.assessments.services import (
    assessment_submit,
    assessment_withdraw,
    evidence_add,
    evidence_delete,
    progress,
    score_self_set,
    submission_problems,
)
from ranking.assessments.sheets import (
    AssessmentSheet,
    SheetFigures,
    SheetRow,
    assessment_sheet,
    sheet_figures,
    sheet_leaf,
)
from ranking.enums import AssessmentStatus, Decision, Method
from ranking.errors import ScoreConflict, ServiceError
from ranking.models import Assessment, Criterion, Evidence, Score
from ranking.views.common import (
    allow,
    assessment_or_404,
    decimal_or_error,
    page_version,
    posted_version,
    service_error_response,
)

logger = logging.getLogger(__name__)

STATUS_BADGES = {
    AssessmentStatus.DRAFT: "text-bg-secondary",
    AssessmentStatus.SUBMITTED: "text-bg-primary",
    AssessmentStatus.RETURNED: "text-bg-warning",
    AssessmentStatus.IN_REVIEW: "text-bg-info",
    AssessmentStatus.REVIEWED: "text-bg-info",
    AssessmentStatus.APPROVED: "text-bg-success",
    AssessmentStatus.EXPLAINED: "text-bg-primary",
    AssessmentStatus.FINALIZED: "text-bg-dark",
}
DECISION_BADGES = {
    Decision.ACCEPTED: "text-bg-success",
    Decision.PARTIAL: "text-bg-warning",
    Decision.REJECTED: "text-bg-danger",
}
ACCEPTED_FILES = ",".join(sorted(EXTENSIONS))


# --- numbers as the user reads and types them ---------------------------------------------


def points(value: Decimal | None) -> str:
    """A score without trailing zeros, with the language's decimal mark: 7,5 / 10 / −0,25."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR")).replace("-", "−")


def typed(value: Decimal | None) -> str:
    """A score as an input's value: like `points` but with a plain minus the user can edit."""
    return points(value).replace("−", "-")


def plain(value: Decimal) -> str:
    """A score as an option's value, the same in every language: 0.5."""
    text = format(Decimal(value).normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- one leaf as the page shows it --------------------------------------------------------


@dataclass
class Access:
    """What the user may do on this assessment now (all from objects already loaded)."""

    fill: bool
    appraisal: bool
    explain: bool
    history: bool

    @classmethod
    def of(cls, user, assessment: Assessment) -> Access:
        return cls(
            fill=user.has_perm("ranking.fill_assessment", assessment),
            appraisal=user.has_perm("ranking.view_appraisal", assessment),
            explain=user.has_perm("ranking.explain_assessment", assessment),
            history=user.has_perm("ranking.view_history", assessment),
        )


@dataclass
class Leaf:
    """A leaf row with everything its template needs, numbers already formatted."""

    row: SheetRow
    access: Access
    saved: bool = False
    explanation_saved: bool = False
    errors: list[str] = field(default_factory=list)
    explanation_errors: list[str] = field(default_factory=list)
    upload_errors: list[str] = field(default_factory=list)
    conflict: bool = False
    typed_value: str | None = None

    @property
    def criterion(self):
        return self.row.criterion

    @property
    def score(self) -> Score | None:
        return self.row.score

    @property
    def id(self) -> int:
        return self.row.criterion.id

    @property
    def version(self) -> int:
        return page_version(self.score)

    @property
    def method(self) -> str:
        return self.criterion.method

    @property
    def is_survey(self) -> bool:
        return self.method == Method.SURVEY

    @property
    def editable(self) -> bool:
        return self.access.fill and not self.is_survey

    @property
    def explainable(self) -> bool:
        return self.access.explain and not self.is_survey

    @property
    def not_arising(self) -> bool:
        return bool(self.score and self.score.not_arising)

    @property
    def final_not_arising(self) -> bool:
        """The appraisal's word on "does not arise", which may overrule the agency's."""
        return bool(self.score and self.score.final_not_arising)

    @property
    def max_text(self) -> str:
        return points(self.row.max_points or self.criterion.max_points)

    @property
    def self_text(self) -> str:
        if self.is_survey:
            return points(self.score.final_score) if self.score else ""
        return points(self.score.self_score) if self.score else ""

    @property
    def value(self) -> str:
        if self.typed_value is not None:
            return self.typed_value
        return typed(self.score.self_score) if self.score else ""

    @property
    def reviewed_text(self) -> str:
        return points(self.score.reviewed_score) if self.score else ""

    @property
    def final_text(self) -> str:
        return points(self.score.final_score) if self.score else ""

    @property
    def proposed_value(self) -> str:
        return typed(self.score.proposed_score) if self.score else ""

    @property
    def proposed_text(self) -> str:
        return points(self.score.proposed_score) if self.score else ""

    @property
    def differs(self) -> bool:
        return self.row.differs

    @property
    def final_differs(self) -> bool:
        s = self.score
        return bool(s and s.final_score is not None and s.final_score != s.reviewed_score)

    @property
    def decision_badge(self) -> str:
        return DECISION_BADGES.get(self.score.decision, "text-bg-secondary") if self.score else ""

    @property
    def range_hint(self) -> str:
        maximum = self.criterion.max_points or Decimal(0)
        if self.method == Method.DEDUCTION:
            return _("from −%(max)s to 0") % {"max": points(maximum)}
        if self.method == Method.BONUS:
            return _("from 0 to %(max)s (bonus)") % {"max": points(maximum)}
        if self.method == Method.YESNO:
            return _("0 or %(max)s") % {"max": points(maximum)}
        if self.method == Method.NUMBER and self.criterion.step:
            return _("from 0 to %(max)s, in steps of %(step)s") % {
                "max": points(maximum),
                "step": points(self.criterion.step),
            }
        return _("from 0 to %(max)s") % {"max": points(maximum)}

    @property
    def choices(self) -> list[tuple[str, str, str, bool]]:
        """(value, label, points, selected) of a choice leaf."""
        current = self.score.self_score if self.score else None
        return [
            (plain(value), label, points(value), current is not None and current == value)
            for label, value in self.criterion.option_values
        ]

    @property
    def proposal_choices(self) -> list[tuple[str, str, str, bool]]:
        """(value, label, points, selected) a proposed score of a choice or yes/no leaf takes."""
        current = self.score.proposed_score if self.score else None
        if self.method == Method.CHOICE:
            options = self.criterion.option_values
        elif self.method == Method.YESNO:
            options = [(_("Done"), self.criterion.max_points or Decimal(0)), (_("Not done"), Decimal(0))]
        else:
            return []
        return [
            (plain(value), label, points(value), current is not None and current == value)
            for label, value in options
        ]

    @property
    def yes_value(self) -> str:
        return plain(self.criterion.max_points or Decimal(0))

    @property
    def answered_yes(self) -> bool:
        s = self.score
        return bool(s and s.self_score is not None and s.self_score == self.criterion.max_points)

    @property
    def answered_no(self) -> bool:
        s = self.score
        return bool(s and s.self_score is not None and s.self_score == 0)

    @property
    def needs_reason(self) -> bool:
        """Evidence is required and none is attached: a written reason takes its place."""
        return self.criterion.evidence_required and not self.row.evidence

    @property
    def decision_label(self) -> str:
        return Decision(self.score.decision).label if self.score and self.score.decision else ""


@dataclass
class Heading:
    """A field or criterion above the leaves, with its subtotal and maximum."""

    row: SheetRow
    appraisal: bool

    @property
    def id(self) -> int:
        return self.row.criterion.id

    @property
    def subtotal(self) -> str:
        return points(self.row.self_subtotal) or "0"

    @property
    def reviewed_subtotal(self) -> str:
        return points(self.row.reviewed_subtotal) or "0"

    @property
    def final_subtotal(self) -> str:
        return points(self.row.final_subtotal) or "0"

    @property
    def maximum(self) -> str:
        return points(self.row.max_points) or "0"


@dataclass
class Section:
    """A field of the criteria tree: its heading, then its criteria and leaves in order."""

    heading: Heading | None
    items: list = field(default_factory=list)


def sections_of(sheet: AssessmentSheet, access: Access) -> list[Section]:
    sections: list[Section] = []
    for row in sheet.rows:
        if row.is_field:
            sections.append(Section(heading=Heading(row, access.appraisal)))
            if not row.is_leaf:
                continue
        if not sections:
            sections.append(Section(heading=None))
        sections[-1].items.append(Leaf(row, access) if row.is_leaf else Heading(row, access.appraisal))
    return sections


def progress_of(sheet: AssessmentSheet | SheetFigures) -> dict:
    figures = progress(sheet)
    figures["total_text"] = points(figures["total"]) or "0"
    figures["maximum_text"] = points(figures["maximum"]) or "0"
    figures["percent"] = int(figures["scored"] * 100 / figures["required"]) if figures["required"] else 100
    return figures


def return_reason(assessment: Assessment) -> str:
    """Why the reviewer returned the assessment (the reason of its latest status change)."""
    if assessment.status != AssessmentStatus.RETURNED:
        return ""
    latest = Assessment.history.filter(id=assessment.pk).order_by("-history_date", "-history_id").first()
    return (latest.history_change_reason or "") if latest else ""


def days_left(deadline: datetime.date | None) -> int | None:
    return None if deadline is None else (deadline - timezone.localdate()).days


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
    context = {
        "assessment": assessment,
        "period": period,
        "status_badge": STATUS_BADGES.get(assessment.status, "text-bg-secondary"),
        "access": access,
        "sections": sections_of(sheet, access),
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
        "is_appraiser": user.role in (Role.REVIEWER, Role.COUNCIL),
        "max_upload": settings.EVIDENCE_MAX_BYTES,
        "accepted_files": ACCEPTED_FILES,
    }
    return render(request, "ranking/agency/detail.html", context)


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
    row = sheet_leaf(assessment=assessment, criterion_id=criterion_id, score=score)
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
    response = HttpResponse(
        render_to_string("ranking/agency/_leaf_response.html", context, request=request), status=status
    )
    if leaf.conflict:
        # The whole row is out of date: show the newer values in place of what was typed.
        response["HX-Retarget"] = f"#leaf-{criterion_id}"
        response["HX-Reselect"] = f"#leaf-{criterion_id}"
        response["HX-Reswap"] = "outerHTML"
    return response


def refusal_fragment(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    """A refusal of an htmx post as a short fragment the row can show (status 403)."""
    message = str(error) or _("You may not do this now.")
    html = render_to_string("ranking/_errors.html", {"messages_list": [message]}, request=request)
    return HttpResponse(html, status=403)


def back_to_leaf(assessment: Assessment, criterion_id: int):
    return redirect(reverse("assessment_detail", args=[assessment.pk]) + f"#leaf-{criterion_id}")


@login_required
@require_POST
def score_self_save(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    data = request.POST
    value, problem = decimal_or_error(data.get("value"))
    version = posted_version(data)
    try:
        if problem:
            # Checked after the permission: someone who may not edit learns nothing more.
            allow(request, "ranking.fill_assessment", assessment)
            raise ServiceError(problem)
        score = score_self_set(
            user=request.user,
            assessment=assessment,
            criterion_id=criterion_id,
            value=value,
            not_arising=bool(data.get("not_arising")),
            note=data.get("note", "").strip(),
            no_evidence_reason=data.get("no_evidence_reason", "").strip(),
            version=version,
        )
    except PermissionDenied as error:
        if request.htmx:
            return refusal_fragment(request, error)
        raise
    except ScoreConflict as conflict:
        if request.htmx:
            return leaf_response(
                request,
                assessment,
                criterion_id,
                status=409,
                score=conflict.score,
                conflict=True,
                errors=conflict.messages,
            )
        messages.error(request, " ".join(conflict.messages))
        return back_to_leaf(assessment, criterion_id)
    except ServiceError as error:
        if request.htmx:
            return leaf_response(
                request,
                assessment,
                criterion_id,
                status=422,
                errors=error.messages,
                typed_value=data.get("value"),
            )
        messages.error(request, " ".join(error.messages))
        return back_to_leaf(assessment, criterion_id)
    if request.htmx:
        return leaf_response(request, assessment, criterion_id, score=score, saved=True)
    messages.success(request, _("Saved."))
    return back_to_leaf(assessment, criterion_id)


@login_required
@require_POST
def explanation_save(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    data = request.POST
    proposed, problem = decimal_or_error(data.get("proposed_score"))
    version = posted_version(data)
    try:
        if problem:
            allow(request, "ranking.explain_assessment", assessment)
            raise ServiceError(problem)
        score = explanation_set(
            user=request.user,
            assessment=assessment,
            criterion_id=criterion_id,
            explanation=data.get("explanation", ""),
            proposed_score=proposed,
            version=version,
        )
    except PermissionDenied as error:
        if request.htmx:
            return refusal_fragment(request, error)
        raise
    except ScoreConflict as conflict:
        if request.htmx:
            return leaf_response(
                request,
                assessment,
                criterion_id,
                status=409,
                score=conflict.score,
                conflict=True,
                explanation_errors=conflict.messages,
            )
        messages.error(request, " ".join(conflict.messages))
        return back_to_leaf(assessment, criterion_id)
    except ServiceError as error:
        if request.htmx:
            return leaf_response(
                request, assessment, criterion_id, status=422, explanation_errors=error.messages
            )
        messages.error(request, " ".join(error.messages))
        return back_to_leaf(assessment, criterion_id)
    if request.htmx:
        return leaf_response(request, assessment, criterion_id, score=score, explanation_saved=True)
    messages.success(request, _("Explanation saved."))
    return back_to_leaf(assessment, criterion_id)


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
            "score__assessment__period", "score__assessment__agency__group", "score__assessment__reviewer"
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


# --- submission -----------------------------------------------------------------------------


def submission_page(request: HttpRequest, assessment: Assessment, problems: list[str], *, status: int = 200):
    context = {
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

SCORE_FIELDS = (
    "self_score",
    "not_arising",
    "note",
    "no_evidence_reason",
    "explanation",
    "proposed_score",
    "reviewer_not_arising",
    "reviewed_score",
    "review_comment",
    "decision",
    "decision_reason",
    "final_score",
)
# What the reviewers wrote reaches the agency only once the council approved the appraisal.
APPRAISAL_FIELDS = frozenset(
    {"reviewer_not_arising", "reviewed_score", "review_comment", "decision", "decision_reason", "final_score"}
)


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class TrailEntry:
    """One line of a trail: who changed what, when, from what to what, and why."""

    when: datetime.datetime
    who: str
    subject: str
    title: str
    changes: list[Change]
    reason: str


def shown_value(name: str, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return points(value)
    if name == "decision":
        return Decision(value).label
    if name == "status":
        return AssessmentStatus(value).label
    return str(value)


def blank_as_none(value):
    return None if value is None or value == "" else value


def who(record) -> str:
    user = record.history_user
    return (user.get_full_name() or user.get_username()) if user else _("System")


def status_trail(assessment: Assessment) -> list[TrailEntry]:
    """Every status change of the assessment, oldest first. One query."""
    entries = []
    previous = None
    records = (
        Assessment.history.filter(id=assessment.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    label = str(Assessment._meta.get_field("status").verbose_name).capitalize()
    for record in records:
        if previous is None or record.status != previous.status:
            old = shown_value("status", previous.status) if previous else ""
            entries.append(
                TrailEntry(
                    when=record.history_date,
                    who=who(record),
                    subject=label,
                    title="",
                    changes=[Change(label, old, shown_value("status", record.status))],
                    reason=record.history_change_reason or "",
                )
            )
        previous = record
    return entries


def score_trail(
    assessment: Assessment, *, appraisal: bool, criterion_id: int | None = None
) -> list[TrailEntry]:
    """Every change of the assessment's scores (or of one leaf), oldest first. One query.

    Differences are computed from consecutive records of the same score, never with a
    query per record.
    """
    records = Score.history.filter(assessment_id=assessment.pk)
    if criterion_id is not None:
        records = records.filter(criterion_id=criterion_id)
    records = records.select_related("history_user", "criterion").order_by("id", "history_date", "history_id")
    names = [n for n in SCORE_FIELDS if appraisal or n not in APPRAISAL_FIELDS]
    labels = {n: str(Score._meta.get_field(n).verbose_name).capitalize() for n in names}
    entries = []
    previous = None
    for record in records:
        if previous is not None and previous.id != record.id:
            previous = None
        changes = []
        for name in names:
            old = (
                getattr(previous, name) if previous is not None else Score._meta.get_field(name).get_default()
            )
            new = getattr(record, name)
            if blank_as_none(old) != blank_as_none(new):
                changes.append(Change(labels[name], shown_value(name, old), shown_value(name, new)))
        if changes and record.history_type != "-":
            entries.append(
                TrailEntry(
                    when=record.history_date,
                    who=who(record),
                    subject=record.criterion.code,
                    title=record.criterion.title,
                    changes=changes,
                    reason=record.history_change_reason or "",
                )
            )
        previous = record
    return entries


def evidence_trail(assessment: Assessment, *, criterion_id: int | None = None) -> list[TrailEntry]:
    """Files attached to and removed from the assessment's leaves. One query."""
    records = Evidence.history.filter(score__assessment_id=assessment.pk, history_type__in=("+", "-"))
    if criterion_id is not None:
        records = records.filter(score__criterion_id=criterion_id)
    records = records.select_related("history_user", "score__criterion").order_by(
        "history_date", "history_id"
    )
    entries = []
    for record in records:
        if record.purpose == Evidence.Purpose.EXPLANATION:
            label = _("Explanation evidence")
        else:
            label = str(Evidence._meta.verbose_name).capitalize()
        added = record.history_type == "+"
        entries.append(
            TrailEntry(
                when=record.history_date,
                who=who(record),
                subject=record.score.criterion.code,
                title=record.score.criterion.title,
                changes=[
                    Change(
                        label, "" if added else record.original_name, record.original_name if added else ""
                    )
                ],
                reason=_("File attached") if added else _("File removed"),
            )
        )
    return entries


def newest_first(*trails: list[TrailEntry]) -> list[TrailEntry]:
    return sorted((e for trail in trails for e in trail), key=lambda e: e.when, reverse=True)


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
    get_object_or_404(Criterion.objects.only("pk"), pk=criterion_id, period_id=assessment.period_id)
    appraisal = request.user.has_perm("ranking.view_appraisal", assessment)
    entries = newest_first(
        score_trail(assessment, appraisal=appraisal, criterion_id=criterion_id),
        evidence_trail(assessment, criterion_id=criterion_id),
    )
    return render(
        request, "ranking/_history.html", {"entries": entries, "show_subject": False, "compact": True}
    )
