"""The agency's self-assessment as the document its head signs: the official heading, the
criteria table with the self-scores, the totals and the signature block.

One description of the document serves the printable page and the Excel file alike. Like the
conference workbook and the certificate-of-merit list, an official document is written in
Vietnamese, literally, whatever the reader's language.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from ranking.assessments.sheets import AssessmentSheet
from ranking.enums import Subject
from ranking.models import Assessment
from ranking.numbers import index_shown, vietnamese_date

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
SUBJECT_WORK = {
    Subject.CCHC: "CÔNG TÁC CẢI CÁCH HÀNH CHÍNH",
    Subject.VTLT: "CÔNG TÁC VĂN THƯ, LƯU TRỮ",
}
COLUMNS = ("Mã số", "Nội dung tiêu chí", "Điểm tối đa", "Điểm tự đánh giá", "Ghi chú")
NOT_ARISING = "Không phát sinh"
TOTAL = "Tổng điểm tự đánh giá"
MAXIMUM = "Tổng điểm tối đa"
INDEX = "Chỉ số (%)"
SIGNER = "THỦ TRƯỞNG CƠ QUAN"
SIGNER_HINT = "(Ký, ghi rõ họ tên, đóng dấu)"


@dataclass(frozen=True)
class DocumentLine:
    """One node of the criteria tree: a heading carries its subtotal, a leaf its self-score."""

    code: str
    title: str
    maximum: Decimal
    self_score: Decimal | None
    note: str
    is_leaf: bool
    depth: int


@dataclass(frozen=True)
class SelfAssessmentDocument:
    assessment: Assessment
    superior: str
    agency_name: str
    place: str
    date: datetime.date
    title: str
    lines: list[DocumentLine]
    total: Decimal
    maximum: Decimal
    index: Decimal
    signer_name: str

    @property
    def date_line(self) -> str:
        return f"{self.place}, {vietnamese_date(self.date)}"


def document_title(assessment: Assessment) -> str:
    period = assessment.period
    return f"BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM {SUBJECT_WORK[Subject(period.subject)]} NĂM {period.year}"


def self_assessment_document(*, sheet: AssessmentSheet) -> SelfAssessmentDocument:
    """The signed document of `sheet`'s assessment, dated on its submission (today before it)."""
    assessment = sheet.assessment
    lines = []
    for row in sheet.rows:
        criterion, score = row.criterion, row.score
        if row.is_leaf:
            not_arising = score is not None and score.not_arising
            note = score.note.strip() if score is not None else ""
            lines.append(
                DocumentLine(
                    code=criterion.code,
                    title=criterion.title,
                    maximum=criterion.max_points,
                    self_score=None if score is None or not_arising else score.self_score,
                    note="; ".join(part for part in (NOT_ARISING if not_arising else "", note) if part),
                    is_leaf=True,
                    depth=row.depth,
                )
            )
        else:
            lines.append(
                DocumentLine(
                    code=criterion.code,
                    title=criterion.title,
                    maximum=row.max_points,
                    self_score=row.self_subtotal,
                    note="",
                    is_leaf=False,
                    depth=row.depth,
                )
            )
    submitted = assessment.submitted_at
    signer = assessment.submitted_by if submitted else None
    # The managing body heads the document above the agency, as on every administrative
    # document of the city's agencies: the city's People's Committee.
    superior = settings.CONFERENCE_ISSUER[0] if settings.CONFERENCE_ISSUER else ""
    return SelfAssessmentDocument(
        assessment=assessment,
        superior=superior.upper(),
        agency_name=assessment.agency.name.upper(),
        place=settings.CONFERENCE_PLACE,
        date=timezone.localdate(submitted) if submitted else timezone.localdate(),
        title=document_title(assessment),
        lines=lines,
        total=sheet.self_totals.total,
        maximum=sheet.self_totals.maximum,
        # The index as the agency signs it, with 2 decimals, like every published index.
        index=index_shown(sheet.self_totals.index),
        signer_name=signer.get_full_name() if signer else "",
    )
