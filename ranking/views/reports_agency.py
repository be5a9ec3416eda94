"""One agency's report for a period: as a page, as a printable A4 view and as an Excel file.

Who may read it: whoever may read the period's reports, and the agency's own people once
the period is published (`ranking.view_agency_report` on `AgencyInPeriod`). An unknown agency,
or one without a result in the period, is not found (404) — asked only of those allowed, so
the answer tells nobody else which agencies have results.
"""

from io import BytesIO

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from accounts.models import Agency
from ranking.reports.agency import AgencyReport, tie_breaker_labels
from ranking.reports.agency import agency_report as build_report
from ranking.reports.exports.agency import agency_workbook
from ranking.rules import AgencyInPeriod
from ranking.views.common import allow, period_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_or_404(request: HttpRequest, code: str, agency_code: str) -> AgencyReport:
    period = period_or_404(code)
    agency = get_object_or_404(Agency, code=agency_code)
    allow(request, "ranking.view_agency_report", AgencyInPeriod(period, agency))
    report = build_report(period=period, agency=agency)
    if report is None:
        raise Http404
    return report


def page_context(request: HttpRequest, report: AgencyReport) -> dict:
    period = report.period
    return {
        "report": report,
        "period": period,
        "agency": report.shown_agency,
        "result": report.shown_result,
        "chart": report.chart_data(),
        "issuer": settings.CONFERENCE_ISSUER,
        "can_view_reports": request.user.has_perm("ranking.view_reports", period),
        "can_view_progress": request.user.has_perm("ranking.view_progress", period),
        "is_public": request.user.has_perm("ranking.view_public_results", period),
        "tie_breakers": tie_breaker_labels(period.tie_breakers),
    }


@login_required
@require_GET
def agency_report(request: HttpRequest, code: str, agency_code: str) -> HttpResponse:
    report = report_or_404(request, code, agency_code)
    return render(request, "ranking/reports/agency/report.html", page_context(request, report))


@login_required
@require_GET
def agency_report_print(request: HttpRequest, code: str, agency_code: str) -> HttpResponse:
    report = report_or_404(request, code, agency_code)
    return render(request, "ranking/reports/agency/print.html", page_context(request, report))


@login_required
@require_GET
def agency_report_xlsx(request: HttpRequest, code: str, agency_code: str) -> HttpResponse:
    report = report_or_404(request, code, agency_code)
    buffer = BytesIO()
    agency_workbook(report).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"bao-cao-{report.period.code}-{report.agency.code}.xlsx"
    )
    return response
