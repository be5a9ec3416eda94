"""The empty year workbook administrators download, fill in and import."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ranking.cells import cell_put
from ranking.enums import Method, Subject
from ranking.workbook.resources import ARISES, REVIEWER_NOT_ARISING, SHEET_RESOURCES, sheet_columns
from ranking.workbook.resources.period_groups import GROUP_COLUMN
from ranking.workbook.resources.periods import LATE_RULE_COLUMN, LATE_RULE_WORDS
from ranking.workbook.resources.standings import STANDING_COLUMN, STANDING_WORDS

# Rows the drop-downs cover: far more than a city's year needs.
VALIDATED_ROWS = 5000

# Columns that take fixed values, with the values offered in their drop-down.
CHOICES = {
    "Lĩnh vực": list(Subject.values),
    "Phương thức": list(Method.values),
    "Cho phép không phát sinh": ["x"],
    "Yêu cầu kiểm chứng": ["x"],
    "Không phát sinh": ["x"],
    REVIEWER_NOT_ARISING: ["x", ARISES],
    STANDING_COLUMN: list(STANDING_WORDS),
    "Nộp muộn": ["x"],
    LATE_RULE_COLUMN: [word for word in LATE_RULE_WORDS if word],
}

# Columns whose drop-down lists the codes written in another sheet of the same file, by sheet.
REFERENCES = {
    ("KhoiTheoKy", GROUP_COLUMN): f"Khoi!$A$2:$A${VALIDATED_ROWS}",
}

# The instructions sheet: the contract of WORKBOOK.md in the users' words.
INSTRUCTIONS = [
    ("MẪU SỐ LIỆU ĐÁNH GIÁ, XẾP HẠNG CCHC – VTLT", None),
    ("Mỗi trang tính là một loại dữ liệu; có thể bỏ trống hoặc xóa những trang không dùng.", None),
    ("Giữ nguyên dòng tiêu đề; các cột thêm vào sẽ được bỏ qua. Số thập phân ghi 7,5 hoặc 7.5.", None),
    (
        "Mã được so khớp chính xác (bỏ khoảng trắng đầu, cuối). "
        "Cột có danh sách chọn chỉ nhận giá trị trong danh sách.",
        None,
    ),
    ("Khoi", "Khối: Mã khối, Tên khối, Thứ tự hiển thị (số nguyên)."),
    ("DonVi", "Đơn vị: Mã đơn vị, Tên đơn vị, Mã khối."),
    (
        "KyDanhGia",
        "Kỳ đánh giá: Mã kỳ (vd CCHC-2025), Năm, Lĩnh vực (CCHC hoặc VTLT), Tên kỳ, "
        "Kỳ trước (mã kỳ để so sánh thứ hạng), "
        "Khen thưởng từ xếp loại (xếp loại thấp nhất được đề nghị), Khen thưởng tối đa mỗi khối, "
        "Quy tắc nộp muộn (trừ điểm, hạ một bậc hoặc không xếp hạng; để trống là không áp dụng), "
        "Điểm trừ nộp muộn (bắt buộc khi trừ điểm).",
    ),
    (
        "XepLoai",
        "Xếp loại: Mã kỳ, Thứ tự (1 = cao nhất), Xếp loại, Chỉ số tối thiểu (%; xếp loại cuối ghi 0).",
    ),
    (
        "TieuChi",
        "Tiêu chí: Mã tiêu chí dạng 1, 1.2, 1.2.3 (tiêu chí cha là mã bỏ phần cuối). "
        "Điểm tối đa ghi ở tiêu chí lá; tiêu chí cha có thể để trống. "
        "Phương thức: number, choice, yesno, deduction (điểm tối đa là mức trừ tối đa, ghi số dương), "
        "bonus (không tính vào điểm tối đa), survey. "
        "Áp dụng cho khối: các mã khối cách nhau bằng dấu phẩy, để trống là mọi khối. "
        "Lựa chọn (cho choice): nhãn=điểm; nhãn=điểm.",
    ),
    (
        "KhoiTheoKy",
        "Khối theo kỳ: Mã kỳ, Mã đơn vị, Mã khối (khối của đơn vị trong kỳ đó, chọn trong trang Khoi; "
        "để trống là khối thường của đơn vị ở trang DonVi). Một đơn vị có thể thuộc khối khác nhau "
        "ở kỳ CCHC và kỳ VTLT. Không có trang này thì khối của các đơn vị trong từng kỳ giữ nguyên.",
    ),
    (
        "Diem",
        "Điểm: Mã kỳ, Mã đơn vị, Mã tiêu chí (tiêu chí lá), Điểm tự đánh giá, "
        "Điểm thẩm định (là điểm cuối cùng), Không phát sinh (x), Ghi chú. Điểm trừ ghi số âm (vd -0,5). "
        "Cột tùy chọn Không phát sinh (thẩm định): x nếu chuyên viên thẩm định xác định không phát sinh, "
        "không nếu có phát sinh dù đơn vị ghi x, để trống nếu theo đơn vị; "
        "cột này quyết định điểm cuối cùng.",
    ),
    (
        "TinhTrang",
        "Tình trạng của đơn vị trong kỳ: Mã kỳ, Mã đơn vị, Tình trạng (xếp hạng, không xếp hạng: có chỉ số "
        "và xếp loại nhưng không xếp hạng, không khen thưởng; không đánh giá: không có kết quả; "
        "để trống là xếp hạng), Lý do (bắt buộc khi không xếp hạng hoặc không đánh giá), "
        "Nộp muộn (x), Lý do nộp muộn.",
    ),
    ("HaBac", "Hạ bậc: Mã kỳ, Mã đơn vị, Số bậc hạ (số nguyên ≥ 1), Lý do."),
    ("KetQua", "Kết quả các năm trước: Mã kỳ, Mã đơn vị, Tổng điểm, Chỉ số, Xếp loại, Xếp hạng."),
    (
        "PhieuKhaoSat",
        "Phiếu khảo sát giấy, mỗi dòng một câu trả lời: Mã kỳ, Mã đơn vị, Mã nhóm đối tượng, "
        "Số phiếu (số của tờ phiếu, không trùng trong cùng đơn vị và nhóm; nhập lại cùng số phiếu "
        "không tạo phiếu mới), Mã câu hỏi (câu hỏi dành cho nhóm đó), Trả lời (mã phương án của "
        "thang đo, vd A, B, C, D hoặc 1 đến 5). Số phiếu của mỗi nhóm không vượt quá chỉ tiêu "
        "của nhóm cho đơn vị, tính cả phiếu trả lời trực tuyến.",
    ),
]


def template_workbook() -> Workbook:
    book = Workbook()
    guide = book.active
    guide.title = "HuongDan"
    guide.column_dimensions["A"].width = 14
    guide.column_dimensions["B"].width = 120
    for number, (first, second) in enumerate(INSTRUCTIONS, start=1):
        if second is None:
            cell_put(guide.cell(row=number, column=1), first)
            guide.merge_cells(start_row=number, start_column=1, end_row=number, end_column=2)
        else:
            cell_put(guide.cell(row=number, column=1), first).font = Font(bold=True)
            cell_put(guide.cell(row=number, column=2), second).alignment = Alignment(wrap_text=True)
    guide["A1"].font = Font(bold=True, size=14)

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for resource_class in SHEET_RESOURCES:
        sheet = book.create_sheet(resource_class.sheet)
        for position, column in enumerate(sheet_columns(resource_class), start=1):
            cell = cell_put(sheet.cell(row=1, column=position), column)
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            letter = get_column_letter(position)
            sheet.column_dimensions[letter].width = max(14, len(column) + 4)
            if column in CHOICES:
                validation = DataValidation(
                    type="list",
                    formula1='"' + ",".join(CHOICES[column]) + '"',
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="Giá trị không hợp lệ",
                    error="Chọn một giá trị trong danh sách: " + ", ".join(CHOICES[column]),
                )
                validation.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
                sheet.add_data_validation(validation)
            elif (resource_class.sheet, column) in REFERENCES:
                validation = DataValidation(
                    type="list",
                    formula1=REFERENCES[(resource_class.sheet, column)],
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="Giá trị không hợp lệ",
                    error="Chọn một mã đã ghi trong trang Khoi.",
                )
                validation.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
                sheet.add_data_validation(validation)
        sheet.freeze_panes = "A2"
    return book


def template_workbook_bytes() -> bytes:
    buffer = BytesIO()
    template_workbook().save(buffer)
    return buffer.getvalue()
