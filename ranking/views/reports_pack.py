"""The conference pack of a period: its reports index, the year-over-year comparison, the
workbook with a choice of sheets and columns, and the printable certificate-of-merit list.

Everything here reads; every page checks `ranking.view_reports` on the period.
"""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Agency, AgencyGroup
from ranking.models import Assessment, Period, Result
from ranking.reports import comparison
from ranking.reports.exports import conference, pack
from ranking.results.publications import shown_results
from ranking.views.common import allow, period_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORTS = "ranking.view_reports"
CONSISTENCY = "ranking.view_reviewer_consistency"


# --- the index ------------------------------------------------------------------------------


def period_agencies(*, period: Period) -> list[dict]:
    """The period's agencies per group, for the links to their reports: those ranked by group
    and rank (with rank and tier), then those assessed but without a result. Two queries."""
    groups: list[dict] = []
    by_group: dict[int, dict] = {}

    def add(group: AgencyGroup, agency: Agency, result: Result | None) -> None:
        if group.pk not in by_group:
            by_group[group.pk] = {"group": group, "agencies": []}
            groups.append(by_group[group.pk])
        by_group[group.pk]["agencies"].append({"agency": agency, "result": result})

    results = list(
        Result.objects.filter(period=period)
        .select_related("agency", "group", "tier")
        .order_by("group__order", "group__code", "rank", "agency__code")
    )
    for result in results:
        add(result.group, result.agency, result)
    for assessment in (
        Assessment.objects.filter(period=period)
        .exclude(agency_id__in=[r.agency_id for r in results])
        .select_related("agency__group")
        .order_by("agency__group__order", "agency__group__code", "agency__code")
    ):
        add(assessment.agency.group, assessment.agency, None)
    groups.sort(key=lambda g: (g["group"].order, g["group"].code))
    return groups


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

SHEET_LABELS = {
    pack.SHEET_GROUPS: gettext_lazy("Ranking of each group (one sheet per group)"),
    pack.SHEET_SUMMARY: gettext_lazy("Tier counts per group"),
    pack.SHEET_AWARDS: gettext_lazy("Certificate-of-merit list"),
    pack.SHEET_CHART: gettext_lazy("Chart of the tiers per group"),
    pack.SHEET_DETAILS: gettext_lazy("Self, reviewed and final score of every criterion, per agency"),
    pack.SHEET_YEAR_OVER_YEAR: gettext_lazy("Rank and tier changes since the previous year"),
    pack.SHEET_TIERS_PER_YEAR: gettext_lazy("Tiers per year, with a chart"),
    pack.SHEET_LOSSES: gettext_lazy("Where points were lost, per criterion"),
    pack.SHEET_HEAT_MAP: gettext_lazy("Share of the maximum reached in each field, per agency"),
    pack.SHEET_SELF_ACCURACY: gettext_lazy("Self-assessment accuracy"),
    pack.SHEET_REVIEWERS: gettext_lazy("Reviewer consistency"),
}

GROUP_COLUMN_LABELS = {
    "rank": gettext_lazy("Rank"),
    "code": gettext_lazy("Agency code"),
    "name": gettext_lazy("Agency name"),
    "fields": gettext_lazy("Score of each field"),
    "total": gettext_lazy("Total"),
    "maximum": gettext_lazy("Maximum"),
    "index": gettext_lazy("Index (%)"),
    "tier": gettext_lazy("Tier"),
    "previous_rank": gettext_lazy("Previous rank"),
    "change": gettext_lazy("Change"),
}

DETAIL_COLUMN_LABELS = {
    "group": gettext_lazy("Group"),
    "rank": gettext_lazy("Rank"),
    "code": gettext_lazy("Agency code"),
    "name": gettext_lazy("Agency name"),
    "total": gettext_lazy("Total"),
    "index": gettext_lazy("Index (%)"),
    "tier": gettext_lazy("Tier"),
    "self": gettext_lazy("Self-score of each criterion"),
    "reviewed": gettext_lazy("Reviewed score of each criterion"),
    "final": gettext_lazy("Final score of each criterion"),
}


class PackForm(forms.Form):
    sheets = forms.MultipleChoiceField(
        label=gettext_lazy("Sheets"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": gettext_lazy("Choose at least one sheet.")},
    )
    group_columns = forms.MultipleChoiceField(
        label=gettext_lazy("Columns of the group sheets"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
        choices=[(key, GROUP_COLUMN_LABELS[key]) for key in conference.GROUP_COLUMN_KEYS],
    )
    detail_columns = forms.MultipleChoiceField(
        label=gettext_lazy("Columns of the sheet “Chi tiết”"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
        choices=[(key, DETAIL_COLUMN_LABELS[key]) for key in pack.DETAIL_COLUMN_KEYS],
    )

    def __init__(self, *args, sheet_keys: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheets"].choices = [(key, SHEET_LABELS[key]) for key in sheet_keys]

    def clean(self):
        data = super().clean()
        sheets = data.get("sheets") or []
        if pack.SHEET_GROUPS in sheets and not data.get("group_columns"):
            self.add_error("group_columns", _("Choose at least one column for the group sheets."))
        if pack.SHEET_DETAILS in sheets and not data.get("detail_columns"):
            self.add_error("detail_columns", _("Choose at least one column for the sheet “Chi tiết”."))
        return data


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
