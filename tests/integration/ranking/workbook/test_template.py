"""The empty year workbook administrators download (/mau-so-lieu.xlsx, ranking/workbook.py)."""

import io

import pytest
from django.utils.translation import override
from openpyxl import load_workbook

from accounts.models import Role
from ranking.workbook.importer import SheetCounts, workbook_import
from ranking.workbook.template import template_workbook_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/mau-so-lieu.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# WORKBOOK.md, "Sheets read by import_workbook", written out literally; Diem ends with the
# optional column of the reviewer's "does not arise" (issue 9, item 6).
HEADERS = {
    "Khoi": ["Mã khối", "Tên khối", "Thứ tự"],
    "DonVi": ["Mã đơn vị", "Tên đơn vị", "Mã khối"],
    "KyDanhGia": [
        "Mã kỳ",
        "Năm",
        "Lĩnh vực",
        "Tên kỳ",
        "Kỳ trước",
        "Khen thưởng từ xếp loại",
        "Khen thưởng tối đa mỗi khối",
        "Quy tắc nộp muộn",
        "Điểm trừ nộp muộn",
    ],
    "XepLoai": ["Mã kỳ", "Thứ tự", "Xếp loại", "Chỉ số tối thiểu"],
    "TieuChi": [
        "Mã kỳ",
        "Mã tiêu chí",
        "Nội dung",
        "Điểm tối đa",
        "Phương thức",
        "Áp dụng cho khối",
        "Cho phép không phát sinh",
        "Yêu cầu kiểm chứng",
        "Hướng dẫn chấm",
        "Lựa chọn",
    ],
    "KhoiTheoKy": ["Mã kỳ", "Mã đơn vị", "Mã khối"],
    "Diem": [
        "Mã kỳ",
        "Mã đơn vị",
        "Mã tiêu chí",
        "Điểm tự đánh giá",
        "Điểm thẩm định",
        "Không phát sinh",
        "Ghi chú",
        "Không phát sinh (thẩm định)",
    ],
    "TinhTrang": ["Mã kỳ", "Mã đơn vị", "Tình trạng", "Lý do", "Nộp muộn", "Lý do nộp muộn"],
    "HaBac": ["Mã kỳ", "Mã đơn vị", "Số bậc hạ", "Lý do"],
    "KetQua": ["Mã kỳ", "Mã đơn vị", "Tổng điểm", "Chỉ số", "Xếp loại", "Xếp hạng"],
    "PhieuKhaoSat": ["Mã kỳ", "Mã đơn vị", "Mã nhóm đối tượng", "Số phiếu", "Mã câu hỏi", "Trả lời"],
}

# The drop-downs: (sheet, header) → the values offered.
DROP_DOWNS = {
    ("KyDanhGia", "Lĩnh vực"): ["CCHC", "VTLT"],
    ("KyDanhGia", "Quy tắc nộp muộn"): ["trừ điểm", "hạ một bậc", "không xếp hạng"],
    ("TieuChi", "Phương thức"): ["number", "choice", "yesno", "deduction", "bonus", "survey"],
    ("TieuChi", "Cho phép không phát sinh"): ["x"],
    ("TieuChi", "Yêu cầu kiểm chứng"): ["x"],
    # The codes written in the sheet Khoi of the same file.
    ("KhoiTheoKy", "Mã khối"): ["Khoi!$A$2:$A$5000"],
    ("Diem", "Không phát sinh"): ["x"],
    ("Diem", "Không phát sinh (thẩm định)"): ["x", "không"],
    ("TinhTrang", "Tình trạng"): ["xếp hạng", "không xếp hạng", "không đánh giá"],
    ("TinhTrang", "Nộp muộn"): ["x"],
}


@pytest.fixture
def book():
    return load_workbook(io.BytesIO(template_workbook_bytes()))


def headers(sheet) -> list[str]:
    return [cell.value for cell in next(sheet.iter_rows(min_row=1, max_row=1))]


# --- the download -----------------------------------------------------------------------------------


