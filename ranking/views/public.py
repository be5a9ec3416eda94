"""Published results for everyone, without signing in: rankings, tiers, awards, the workbook.

Nothing of a period is shown before it is published: those pages answer 404, as if the
period did not exist.
"""

import rules
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from ranking import selectors_overview as overview
from ranking.exports import conference_workbook_bytes
from ranking.models import Period
from ranking.selectors import award_list, period_results, tier_counts

from .common import period_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def published_or_404(code: str) -> Period:
    period = period_or_404(code)
    # Whoever asks (the page needs no sign-in), only published results are shown.
    if not rules.has_perm("ranking.view_public_results", None, period):
        raise Http404
    return period


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    return render(request, "ranking/public/index.html", {"periods": overview.published_periods()})


@require_GET
def public_results(request: HttpRequest, code: str) -> HttpResponse:
    period = published_or_404(code)
    counts = tier_counts(period=period)
    per_group = {group.pk: per_tier for group, per_tier in counts}
    groups: list[dict] = []
    for result in period_results(period=period):
        if not groups or groups[-1]["group"].pk != result.group_id:
            groups.append(
                {
                    "group": result.group,
                    "results": [],
                    "tier_counts": [
                        (label, n) for label, n in per_group.get(result.group_id, {}).items() if n
                    ],
                    "awards": [],
                }
            )
        groups[-1]["results"].append(result)
    awards: list[dict] = []
    for entry in award_list(period=period):
        if not awards or awards[-1]["group"].pk != entry.group.pk:
            awards.append({"group": entry.group, "entries": []})
        awards[-1]["entries"].append(entry)
    return render(
        request,
        "ranking/public/results.html",
        {
            "period": period,
            "groups": groups,
            "awards": awards,
            "chart": tier_chart(counts),
            "can_read_reports": request.user.has_perm("ranking.view_reports", period),
        },
    )


def tier_chart(counts) -> dict:
    """The stacked bar chart of tiers per group, as Chart.js reads it (charts.js adds the colours)."""
    labels = list(counts[0][1]) if counts else []
    return {
        "labels": [group.name for group, _per_tier in counts],
        "datasets": [
            {"label": label, "data": [per_tier[label] for _group, per_tier in counts]} for label in labels
        ],
    }


@require_GET
def public_workbook(request: HttpRequest, code: str) -> HttpResponse:
    period = published_or_404(code)
    response = HttpResponse(conference_workbook_bytes(period=period), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"ket-qua-{period.code}.xlsx")
    return response
