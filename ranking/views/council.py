"""The appraisal council's pages before the results: a period's progress, phases, the
approval of appraisals, survey scores and demotions (the results are in `council_results`).

GET pages check the permission here; every POST goes through a service, which checks the
permission and the phase itself (PermissionDenied → 403) and refuses with a ServiceError
what the user can put right (shown as messages).
"""

import datetime
from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Agency
from ranking.assessments.appraisal import appraisal_approve, appraisals_approve
from ranking.assessments.forms import PeriodGroupForm
from ranking.assessments.selectors import COUNCIL_SORTS, council_rows, period_assessments, step_deadline
from ranking.assessments.services import assessment_reopen
from ranking.enums import STATUS_ORDER, AssessmentStatus, Phase
from ranking.errors import ServiceError
from ranking.models import Demotion, Period, Tier
from ranking.periods.groups import assessment_group_set
from ranking.periods.selectors import periods_progress, phase_deadline
from ranking.results.finalization import (
    demotion_remove,
    demotion_set,
    period_phase_set,
    period_phase_undo,
    survey_score_set,
)
from ranking.results.selectors import SurveyRow, period_demotions, survey_grid
from ranking.rules import PERMISSION_MESSAGES
from ranking.views.common import (
    ListState,
    allow,
    assessment_or_404,
    decimal_or_error,
    period_or_404,
    whole_number,
)

T = TypeVar("T")


def refused(request: HttpRequest, error: ServiceError) -> None:
    """A service's refusal as error messages on the next page."""
    for line in error.messages:
        messages.error(request, line)


def council_step(request: HttpRequest, step: Callable[[], T], success: Callable[[T], str]) -> T | None:
    """Take a step through its service: what it refused, or `success(outcome)`, as messages on
    the next page. Returns the service's outcome, None when it refused."""
    try:
        outcome = step()
    except ServiceError as error:
        refused(request, error)
        return None
    messages.success(request, success(outcome))
    return outcome


def period_actions(request: HttpRequest, period: Period) -> dict[str, bool]:
    """Which of the council's steps the user may take on the period now."""
    user = request.user
    return {
        "set_phase": user.has_perm("ranking.set_phase", period),
        "finalize": user.has_perm("ranking.finalize_period", period),
        "publish": user.has_perm("ranking.publish_period", period),
        "reopen": user.has_perm("ranking.reopen_period", period),
        "public": user.has_perm("ranking.view_public_results", period),
    }


# What moving a period to each phase does, asked before the move (the phase list's confirmation).
PHASE_CONFIRM = {
    Phase.SETUP: gettext_lazy(
        "Move to the phase Set-up: agencies and reviewers can no longer work on this period."
    ),
    Phase.SELF_ASSESSMENT: gettext_lazy(
        "Move to the phase Self-assessment: agencies can edit and submit their self-assessment "
        "until the deadline."
    ),
    Phase.APPRAISAL: gettext_lazy(
        "Move to the phase Appraisal: agencies can no longer edit their self-assessment, "
        "unless it is returned."
    ),
    Phase.EXPLANATION: gettext_lazy(
        "Move to the phase Explanation: agencies can no longer edit their self-assessment and reviewers can "
        "no longer appraise; agencies explain on the approved appraisal."
    ),
    Phase.FINALIZATION: gettext_lazy(
        "Move to the phase Finalization: agencies can no longer explain; approved appraisals without an "
        "explanation become final."
    ),
}


def phase_undoable(request: HttpRequest, period: Period) -> bool:
    """Whether the page offers to undo the user's last phase change (the service decides)."""
    change = request.session.get(phase_undo_key(period))
    return bool(
        change and change["moved_to"] == period.phase and request.user.has_perm("ranking.set_phase", period)
    )


# --- the period's dashboard -------------------------------------------------------------


