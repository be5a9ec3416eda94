"""The council's survey pages: progress against the quotas, invitations with their links and
QR codes to print, and the points computed from the answers.

GET pages check the permission here; POSTs go through the survey's services, which check
permission and phase themselves.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Agency
from ranking.errors import ServiceError
from ranking.models import Period, RespondentGroup, SurveyInvitation
from ranking.surveys.qr import qr_png, qr_svg, qr_svg_data_uri, qr_zip
from ranking.surveys.selectors import invitations_of, survey_agencies, survey_progress
from ranking.surveys.services import invitations_issue, survey_points_compute
from ranking.views.common import allow, period_or_404, whole_number
from ranking.views.council import council_step, period_actions, refused


def survey_link(request: HttpRequest, invitation: SurveyInvitation) -> str:
    return request.build_absolute_uri(reverse("survey_form", args=[invitation.token]))


@login_required
@require_GET
def survey_progress_view(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    allow(request, "ranking.view_survey", period)
    progress = survey_progress(period=period)
    return render(
        request,
        "ranking/council/surveys.html",
        {
            "period": period,
            "progress": progress,
            "can_manage": request.user.has_perm("ranking.manage_survey", period),
            "can_compute": request.user.has_perm("ranking.finalize_period", period),
            "actions": period_actions(request, period),
        },
    )


@login_required
@require_POST
def survey_invitations_issue_view(request: HttpRequest, code: str) -> HttpResponse:
    """Issue invitations up to the quota, for every agency and group or for one of each."""
    period = period_or_404(code)
    allow(request, "ranking.manage_survey", period)
    groups = RespondentGroup.objects.filter(period=period)
    if request.POST.get("group"):
        groups = groups.filter(pk=whole_number(request.POST["group"]) or 0)
    agencies = survey_agencies(period=period)
    if request.POST.get("agency"):
        agency_id = whole_number(request.POST["agency"])
        agencies = [a for a in agencies if a.pk == agency_id]
    try:
        with transaction.atomic():
            issued = sum(
                sum(
                    invitations_issue(
                        user=request.user, period=period, group=group, agencies=agencies
                    ).values()
                )
                for group in groups
            )
    except ServiceError as error:
        refused(request, error)
    else:
        if issued:
            messages.success(
                request,
                ngettext("%(count)d invitation issued.", "%(count)d invitations issued.", issued)
                % {"count": issued},
            )
        else:
            messages.info(request, _("Every quota is already covered by invitations: none was issued."))
    return redirect("survey_progress", code=period.code)


@login_required
@require_POST
def survey_points_compute_view(request: HttpRequest, code: str) -> HttpResponse:
    period = period_or_404(code)
    summary = council_step(
        request,
        lambda: survey_points_compute(user=request.user, period=period),
        lambda summary: ngettext(
            "Survey points written: %(count)d score changed, %(same)d unchanged.",
            "Survey points written: %(count)d scores changed, %(same)d unchanged.",
            len(summary.written),
        )
        % {"count": len(summary.written), "same": summary.unchanged},
    )
    if summary is not None and summary.without_answers:
        messages.info(
            request,
            _("Left as they were, without any answer: %(list)s.")
            % {"list": "; ".join(f"{name} ({leaf})" for name, leaf in summary.without_answers)},
        )
    return redirect("survey_progress", code=period.code)


def agency_of(period: Period, agency_code: str) -> Agency:
    agency = get_object_or_404(Agency, code=agency_code)
    if agency not in survey_agencies(period=period):
        raise Http404(_("This agency is not assessed in this period."))
    return agency


@login_required
@require_GET
def survey_links_view(request: HttpRequest, code: str, agency_code: str) -> HttpResponse:
    """An agency's invitations to print: each link with its QR code."""
    period = period_or_404(code)
    allow(request, "ranking.view_survey", period)
    agency = agency_of(period, agency_code)
    invitations = [
        {
            "invitation": invitation,
            "url": (url := survey_link(request, invitation)),
            "qr": qr_svg_data_uri(url),
        }
        for invitation in invitations_of(period=period, agency=agency)
    ]
    return render(
        request,
        "ranking/council/survey_links.html",
        {"period": period, "agency": agency, "invitations": invitations},
    )


def attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def file_stem(invitation: SurveyInvitation) -> str:
    return f"{invitation.agency.code}-{invitation.group.code}-{invitation.pk}"


@login_required
@require_GET
def survey_qr_view(request: HttpRequest, code: str, token: str, fmt: str) -> HttpResponse:
    period = period_or_404(code)
    allow(request, "ranking.view_survey", period)
    invitation = get_object_or_404(
        SurveyInvitation.objects.select_related("agency", "group"), period=period, token=token
    )
    url = survey_link(request, invitation)
    if fmt == "svg":
        return attachment(qr_svg(url), "image/svg+xml", f"{file_stem(invitation)}.svg")
    return attachment(qr_png(url), "image/png", f"{file_stem(invitation)}.png")


@login_required
@require_GET
def survey_qr_zip_view(request: HttpRequest, code: str, agency_code: str) -> HttpResponse:
    """Every invitation of an agency not yet answered, as PNG and SVG, in one zip."""
    period = period_or_404(code)
    allow(request, "ranking.view_survey", period)
    agency = agency_of(period, agency_code)
    links = [
        (file_stem(invitation), survey_link(request, invitation))
        for invitation in invitations_of(period=period, agency=agency)
        if invitation.used_on is None
    ]
    return attachment(qr_zip(links), "application/zip", f"khao-sat-{period.code}-{agency.code}.zip")
