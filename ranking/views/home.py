"""The home page: each role lands on what it has to do now."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Role
from ranking.assessments.selectors import agency_assessments, reviewer_counts
from ranking.enums import STATUS_ORDER
from ranking.periods.selectors import periods_progress, setup_tasks, unpublished_periods
from ranking.reports.agency import report_period_ids
from ranking.results import publications
from ranking.rules import AgencyInPeriod
from ranking.workbook.template import template_workbook_bytes


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict = {"statuses": status_columns(), "view": user.role}
    if user.role in (Role.OFFICER, Role.HEAD) and user.agency_id:
        context["view"] = "agency"
        context["agency_assessments"] = agency_assessments(agency=user.agency)
        context["agency_results"] = own_standings(user)
    elif user.role == Role.REVIEWER:
        context["reviewer_counts"] = [
            (period, list(zip(context["statuses"], counts, strict=True)), sum(counts))
            for period, counts in reviewer_counts(user=user, periods=unpublished_periods())
        ]
    elif user.role in (Role.COUNCIL, Role.ADMIN):
        periods = unpublished_periods()
        context["progress"] = periods_progress(periods=periods)
        if user.role == Role.ADMIN:
            context["tasks"] = setup_tasks(periods=periods)
    else:
        context["view"] = "viewer"
        context["published"] = publications.public_periods()
    return render(request, "ranking/home.html", context)


def own_standings(user) -> list[tuple[publications.Standing, bool]]:
    """The agency's published results, each with whether the user may open its report there."""
    standings = publications.agency_standings(agency=user.agency)
    with_report = report_period_ids(agency=user.agency, periods=[s.period for s in standings])
    return [
        (
            standing,
            standing.period.pk in with_report
            and user.has_perm("ranking.view_agency_report", AgencyInPeriod(standing.period, user.agency)),
        )
        for standing in standings
    ]


def status_columns() -> list[tuple[str, str]]:
    """(value, label) of every status, in the order the year goes through them."""
    return [(status.value, status.label) for status in STATUS_ORDER]


@require_GET
@staff_member_required
def workbook_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        template_workbook_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="mau-so-lieu-danh-gia.xlsx"'
    return response