def test_staff_downloads_the_template(client):
    client.force_login(UserFactory(username="quantri", role=Role.ADMIN, is_staff=True))
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="mau-so-lieu-danh-gia.xlsx"'
    downloaded = load_workbook(io.BytesIO(response.content))
    assert downloaded.sheetnames == ["HuongDan", *HEADERS]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER, Role.COUNCIL])
def test_non_staff_is_sent_to_the_admin_login(client, role):
    client.force_login(UserFactory(username="nguoidung", role=role, is_staff=False))
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/mau-so-lieu.xlsx"


def test_anonymous_is_sent_to_the_admin_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/mau-so-lieu.xlsx"


# --- the sheets -------------------------------------------------------------------------------------


def test_sheets_in_workbook_order_after_the_instructions(book):
    assert book.sheetnames == [
        "HuongDan",
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


@pytest.mark.parametrize("sheet", list(HEADERS))
def test_headers_are_exactly_those_of_the_contract(book, sheet):
    worksheet = book[sheet]
    assert headers(worksheet) == HEADERS[sheet]
    assert worksheet.max_row == 1  # nothing but the header row
    assert worksheet.freeze_panes == "A2"


def test_instructions_name_every_sheet(book):
    guide = book["HuongDan"]
    first_column = [row[0] for row in guide.iter_rows(values_only=True)]
    assert first_column[0] == "MẪU SỐ LIỆU ĐÁNH GIÁ, XẾP HẠNG CCHC – VTLT"
    assert [value for value in first_column if value in HEADERS] == list(HEADERS)


def test_drop_downs_offer_the_allowed_values(book):
    found = {}
    for sheet in HEADERS:
        worksheet = book[sheet]
        columns = {cell.column_letter: cell.value for cell in worksheet[1]}
        for validation in worksheet.data_validations.dataValidation:
            assert validation.type == "list"
            assert validation.allow_blank
            for cell_range in validation.sqref.ranges:
                assert (cell_range.min_row, cell_range.max_row) == (2, 5000)
                assert cell_range.min_col == cell_range.max_col
                letter = cell_range.coord.split(":")[0].rstrip("0123456789")
                values = validation.formula1.strip('"').split(",")
                found[(sheet, columns[letter])] = values
    assert found == DROP_DOWNS


# --- importing it -----------------------------------------------------------------------------------


def test_the_empty_template_imports_with_nothing_to_do():
    with override("en"):
        report = workbook_import(file=io.BytesIO(template_workbook_bytes()))
    assert report.problems == []
    assert report.sheets == [SheetCounts(sheet=sheet, new=0, updated=0, unchanged=0) for sheet in HEADERS]


def test_the_filled_template_imports(tmp_path, book):
    book["Khoi"].append(["SBN", "Khối sở, ban, ngành", 1])
    book["DonVi"].append(["SNV", "Sở Nội vụ", "SBN"])
    book["KyDanhGia"].append(["CCHC-2025", 2025, "CCHC", "CCHC năm 2025", None, "Rất tốt", None])
    book["XepLoai"].append(["CCHC-2025", 1, "Đạt", 0])
    book["TieuChi"].append(["CCHC-2025", "1", "Chỉ đạo", 10, "yesno", None, None, "x", None, None])
    book["Diem"].append(["CCHC-2025", "SNV", "1", 10, 10, None, None])
    path = tmp_path / "mau-da-dien.xlsx"
    book.save(path)
    with override("en"):
        report = workbook_import(file=str(path))
    assert report.problems == []
    assert [(c.sheet, c.new) for c in report.sheets] == [
        ("Khoi", 1),
        ("DonVi", 1),
        ("KyDanhGia", 1),
        ("XepLoai", 1),
        ("TieuChi", 1),
        ("KhoiTheoKy", 0),
        ("Diem", 1),
        ("TinhTrang", 0),
        ("HaBac", 0),
        ("KetQua", 0),
        ("PhieuKhaoSat", 0),
    ]
