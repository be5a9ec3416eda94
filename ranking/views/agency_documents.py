"""The documents the agency signs: its self-assessment as a printable A4 page and as an Excel file.

Whoever may read the assessment may read its document (`ranking.view_assessment`): the agency's
officer and head before and after submission, its reviewer, the council and administrators.
"""

from io import BytesIO

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from ranking.assessments.display import STATUS_BADGES
from ranking.assessments.sheets import assessment_sheet
from ranking.models import Assessment
from ranking.reports.exports.self_assessment import self_assessment_workbook
from ranking.reports.self_assessment import (
    COLUMNS,
    INDEX,
    MAXIMUM,
    MOTTO,
    SIGNER,
    SIGNER_HINT,
    TOTAL,
    SelfAssessmentDocument,
    self_assessment_document,
)
from ranking.views.common import allow, assessment_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def document_or_403(request: HttpRequest, pk: int) -> tuple[Assessment, SelfAssessmentDocument]:
    assessment = assessment_or_404(pk)
    allow(request, "ranking.view_assessment", assessment)
    return assessment, self_assessment_document(sheet=assessment_sheet(assessment=assessment))


@login_required
@require_GET
def self_assessment_print(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, document = document_or_403(request, pk)
    context = {
        "assessment": assessment,
        "period": assessment.period,
        "status_badge": STATUS_BADGES.get(assessment.status, "text-bg-secondary"),
        "document": document,
        "motto": MOTTO,
        "columns": COLUMNS,
        "totals": [(TOTAL, document.total), (MAXIMUM, document.maximum), (INDEX, document.index)],
        "signer": SIGNER,
        "signer_hint": SIGNER_HINT,
        "issuer": settings.CONFERENCE_ISSUER,
    }
    return render(request, "ranking/agency/self_assessment_print.html", context)


@login_required
@require_GET
def self_assessment_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, document = document_or_403(request, pk)
    buffer = BytesIO()
    self_assessment_workbook(document).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"tu-danh-gia-{assessment.period.code}-{assessment.agency.code}.xlsx"
    )
    return response
