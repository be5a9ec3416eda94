"""The appraisal council's pages on results: computing them, the provisional results, the
certificate-of-merit list, approval, publication and reopening.

GET pages check the permission here; every POST goes through a service, which checks the
permission and the phase itself (PermissionDenied → 403) and refuses with a ServiceError
what the user can put right (shown as messages).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Agency
from ranking.enums import AssessmentStatus, Standing
from ranking.results.finalization import (
    award_change,
    period_publish,
    period_reopen,
    results_approve,
    results_compute_by,
)
from ranking.results.selectors import provisional_board
from ranking.results.standing import assessment_late_set, assessment_standing_set
from ranking.views.common import allow, assessment_or_404, period_or_404, whole_number
from ranking.views.council import council_step, period_actions
from ranking.views.grouping import (
    EDIT_PARAMETER,
    decimal_mark,
    group_address,
    group_pages,
    page_rows,
    result_rows,
)

# --- results, awards and publication ----------------------------------------------------


@login_required
@require_POST
def results_compute_view(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    council_step(
        request,
        lambda: results_compute_by(user=request.user, period=period),
        lambda summary: ngettext(
            "Results computed: %(count)d agency ranked.",
            "Results computed: %(count)d agencies ranked.",
            summary.agencies,
        )
        % {"count": summary.agencies},
    )
    return redirect("provisional_results", code=period.code)


@login_required
@require_GET
def provisional_results(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    allow(request, "ranking.view_progress", period)
    # A large period: one group per page (see ranking.views.grouping), the only one read.
    pages = None

    def choose(groups) -> int | None:
        nonlocal pages
        pages = group_pages(request, groups)
        return pages.shown if pages else None

    board = provisional_board(period=period, choose=choose, small=page_rows())
    mark = decimal_mark()
    standings = board.standings if pages is None else pages.keep(board.standings)
    if pages is not None:
        # Labels looked up once, not through get_…_display on every row (which hashes every
        # choice's lazy label on each call).
        statuses = {value: str(label) for value, label in AssessmentStatus.choices}
        standing_labels = {value: str(label) for value, label in Standing.choices}
        prefix = pages.address(EDIT_PARAMETER + "=")
        for assessment in standings:
            assessment.status_label = statuses.get(assessment.status, assessment.status)
            assessment.standing_label = standing_labels.get(assessment.standing, assessment.standing)
            assessment.edit_href = f"{prefix}{assessment.pk}#standing-{assessment.pk}"
    tables = [
        (
            entry,
            result_rows(entry["results"], mark, fields=lambda r: r.fields, indices=lambda r: r.indices),
        )
        for entry in board.groups
        if pages is None or pages.shown in (None, entry["group"].pk)
    ]
    return render(
        request,
        "ranking/council/results.html",
        {
            "period": period,
            "fields": board.fields,
            "groups": board.groups,
            "tables": tables,
            "pages": pages,
            "awards": pages.keep(board.awards, lambda e: e.group.pk) if pages else board.awards,
            "award_count": sum(1 for e in board.awards if e.included),
            "any_awards": bool(board.awards),
            "candidates": pages.keep(board.candidates) if pages else board.candidates,
            "standings": standings,
            "excluded": pages.keep(board.excluded) if pages else board.excluded,
            "editing": whole_number(request.GET.get(EDIT_PARAMETER)) if pages else None,
            "standing_choices": Standing.choices,
            "can_set_standing": request.user.has_perm("ranking.set_standing", period),
            "actions": period_actions(request, period),
        },
    )


@login_required
@require_POST
def assessment_standing_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    council_step(
        request,
        lambda: assessment_standing_set(
            user=request.user,
            assessment=assessment,
            standing=request.POST.get("standing", ""),
            reason=request.POST.get("reason", ""),
        ),
        lambda _done: _("The standing of %(agency)s is recorded; compute the results again.")
        % {"agency": assessment.agency.name},
    )
    return HttpResponseRedirect(group_address(assessment.period, assessment.group) + "#standings")


@login_required
@require_POST
def assessment_late_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(pk)
    late = request.POST.get("late") == "1"
    council_step(
        request,
        lambda: assessment_late_set(
            user=request.user, assessment=assessment, late=late, reason=request.POST.get("reason", "")
        ),
        lambda _done: (
            _("%(agency)s is recorded as late.") if late else _("The late record of %(agency)s is cleared.")
        )
        % {"agency": assessment.agency.name},
    )
    return HttpResponseRedirect(group_address(assessment.period, assessment.group) + "#standings")


@login_required
@require_POST
def award_change_view(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    agency_id = request.POST.get("agency", "")
    agency = (
        Agency.objects.filter(pk=agency_id, results__period=period).first()
        if whole_number(agency_id) is not None
        else None
    )
    included = request.POST.get("included") == "1"
    if agency is None:
        # Checked first: a refusal by role or phase still answers 403.
        allow(request, "ranking.finalize_period", period)
        messages.error(request, _("Choose an agency ranked in this period."))
        return redirect("provisional_results", code=period.code)
    council_step(
        request,
        lambda: award_change(
            user=request.user,
            period=period,
            agency=agency,
            included=included,
            reason=request.POST.get("reason", ""),
        ),
        lambda _done: (
            _("%(agency)s is added to the certificate-of-merit list.")
            if included
            else _("%(agency)s is removed from the certificate-of-merit list.")
        )
        % {"agency": agency.name},
    )
    return HttpResponseRedirect(group_address(period, agency.group) + "#awards")


@login_required
@require_POST
def results_approve_view(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    council_step(
        request,
        lambda: results_approve(user=request.user, period=period),
        lambda _done: _("The results and the certificate-of-merit list are approved."),
    )
    return redirect("provisional_results", code=period.code)


@login_required
@require_POST
def period_publish_view(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    council_step(
        request,
        lambda: period_publish(user=request.user, period=period),
        lambda publication: _("The results of %(period)s are published (version %(version)d).")
        % {"period": period.name, "version": publication.version},
    )
    return redirect("period_dashboard", code=period.code)


@login_required
@require_POST
def period_reopen_view(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    council_step(
        request,
        lambda: period_reopen(user=request.user, period=period, reason=request.POST.get("reason", "")),
        lambda _done: _("%(period)s is reopened for correction; publishing again makes a new version.")
        % {"period": period.name},
    )
    return redirect("period_dashboard", code=period.code)
