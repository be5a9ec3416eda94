"""`export_workbook FILE.xlsx`: the year workbook written by a command, read back by `import_workbook`."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from ranking.models import Score
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    CriterionFactory,
    PeriodFactory,
)

pytestmark = pytest.mark.django_db

SHEETS = [
    "Khoi",
    "DonVi",
    "KyDanhGia",
    "XepLoai",
    "TieuChi",
    "KhoiTheoKy",
    "Diem",
    "TinhTrang",
    "HaBac",
    "KetQua",
    "PhieuKhaoSat",
]


@pytest.fixture
def year():
    group = AgencyGroupFactory(code="SO", name="Khối sở, ban, ngành", order=1)
    agency = AgencyFactory(code="STP", name="Sở Tư pháp", group=group)
    period = PeriodFactory(year=2025)
    leaf = CriterionFactory(period=period, code="1", title="Công tác chỉ đạo", max_points=Decimal("4"))
    assessment = AssessmentFactory(period=period, agency=agency)
    Score.objects.create(assessment=assessment, criterion=leaf, self_score=Decimal("3.5"), note="=SUM(A1)")
    return period


def test_the_command_writes_every_sheet_and_the_file_imports_back_unchanged(year, tmp_path):
    path = tmp_path / "nam.xlsx"
    out = StringIO()

    call_command("export_workbook", str(path), stdout=out)

    assert out.getvalue() == f"Đã ghi bảng tính năm vào tệp {path}.\n"
    book = load_workbook(path)
    assert book.sheetnames == SHEETS
    rows = list(book["Diem"].values)
    assert rows[0][:7] == (
        "Mã kỳ",
        "Mã đơn vị",
        "Mã tiêu chí",
        "Điểm tự đánh giá",
        "Điểm thẩm định",
        "Không phát sinh",
        "Ghi chú",
    )
    assert rows[1][:3] == ("CCHC-2025", "STP", "1")
    assert Decimal(str(rows[1][3])) == Decimal("3.5")
    # Text stays text: a note that looks like a formula is not one.
    assert rows[1][6] == "=SUM(A1)"
    assert book["Diem"]["G2"].data_type == "s"

    again = StringIO()
    call_command("import_workbook", str(path), "--no-progress", stdout=again)
    assert "Diem: 0 mới, 0 cập nhật, 1 không đổi" in again.getvalue()


def test_a_file_that_cannot_be_written_is_a_clear_error(year, tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("export_workbook", str(tmp_path / "missing" / "nam.xlsx"), stdout=StringIO())

    assert str(refused.value) == (
        f"Không ghi được tệp {tmp_path / 'missing' / 'nam.xlsx'}: No such file or directory"
    )
