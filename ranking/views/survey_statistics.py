"""The survey's statistics for the council and administrators (`ranking.view_survey`): responses
against the quotas, how each question was answered (with a chart), and every answer as Excel.

Read-only pages: nothing here changes the survey.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ranking.reports.exports.survey_answers import survey_answers_xlsx
from ranking.surveys.statistics import raw_answers, survey_statistics
from ranking.views.common import allow, period_or_404
from ranking.views.council import period_actions

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def survey_statistics_view(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    allow(request, "ranking.view_survey", period)
    statistics = survey_statistics(period=period)
    return render(
        request,
        "ranking/council/survey_statistics.html",
        {
            "period": period,
            "here": _("Survey statistics"),
            "statistics": statistics,
            "chart": statistics.chart(),
            "actions": period_actions(request, period),
        },
    )


@login_required
@require_GET
def survey_answers_xlsx_view(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    allow(request, "ranking.view_survey", period)
    response = HttpResponse(survey_answers_xlsx(raw_answers(period=period)), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"tra-loi-khao-sat-{period.code}.xlsx")
    return response
