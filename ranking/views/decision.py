"""The council's page of the decision announcing a published version: its number, date and
signer, and the decision with its annexes as Word and PDF (docs/decision.md).

Every view asks `ranking.record_decision` on the period: the council, while it is published.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from ranking.documents.decision import (
    DOCX_CONTENT_TYPE,
    DocumentError,
    active_template,
    decision_docx,
    decision_filename,
    docx_to_pdf,
    pdf_converter,
)
from ranking.documents.services import publication_decision_set
from ranking.errors import ServiceError
from ranking.models import Period, Publication
from ranking.results.publications import latest_publication
from ranking.text import clean_text
from ranking.views.common import allow, period_or_404


class DecisionForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Decision number"),
        max_length=50,
        help_text=gettext_lazy("As written on the decision, e.g. 1898/QĐ-UBND."),
        error_messages={"required": gettext_lazy("Enter the decision number.")},
    )
    date = forms.DateField(
        label=gettext_lazy("Date of the decision"),
        input_formats=["%d/%m/%Y"],
        help_text=gettext_lazy("dd/mm/yyyy"),
        error_messages={
            "required": gettext_lazy("Enter the date of the decision."),
            "invalid": gettext_lazy("Write the date as dd/mm/yyyy, e.g. 01/06/2018."),
        },
    )
    signer_name = forms.CharField(
        label=gettext_lazy("Signed by"),
        max_length=100,
        error_messages={"required": gettext_lazy("Enter the name of the signer.")},
    )
    signer_title = forms.CharField(
        label=gettext_lazy("Title of the signer"),
        max_length=150,
        help_text=gettext_lazy("e.g. Chủ tịch, KT. Chủ tịch – Phó Chủ tịch."),
        error_messages={"required": gettext_lazy("Enter the title of the signer.")},
    )

    def clean(self):
        cleaned = super().clean()
        for name in ("number", "signer_name", "signer_title"):
            if name in cleaned:
                # One line each in the document: a line break or control character is not kept.
                cleaned[name] = " ".join(clean_text(cleaned[name]).split())
        return cleaned


def published_or_404(request: HttpRequest, code: str) -> tuple[Period, Publication]:
    period = period_or_404(code)
    allow(request, "ranking.record_decision", period)
    publication = latest_publication(period=period)
    if publication is None:
        # A past year marked published by the workbook has no frozen version to decide on.
        raise Http404(_("This period has no published version."))
    return period, publication


@login_required
@require_http_methods(["GET", "POST"])
def decision(request: HttpRequest, code: str) -> HttpResponse:
    period, publication = published_or_404(request, code)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                publication_decision_set(
                    user=request.user,
                    period=period,
                    number=data["number"],
                    date=data["date"],
                    signer_name=data["signer_name"],
                    signer_title=data["signer_title"],
                )
            except ServiceError as error:
                for line in error.messages:
                    form.add_error(None, line)
            else:
                messages.success(request, _("The decision is recorded."))
                return redirect("decision", code=period.code)
    else:
        form = DecisionForm(
            initial={
                "number": publication.decision_number,
                "date": publication.decision_date,
                "signer_name": publication.signer_name,
                "signer_title": publication.signer_title,
            }
        )
    return render(
        request,
        "ranking/council/decision.html",
        {
            "period": period,
            "publication": publication,
            "form": form,
            "recorded": bool(publication.decision_number),
            "pdf_available": pdf_converter() is not None,
            "template": active_template(),
            "actions": {"public": request.user.has_perm("ranking.view_public_results", period)},
        },
    )


CONTENT_TYPES = {"docx": DOCX_CONTENT_TYPE, "pdf": "application/pdf"}


def _attachment(content: bytes, publication: Publication, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[extension])
    # Quoted or encoded as the header needs: a period's code is typed by an administrator.
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=decision_filename(publication, extension)
    )
    return response


@login_required
@require_GET
def decision_docx_view(request: HttpRequest, code: str) -> HttpResponse:
    period, publication = published_or_404(request, code)
    try:
        content = decision_docx(publication=publication)
    except DocumentError as error:
        for line in error.messages:
            messages.error(request, line)
        return redirect("decision", code=period.code)
    return _attachment(content, publication, "docx")


@login_required
@require_GET
def decision_pdf_view(request: HttpRequest, code: str) -> HttpResponse:
    period, publication = published_or_404(request, code)
    try:
        content = docx_to_pdf(decision_docx(publication=publication))
    except DocumentError as error:
        for line in error.messages:
            messages.error(request, line)
        return redirect("decision", code=period.code)
    return _attachment(content, publication, "pdf")
