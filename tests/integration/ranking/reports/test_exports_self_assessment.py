"""The self-assessment the agency's head signs, as an Excel file read back cell by cell."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from ranking.assessments.services import assessment_submit, score_self_set
from ranking.assessments.sheets import assessment_sheet
from ranking.enums import Subject
from ranking.models import Assessment
from ranking.numbers import vietnamese_date
from ranking.reports.exports.self_assessment import self_assessment_workbook
from ranking.reports.self_assessment import self_assessment_document
from tests.builders import SelfAssessmentYear

pytestmark = pytest.mark.django_db

SUBMITTED = datetime.datetime(2026, 2, 5, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def year(settings):
    settings.CONFERENCE_ISSUER = ["UBND THÀNH PHỐ ĐÀ NẴNG", "SỞ NỘI VỤ"]
    settings.CONFERENCE_PLACE = "Đà Nẵng"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    fx = SelfAssessmentYear()
    fx.fill_everything()
    score_self_set(
        user=fx.officer_a,
        assessment=fx.assessment,
        criterion_id=fx.yesno.pk,
        value=None,
        not_arising=True,
        note="Năm nay không tổ chức",
    )
    score_self_set(
        user=fx.officer_a,
        assessment=fx.assessment,
        criterion_id=fx.choice.pk,
        value=Decimal("0.5"),
        note="Chậm 1 báo cáo quý",
    )
    return fx


def workbook_rows(fx) -> list[tuple]:
    assessment = Assessment.objects.select_related("period", "agency", "submitted_by").get(
        pk=fx.assessment.pk
    )
    document = self_assessment_document(sheet=assessment_sheet(assessment=assessment))
    buffer = BytesIO()
    self_assessment_workbook(document).save(buffer)
    buffer.seek(0)
    ws = load_workbook(buffer).active
    return ws, [tuple(row) for row in ws.iter_rows(values_only=True)]


def test_the_submitted_document_cell_by_cell(year):
    assessment_submit(user=year.head_a, assessment=year.assessment)
    Assessment.objects.filter(pk=year.assessment.pk).update(submitted_at=SUBMITTED)

    ws, rows = workbook_rows(year)

    assert ws.title == "SNV"
    assert rows[:7] == [
        ("UBND THÀNH PHỐ ĐÀ NẴNG", None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", None, None),
        ("SỞ NỘI VỤ", None, "Độc lập - Tự do - Hạnh phúc", None, None),
        (None, None, None, None, None),
        (None, None, "Đà Nẵng, ngày 05 tháng 02 năm 2026", None, None),
        (None, None, None, None, None),
        ("BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CÔNG TÁC CẢI CÁCH HÀNH CHÍNH NĂM 2026", None, None, None, None),
        ("Mã số", "Nội dung tiêu chí", "Điểm tối đa", "Điểm tự đánh giá", "Ghi chú"),
    ]
    assert rows[7:16] == [
        # A heading shows its nominal maximum; the totals below leave out what did not arise.
        ("1", "Công tác chỉ đạo, điều hành", 4, 2.5, None),
        ("1.1", "Ban hành kế hoạch CCHC năm", 2, 2, None),
        ("1.2", "Báo cáo định kỳ đúng hạn", 1, 0.5, "Chậm 1 báo cáo quý"),
        ("1.3", "Tổ chức hội nghị tập huấn", 1, None, "Không phát sinh; Năm nay không tổ chức"),
        ("2", "Điểm thưởng, điểm trừ và điều tra", 3, 0, None),
        ("2.1", "Chậm báo cáo", 2, None, None),
        ("2.2", "Sáng kiến được công nhận", 1, None, None),
        ("2.3", "Sự hài lòng của người dân", 3, None, None),
        ("Tổng điểm tự đánh giá", None, None, 2.5, None),
    ]
    assert rows[16:18] == [
        ("Tổng điểm tối đa", None, None, 6, None),
        # 2,5 ÷ 6 = 41,666…%: signed with 2 decimals.
        ("Chỉ số (%)", None, None, 41.67, None),
    ]
    assert rows[18:] == [
        (None, None, None, None, None),
        (None, None, "THỦ TRƯỞNG CƠ QUAN", None, None),
        (None, None, "(Ký, ghi rõ họ tên, đóng dấu)", None, None),
        *[(None, None, None, None, None)] * 4,
        (None, None, "Phạm Văn Nam", None, None),
    ]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:B1", "C1:E1", "A2:B2", "C2:E2", "C4:E4", "A6:E6", "A16:C16", "A18:C18", "C20:E20"} <= merged
    assert ws["A6"].font.bold and ws["A6"].font.size == 14
    assert ws["A8"].font.bold and not ws["A9"].font.bold
    assert ws["D9"].number_format == "#,##0.00"
    assert ws.page_setup.orientation == "portrait"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.print_title_rows == "$7:$7"


def test_a_draft_is_dated_today_unsigned_and_titled_by_its_subject(year):
    year.period.subject = Subject.VTLT
    year.period.save()

    _ws, rows = workbook_rows(year)

    assert rows[3][2] == f"Đà Nẵng, {vietnamese_date(timezone.localdate())}"
    assert rows[5][0] == "BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CÔNG TÁC VĂN THƯ, LƯU TRỮ NĂM 2026"
    # No name under the signature before the head has signed the submission.
    assert rows[-1] == (None, None, "(Ký, ghi rõ họ tên, đóng dấu)", None, None)


def test_an_agency_name_that_looks_like_a_formula_stays_text(year):
    year.agency_a.name = '=HYPERLINK("http://x")'
    year.agency_a.save()

    ws, rows = workbook_rows(year)

    assert rows[1][0] == '=HYPERLINK("HTTP://X")'
    assert ws["A2"].data_type == "s"
