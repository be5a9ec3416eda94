"""The conference pack of a period: its reports index, the year-over-year comparison, the
workbook with a choice of sheets and columns, and the printable certificate-of-merit list.

Everything here reads; every page checks `ranking.view_reports` on the period.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ranking.models import Period
from ranking.reports import comparison
from ranking.reports.exports import conference, pack
from ranking.reports.forms import PackForm
from ranking.results.publications import shown_results
from ranking.results.selectors import period_agencies
from ranking.views.common import allow, period_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORTS = "ranking.view_reports"
CONSISTENCY = "ranking.view_reviewer_consistency"


# --- the index ------------------------------------------------------------------------------


@login_required
@require_GET
def reports_index(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    allow(request, REPORTS, period)
    return render(
        request,
        "ranking/reports/pack/index.html",
        {
            "period": period,
            "groups": period_agencies(period=period),
            "may_see_consistency": request.user.has_perm(CONSISTENCY, period),
            "may_see_progress": request.user.has_perm("ranking.view_progress", period),
            "public": request.user.has_perm("ranking.view_public_results", period),
        },
    )


# --- year over year -------------------------------------------------------------------------


@login_required
@require_GET
def year_over_year(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    allow(request, REPORTS, period)
    user = request.user

    def visible(p: Period) -> bool:
        return user.has_perm(REPORTS, p)

    wanted = request.GET.get("with", "").strip()
    if wanted:
        # Movement is always told from the earlier year to this one.
        other = Period.objects.filter(code=wanted, subject=period.subject, year__lt=period.year).first()
        if other is None:
            raise Http404(_("There is no earlier period “%(code)s” of this subject.") % {"code": wanted})
        allow(request, REPORTS, other)
    else:
        other = comparison.default_other(period=period)
        if other is not None and not visible(other):
            other = None
    result = comparison.year_over_year(period=period, other=other, visible=visible)
    choices = [p for p in comparison.comparable_periods(period=period) if visible(p)]
    if other is not None and other not in choices:
        # An earlier period without results may still be asked for: it stays selected.
        choices = sorted([*choices, other], key=lambda p: -p.year)
    return render(
        request,
        "ranking/reports/pack/year_over_year.html",
        {
            "period": period,
            "other": other,
            "comparison": result,
            "choices": choices,
            "distribution": result.distribution,
            "chart": result.distribution.chart(),
            "movers_shown": comparison.MOVERS_SHOWN,
        },
    )


# --- the workbook ---------------------------------------------------------------------------


def pack_sheet_keys(request: HttpRequest, period: Period) -> list[str]:
    """The sheets this user may put in the pack: reviewer consistency is the council's."""
    keys = list(pack.PACK_SHEETS)
    if not request.user.has_perm(CONSISTENCY, period):
        keys.remove(pack.SHEET_REVIEWERS)
    return keys


@login_required
@require_http_methods(["GET", "POST"])
def pack_export(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    allow(request, REPORTS, period)
    keys = pack_sheet_keys(request, period)
    if request.method == "POST":
        form = PackForm(request.POST, sheet_keys=keys)
        if form.is_valid():
            data = form.cleaned_data
            workbook = pack.conference_pack_bytes(
                period=period,
                sheets=data["sheets"],
                columns={
                    pack.SHEET_GROUPS: data["group_columns"],
                    pack.SHEET_DETAILS: data["detail_columns"],
                },
            )
            response = HttpResponse(workbook, content_type=XLSX)
            response["Content-Disposition"] = content_disposition_header(True, f"hoi-nghi-{period.code}.xlsx")
            return response
        status = 422
    else:
        form = PackForm(
            sheet_keys=keys,
            initial={
                "sheets": keys,
                "group_columns": conference.GROUP_COLUMN_KEYS,
                "detail_columns": pack.DETAIL_COLUMN_KEYS,
            },
        )
        status = 200
    return render(
        request,
        "ranking/reports/pack/export.html",
        {"period": period, "form": form, "sheets": _sheet_rows(form)},
        status=status,
    )


def _sheet_rows(form: PackForm) -> list[tuple]:
    """Each sheet's checkbox with the name the sheet has in the workbook."""
    rows = []
    for checkbox in form["sheets"]:
        name = pack.PACK_SHEETS[checkbox.data["value"]] or _("one sheet per group, named after it")
        rows.append((checkbox, name))
    return rows


# --- the printable certificate-of-merit list ------------------------------------------------


@login_required
@require_GET
def award_list_print(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    allow(request, REPORTS, period)
    if period.awards_approved_at is None:
        return render(
            request, "ranking/reports/pack/award_list_unapproved.html", {"period": period}, status=409
        )
    # Both subjects of the year, in subject order, so the printout is the same whichever
    # period it is asked from; the other only once its list is approved and readable.
    periods = [
        p
        for p in Period.objects.filter(year=period.year).order_by("subject")
        if p.pk == period.pk or (p.awards_approved_at is not None and request.user.has_perm(REPORTS, p))
    ]
    issuer = settings.CONFERENCE_ISSUER
    return render(
        request,
        "ranking/reports/pack/award_list_print.html",
        {
            "period": period,
            "issuer": issuer,
            "place": settings.CONFERENCE_PLACE,
            "pages": [
                {
                    "period": p,
                    "subject_title": conference.SUBJECT_TITLES[p.subject].lower(),
                    # A published period's list as it was announced, not as the agencies are named now.
                    "entries": shown_results(period=p).awards,
                }
                for p in periods
            ],
        },
    )