@login_required
@require_GET
def period_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    allow(request, "ranking.view_progress", period)
    assessments = period_assessments(period=period)
    user = request.user
    # The council works on the reviewer's page of an assessment; an administrator reads the agency's.
    detail = "review_detail" if user.has_perm("ranking.review_queue") else "assessment_detail"
    can_set_group = user.has_perm("ranking.set_period_group", period)
    for assessment in assessments:
        assessment.can_set_group = can_set_group
        assessment.can_approve = user.has_perm("ranking.approve_appraisal", assessment)
        assessment.can_reopen = user.has_perm("ranking.reopen_assessment", assessment)
        assessment.detail_url = reverse(detail, args=[assessment.pk])
    (progress,) = periods_progress(periods=[period])
    return render(
        request,
        "ranking/council/dashboard.html",
        {
            "period": period,
            "progress": progress,
            "statuses": [(s.value, s.label) for s in STATUS_ORDER],
            "assessments": assessments,
            "actions": period_actions(request, period),
            "phases": [(value, Phase(value).label, PHASE_CONFIRM[value]) for value in PHASE_CONFIRM],
            "deadline": phase_deadline(period),
            "phase_undo": phase_undoable(request, period),
        },
    )


@login_required
@require_POST
def period_phase_view(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    phase = request.POST.get("phase", "")
    before, since = period.phase, timezone.now()
    try:
        period_phase_set(user=request.user, period=period, phase=phase, reason=request.POST.get("reason", ""))
    except ServiceError as error:
        refused(request, error)
    else:
        messages.success(
            request,
            _("%(period)s is now in the phase “%(phase)s”.")
            % {"period": period.name, "phase": Phase(phase).label},
        )
        # What the undo needs, kept on the server: the service checks that nothing moved since.
        request.session[phase_undo_key(period)] = {
            "back_to": before,
            "moved_to": phase,
            "since": since.isoformat(),
            "history_id": period.history.order_by("-history_date", "-history_id")
            .values_list("history_id", flat=True)
            .first(),
        }
    return redirect("period_dashboard", code=period.code)


def phase_undo_key(period: Period) -> str:
    return f"phase-undo-{period.code}"


@login_required
@require_POST
def period_phase_undo_view(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    allow(request, "ranking.set_phase", period)
    change = request.session.pop(phase_undo_key(period), None)
    if change is None:
        messages.info(request, _("There is no phase change to undo."))
        return redirect("period_dashboard", code=period.code)
    try:
        period_phase_undo(
            user=request.user,
            period=period,
            back_to=change["back_to"],
            moved_to=change["moved_to"],
            since=datetime.datetime.fromisoformat(change["since"]),
            history_id=change["history_id"],
        )
    except ServiceError as error:
        refused(request, error)
    else:
        messages.success(
            request,
            _("The phase change is undone: %(period)s is back in the phase “%(phase)s”.")
            % {"period": period.name, "phase": Phase(change["back_to"]).label},
        )
    return redirect("period_dashboard", code=period.code)


@login_required
@require_POST
def appraisal_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    council_step(
        request,
        lambda: appraisal_approve(user=request.user, assessment=assessment),
        lambda _done: _("The appraisal of %(agency)s is approved.") % {"agency": assessment.agency.name},
    )
    return redirect("period_dashboard", code=assessment.period.code)


# --- the council's list of assessments and approving several at once ---------------------

PAGE_SIZE = 50


def list_url(period: Period, state: ListState) -> str:
    query = state.query()
    url = reverse("council_assessments", args=[period.code])
    return f"{url}?{query}#assessments" if query else f"{url}#assessments"


@login_required
@require_GET
def council_assessments(request: HttpRequest, code: str) -> HttpResponse:
    """Every assessment of the period with its totals and open items: searched, filtered,
    sorted on the server, late ones marked; the appraisals awaiting approval can be chosen
    and approved together."""
    period = period_or_404(code)
    allow(request, "ranking.view_progress", period)
    state = ListState.read(request.GET, COUNCIL_SORTS)
    rows = council_rows(
        period=period, search=state.search, status=state.status, sort=state.sort, today=timezone.localdate()
    )
    page = Paginator(rows, PAGE_SIZE).get_page(state.page or None)
    user = request.user
    detail = "review_detail" if user.has_perm("ranking.review_queue") else "assessment_detail"
    for row in page:
        row.can_approve = user.has_perm("ranking.approve_appraisal", row.assessment)
        row.detail_url = reverse(detail, args=[row.assessment.pk])
        row.deadline = step_deadline(row.assessment)
    columns = [
        (key, label, state.sort_query(key), state.direction(key))
        for key, label in (
            ("agency", _("Agency")),
            ("group", _("Group")),
            ("status", _("Status")),
            ("self", _("Self total")),
            ("reviewed", _("Reviewed total")),
            ("difference", _("Difference")),
            ("open", _("Open items")),
            ("reviewer", _("Reviewer")),
        )
    ]
    return render(
        request,
        "ranking/council/assessments.html",
        {
            "period": period,
            "page": page,
            "state": state,
            "back": state.query(),
            "columns": columns,
            "statuses": AssessmentStatus.choices,
            "can_bulk_approve": user.has_perm("ranking.approve_appraisals", period),
            "actions": period_actions(request, period),
        },
    )


@login_required
@require_POST
def appraisals_approve_view(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    allow(request, "ranking.approve_appraisals", period)
    state = ListState.read(QueryDict(request.POST.get("back", "")), COUNCIL_SORTS)
    chosen = [whole_number(value) for value in request.POST.getlist("assessment")]
    try:
        approved = appraisals_approve(
            user=request.user, period=period, assessment_ids=[pk for pk in chosen if pk is not None]
        )
    except ServiceError as error:
        refused(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d appraisal approved: %(agencies)s.",
                "%(count)d appraisals approved: %(agencies)s.",
                len(approved),
            )
            % {"count": len(approved), "agencies": ", ".join(a.agency.name for a in approved)},
        )
    return redirect(list_url(period, state))


@login_required
@require_POST
def assessment_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    council_step(
        request,
        lambda: assessment_reopen(
            user=request.user, assessment=assessment, reason=request.POST.get("reason", "")
        ),
        lambda _done: _("The self-assessment of %(agency)s is open again for the agency.")
        % {"agency": assessment.agency.name},
    )
    return redirect("period_dashboard", code=assessment.period.code)


# --- the group of an agency in the period -----------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def assessment_group_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The group the agency is ranked in for this period, and the form to change it."""
    assessment = assessment_or_404(pk)
    period = assessment.period
    allow(request, "ranking.view_progress", period)
    can_change = request.user.has_perm("ranking.set_period_group", period)
    form = PeriodGroupForm(initial={"group": assessment.group.code})
    if request.method == "POST":
        allow(request, "ranking.set_period_group", period)
        form = PeriodGroupForm(request.POST)
        if form.is_valid():
            try:
                assessment_group_set(
                    user=request.user,
                    assessment=assessment,
                    group=form.cleaned_data["group"],
                    reason=form.cleaned_data["reason"],
                )
            except ServiceError as error:
                form.add_error("reason", " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("%(agency)s is ranked in %(group)s for %(period)s; compute the results again.")
                    % {
                        "agency": assessment.agency.name,
                        "group": form.cleaned_data["group"].name,
                        "period": period.name,
                    },
                )
                return redirect("period_dashboard", code=period.code)
    return render(
        request,
        "ranking/council/assessment_group.html",
        {
            "period": period,
            "assessment": assessment,
            "form": form,
            "can_change": can_change,
            "refusal": "" if can_change else PERMISSION_MESSAGES["ranking.set_period_group"],
        },
    )


# --- survey scores ----------------------------------------------------------------------


class _Refused(Exception):
    """Leaves the survey transaction so that none of its cells is saved."""


@login_required
@require_http_methods(["GET", "POST"])
def survey_scores(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    allow(request, "ranking.view_progress", period)
    leaves, rows = survey_grid(period=period)
    problems: list[str] = []
    if request.method == "POST":
        allow(request, "ranking.finalize_period", period)
        saved, problems = survey_save(request, rows)
        if not problems:
            if saved:
                messages.success(
                    request,
                    ngettext("%(count)d survey score saved.", "%(count)d survey scores saved.", saved)
                    % {"count": saved},
                )
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("survey_scores", code=period.code)
    return render(
        request,
        "ranking/council/survey.html",
        {
            "period": period,
            "leaves": leaves,
            "rows": rows,
            "problems": problems,
            "editable": request.user.has_perm("ranking.finalize_period", period),
            "actions": period_actions(request, period),
        },
    )


def survey_save(request: HttpRequest, rows: list[SurveyRow]) -> tuple[int, list[str]]:
    """Save every changed cell in one transaction; with one refusal, none is saved.

    Returns the number of cells saved and one line per refused cell naming agency and leaf;
    the refused cells keep what was typed and carry their error.
    """
    changed = []
    problems: list[str] = []
    for row in rows:
        for cell in row.cells:
            name = f"s-{row.assessment.pk}-{cell.criterion.pk}"
            if not cell.applies or name not in request.POST:
                continue
            typed = request.POST[name].strip()
            value, error = decimal_or_error(typed)
            if error:
                cell.typed, cell.error = typed, error
            elif value != cell.value:
                cell.typed = typed
                changed.append((row, cell, value))
    try:
        with transaction.atomic():
            for row, cell, value in changed:
                try:
                    survey_score_set(
                        user=request.user,
                        assessment=row.assessment,
                        criterion_id=cell.criterion.pk,
                        value=value,
                    )
                except ServiceError as error:
                    cell.error = " ".join(error.messages)
            problems = [
                _("%(agency)s, criterion %(code)s: %(error)s")
                % {"agency": row.assessment.agency.name, "code": cell.criterion.code, "error": cell.error}
                for row in rows
                for cell in row.cells
                if cell.error
            ]
            if problems:
                raise _Refused
    except _Refused:
        return 0, problems
    return len(changed), []


# --- demotions --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def demotions(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    allow(request, "ranking.view_progress", period)
    tiers = list(Tier.objects.filter(period=period).order_by("order"))
    form = {"agency": "", "steps": "", "cap_tier": "", "reason": ""}
    problems: list[str] = []
    if request.method == "POST":
        allow(request, "ranking.finalize_period", period)
        form = {key: request.POST.get(key, "").strip() for key in form}
        agency = (
            Agency.objects.filter(pk=form["agency"], assessments__period=period).first()
            if whole_number(form["agency"]) is not None
            else None
        )
        cap_tier = next((t for t in tiers if str(t.pk) == form["cap_tier"]), None)
        steps = whole_number(form["steps"])
        if agency is None:
            problems.append(_("Choose the agency to demote."))
        if form["steps"] and steps is None:
            problems.append(_("The number of tiers must be a whole number."))
        if not problems:
            try:
                demotion_set(
                    user=request.user,
                    period=period,
                    agency=agency,
                    reason=form["reason"],
                    steps=steps,
                    cap_tier=cap_tier,
                )
            except ServiceError as error:
                problems = error.messages
            else:
                messages.success(request, _("%(agency)s is demoted.") % {"agency": agency.name})
                return redirect("demotions", code=period.code)
    return render(
        request,
        "ranking/council/demotions.html",
        {
            "period": period,
            "demotions": period_demotions(period=period),
            "agencies": [a.agency for a in period_assessments(period=period)],
            "tiers": tiers,
            "form": form,
            "problems": problems,
            "editable": request.user.has_perm("ranking.finalize_period", period),
            "actions": period_actions(request, period),
        },
    )


@login_required
@require_POST
def demotion_remove_view(request: HttpRequest, code: str, demotion_id: int) -> HttpResponse:
    period = period_or_404(code)
    demotion = get_object_or_404(
        Demotion.objects.select_related("agency", "period"), pk=demotion_id, period=period
    )
    council_step(
        request,
        lambda: demotion_remove(user=request.user, demotion=demotion, reason=request.POST.get("reason", "")),
        lambda _done: _("The demotion of %(agency)s is lifted.") % {"agency": demotion.agency.name},
    )
    return redirect("demotions", code=period.code)
