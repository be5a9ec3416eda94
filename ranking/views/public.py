"""Published results for everyone, without signing in: rankings, tiers, awards, the workbook.

Every page shows a publication exactly as it was announced (`ranking.results.publications`): the
last version by default — also while the period is reopened for a correction, with a notice,
until the next version is published — and every earlier version at its own address. Nothing
of a period is shown before its first publication: those pages answer 404, as if the period
did not exist.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from ranking.reports.exports.conference import conference_workbook_bytes
from ranking.results import publications
from ranking.views.common import period_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def public_or_404(code: str, version: int | None = None) -> publications.PublicResults:
    # Whoever asks (the page needs no sign-in), only published results are shown.
    public = publications.public_results(period=period_or_404(code), version=version)
    if public is None:
        raise Http404
    return public


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    return render(request, "ranking/public/index.html", {"periods": publications.public_periods()})


@require_GET
def public_results(request: HttpRequest, code: str, version: int | None = None) -> HttpResponse:
    public = public_or_404(code, version)
    results = public.results
    return render(
        request,
        "ranking/public/results.html",
        {
            "period": public.period,
            "public": public,
            "fields": results.fields,
            "groups": results.by_group([f.code for f in results.fields]),
            "awards": results.awards_by_group(),
            "chart": publications.tier_chart(results.counts),
            "can_read_reports": request.user.has_perm("ranking.view_reports", public.period),
        },
    )


@require_GET
def public_workbook(request: HttpRequest, code: str, version: int | None = None) -> HttpResponse:
    public = public_or_404(code, version)
    period = public.period
    content = conference_workbook_bytes(period=period, source=public.results)
    name = (
        f"ket-qua-{period.code}.xlsx"
        if version is None
        else f"ket-qua-{period.code}-phien-ban-{version}.xlsx"
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
