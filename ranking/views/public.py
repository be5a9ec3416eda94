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
from ranking.results.publications import component_indices
from ranking.views.common import period_or_404
from ranking.views.grouping import decimal_mark, group_pages, result_rows

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
    codes = [f.code for f in results.fields]
    groups = results.by_group(codes)
    pages = group_pages(
        request, [r.group for r in results.results] + [row.group for row in results.excluded]
    )
    awards = results.awards_by_group()
    mark = decimal_mark()
    tables = [
        (entry, result_rows(entry.results, mark, indices=lambda r: component_indices(r, codes)))
        for entry in groups
        if pages is None or pages.shown in (None, entry.group.pk)
    ]
    return render(
        request,
        "ranking/public/results.html",
        {
            "period": public.period,
            "public": public,
            "fields": results.fields,
            "groups": groups,
            "tables": tables,
            "pages": pages,
            "excluded": pages.keep(results.excluded, lambda row: row.group.pk) if pages else results.excluded,
            "awards": pages.keep(awards, lambda block: block["group"].pk) if pages else awards,
            "any_awards": bool(awards),
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
