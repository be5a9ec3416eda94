"""The analysis pages of the conference pack: where points were lost (with a heat map and a
drill-down to the agencies), reviewer consistency and self-assessment accuracy.

Read-only pages: the council and administrators at any time, viewers and reviewers once the
period is published (`ranking.view_reports`); reviewer consistency only for the council and
administrators (`ranking.view_reviewer_consistency`).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import AgencyGroup
from ranking.models import Criterion, Period
from ranking.reports import analysis
from ranking.reports.loss_table import loss_columns, sorted_losses
from ranking.views.common import allow, period_or_404


def report_page(request: HttpRequest, code: str, permission: str = "ranking.view_reports") -> Period:
    period = period_or_404(code)
    allow(request, permission, period)
    return period


def chosen_group(request: HttpRequest, groups: list[AgencyGroup]) -> AgencyGroup | None:
    """The group of ?group=<code>, or None (every group) when absent or unknown."""
    wanted = request.GET.get("group", "")
    return next((g for g in groups if g.code == wanted), None)


def page_links(request: HttpRequest, period: Period) -> dict:
    return {"consistency": request.user.has_perm("ranking.view_reviewer_consistency", period)}


@login_required
@require_GET
def loss_analysis(request: HttpRequest, code: str) -> HttpResponse:
    period = report_page(request, code)
    snapshot = analysis.period_snapshot(period=period)
    groups = snapshot.groups
    group = chosen_group(request, groups)
    losses, sort = sorted_losses(
        analysis.criterion_losses(period=period, group=group, snapshot=snapshot), request.GET.get("sort", "")
    )
    heat_maps = [
        analysis.heat_map(period=period, group=g, snapshot=snapshot) for g in ([group] if group else groups)
    ]
    return render(
        request,
        "ranking/reports/analysis/loss_analysis.html",
        {
            "period": period,
            "page": "losses",
            "here": _("Where points were lost"),
            "links": page_links(request, period),
            "groups": groups,
            "group": group,
            "losses": losses,
            "sort": sort,
            "columns": loss_columns(sort),
            "heat_maps": heat_maps,
            "buckets": [(b, b * 10, (b + 1) * 10) for b in range(analysis.BUCKETS)],
        },
    )


@login_required
@require_GET
def loss_detail(request: HttpRequest, code: str, criterion_id: int) -> HttpResponse:
    period = report_page(request, code)
    criterion = get_object_or_404(
        Criterion.objects.prefetch_related("groups"), pk=criterion_id, period=period
    )
    if not analysis.is_analysed_leaf(criterion):
        raise Http404
    every_row = analysis.loss_detail(period=period, criterion=criterion)
    groups = list({row.group.pk: row.group for row in every_row}.values())
    group = chosen_group(request, groups)
    rows = [row for row in every_row if group is None or row.group.pk == group.pk]
    field = (
        criterion
        if criterion.parent_id is None
        else Criterion.objects.get(period=period, code=criterion.field_code)
    )
    return render(
        request,
        "ranking/reports/analysis/loss_detail.html",
        {
            "period": period,
            "page": "detail",
            "here": criterion.code,
            "links": page_links(request, period),
            "criterion": criterion,
            "field": field,
            "groups": groups,
            "group": group,
            "rows": rows,
            "summary": analysis.loss_summary(rows),
        },
    )


@login_required
@require_GET
def reviewer_consistency(request: HttpRequest, code: str) -> HttpResponse:
    period = report_page(request, code, "ranking.view_reviewer_consistency")
    rows = analysis.reviewer_consistency(period=period)
    chart = {
        "labels": [str(row.reviewer) for row in rows],
        "values": [None if row.average_change is None else f"{row.average_change:.2f}" for row in rows],
        "label": _("Average change per adjustment (points)"),
    }
    return render(
        request,
        "ranking/reports/analysis/reviewer_consistency.html",
        {
            "period": period,
            "page": "consistency",
            "here": _("Reviewer consistency"),
            "links": page_links(request, period),
            "rows": rows,
            "chart": chart,
        },
    )


@login_required
@require_GET
def self_accuracy(request: HttpRequest, code: str) -> HttpResponse:
    period = report_page(request, code)
    rows = analysis.self_accuracy(period=period)
    distribution = analysis.accuracy_distribution(period=period, rows=rows)
    blocks = [
        {"distribution": d, "rows": [row for row in rows if row.group.pk == d.group.pk]} for d in distribution
    ]
    chart = {
        "labels": list(analysis.GAP_BIN_LABELS),
        "datasets": [{"label": d.group.name, "data": d.histogram} for d in distribution],
        "x_title": _("Self-assessed total − final total (points)"),
        "y_title": _("Agencies"),
    }
    return render(
        request,
        "ranking/reports/analysis/self_accuracy.html",
        {
            "period": period,
            "page": "accuracy",
            "here": _("Self-assessment accuracy"),
            "links": page_links(request, period),
            "blocks": blocks,
            "chart": chart,
        },
    )
