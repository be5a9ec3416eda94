"""The conference workbook of a period (openpyxl), laid out like the official annex.

Its sheet names and header texts are a public contract (WORKBOOK.md): they are written in
Vietnamese, literally, whatever the active language, so that scripts reading the file keep
working.
"""

import re
from collections.abc import Sequence
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import AgencyGroup

from .enums import Subject
from .models import AwardEntry, Criterion, Period, Result
from .selectors import award_list, period_fields, period_results, tier_counts

# The issuing authority printed top left; another city overrides it in its settings.
DEFAULT_ISSUER = ("UBND THÀNH PHỐ ĐÀ NẴNG", "SỞ NỘI VỤ")

SUBJECT_TITLES = {
    Subject.CCHC: "CHỈ SỐ CẢI CÁCH HÀNH CHÍNH",
    Subject.VTLT: "CÔNG TÁC VĂN THƯ – LƯU TRỮ",
}

SUMMARY_SHEET = "Tổng hợp"
AWARDS_SHEET = "Khen thưởng"
TITLE_AWARDS_PROPOSED = "DANH SÁCH ĐỀ NGHỊ TẶNG BẰNG KHEN"
TITLE_AWARDS_APPROVED = "DANH SÁCH TẶNG BẰNG KHEN"

SCORE_FORMAT = "#,##0.00"
INTEGER_FORMAT = "0"
# Positive: moved up, negative: moved down (Excel shows the absolute value after the
# arrow), zero: held its place.
CHANGE_FORMAT = '"▲"0;"▼"0;"="'

# Rows 1–5 hold the title block; the table's header row follows a blank row.
HEADER_ROW = 7

# Excel refuses these in a sheet name and cuts names at 31 characters.
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31

FONT_NAME = "Times New Roman"
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill(fill_type="solid", start_color="DDEBF7", end_color="DDEBF7")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")


def conference_workbook(*, period: Period) -> Workbook:
    """The conference workbook: one sheet per group, then `Tổng hợp` and `Khen thưởng`.

    Seven queries, however many agencies the period has.
    """
    results = period_results(period=period)
    fields = period_fields(period=period)
    counts = tier_counts(period=period)
    awards = award_list(period=period)
    # Only an empty period has no counted group; its summary still shows the tier columns.
    labels = list(counts[0][1]) if counts else [t.label for t in period.tiers.order_by("order")]

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken = {SUMMARY_SHEET.casefold(), AWARDS_SHEET.casefold()}

    by_group: dict[int, list[Result]] = {}
    for result in results:
        by_group.setdefault(result.group_id, []).append(result)
    for group_results in by_group.values():
        group = group_results[0].group
        title = sheet_title(group.name, taken=taken, fallback=group.code)
        _group_sheet(
            workbook.create_sheet(title),
            period=period,
            group_name=group.name,
            fields=fields,
            results=group_results,
        )

    _summary_sheet(workbook.create_sheet(SUMMARY_SHEET), period=period, labels=labels, counts=counts)
    _awards_sheet(workbook.create_sheet(AWARDS_SHEET), period=period, entries=awards)
    return workbook


def conference_workbook_bytes(*, period: Period) -> bytes:
    """The conference workbook as the bytes of an .xlsx file."""
    buffer = BytesIO()
    conference_workbook(period=period).save(buffer)
    return buffer.getvalue()


def sheet_title(name: str, *, taken: set[str], fallback: str = "Khối") -> str:
    """A sheet name Excel accepts, unique among `taken` (casefolded; the new name is added).

    `name` without the characters Excel forbids, cut to 31 characters; `fallback` when
    nothing of it is left.
    """
    base = _clean_sheet_name(name) or _clean_sheet_name(fallback) or "Khối"
    title, copy = base, 2
    # Excel compares sheet names without regard to case.
    while title.casefold() in taken:
        suffix = f" ({copy})"
        title = _trim_sheet_name(base[: SHEET_NAME_MAX - len(suffix)]) + suffix
        copy += 1
    taken.add(title.casefold())
    return title


def _clean_sheet_name(name: str) -> str:
    return _trim_sheet_name(SHEET_NAME_FORBIDDEN.sub("", name)[:SHEET_NAME_MAX])


def _trim_sheet_name(name: str) -> str:
    # Excel also refuses a name that starts or ends with an apostrophe.
    return name.strip().strip("'").strip()


def _subject_title(period: Period) -> str:
    return SUBJECT_TITLES[Subject(period.subject)]


def _group_sheet(
    ws: Worksheet, *, period: Period, group_name: str, fields: Sequence[Criterion], results: Sequence[Result]
) -> None:
    columns = [
        ("Xếp hạng", 8),
        ("Mã đơn vị", 12),
        ("Tên đơn vị", 42),
        *((field.code, 9) for field in fields),
        ("Tổng điểm", 10),
        ("Điểm tối đa", 10),
        ("Chỉ số (%)", 10),
        ("Xếp loại", 13),
        ("Xếp hạng năm trước", 11),
        ("Thay đổi", 9),
    ]
    _title_block(
        ws,
        width=len(columns),
        title=f"KẾT QUẢ XẾP HẠNG {_subject_title(period)} NĂM {period.year}",
        subtitle=group_name,
    )
    _header(ws, columns)
    for row, result in enumerate(results, start=HEADER_ROW + 1):
        scores = [result.field_scores.get(field.code) for field in fields]
        values = [
            (result.rank, INTEGER_FORMAT, CENTER),
            (result.agency.code, None, CENTER),
            (result.agency.name, None, LEFT),
            # A field with no leaf for this group has no score: the cell stays empty, not 0.
            *((_decimal(score), SCORE_FORMAT, RIGHT) for score in scores),
            (result.total, SCORE_FORMAT, RIGHT),
            (result.maximum, SCORE_FORMAT, RIGHT),
            # The exact index is stored; tiers were decided on it, the sheet shows 2 decimals.
            (result.index, SCORE_FORMAT, RIGHT),
            (result.tier.label, None, CENTER),
            (result.previous_rank, INTEGER_FORMAT, CENTER),
            (result.change, CHANGE_FORMAT, CENTER),
        ]
        _row(ws, row, values)
    _print_setup(ws, width=len(columns), freeze="D")


def _summary_sheet(
    ws: Worksheet,
    *,
    period: Period,
    labels: Sequence[str],
    counts: Sequence[tuple[AgencyGroup, dict[str, int]]],
) -> None:
    columns = [("Khối", 40), *((label, 12) for label in labels), ("Tổng", 10)]
    _title_block(
        ws,
        width=len(columns),
        title=f"TỔNG HỢP KẾT QUẢ XẾP LOẠI {_subject_title(period)} NĂM {period.year}",
        subtitle="Số đơn vị theo xếp loại của từng khối",
    )
    _header(ws, columns)
    row = HEADER_ROW
    for row, (group, per_tier) in enumerate(counts, start=HEADER_ROW + 1):
        numbers = [per_tier[label] for label in labels]
        _row(ws, row, [(group.name, None, LEFT), *_integers([*numbers, sum(numbers)])])
    totals = [sum(per_tier[label] for _, per_tier in counts) for label in labels]
    _row(ws, row + 1, [("Tổng cộng", None, LEFT), *_integers([*totals, sum(totals)])], bold=True)
    _print_setup(ws, width=len(columns), freeze="B")


def _awards_sheet(ws: Worksheet, *, period: Period, entries: Sequence[AwardEntry]) -> None:
    columns = [
        ("STT", 6),
        ("Mã đơn vị", 12),
        ("Tên đơn vị", 42),
        ("Khối", 30),
        ("Chỉ số (%)", 11),
        ("Xếp loại", 13),
    ]
    _title_block(
        ws,
        width=len(columns),
        title=TITLE_AWARDS_APPROVED if period.awards_approved_at else TITLE_AWARDS_PROPOSED,
        subtitle=f"Kết quả xếp hạng {_subject_title(period).lower()} năm {period.year}",
    )
    _header(ws, columns)
    for number, entry in enumerate(entries, start=1):
        result = entry.result
        _row(
            ws,
            HEADER_ROW + number,
            [
                (number, INTEGER_FORMAT, CENTER),
                (entry.agency.code, None, CENTER),
                (entry.agency.name, None, LEFT),
                (entry.group.name, None, LEFT),
                (result.index if result else None, SCORE_FORMAT, RIGHT),
                (result.tier.label if result else None, None, CENTER),
            ],
        )
    _print_setup(ws, width=len(columns), freeze="D")


def _decimal(value: str | None) -> Decimal | None:
    # Field scores are kept as decimal strings in JSON; Excel needs numbers.
    return None if value is None else Decimal(value)


def _integers(values: Sequence[int]) -> list[tuple[int, str, Alignment]]:
    return [(value, INTEGER_FORMAT, CENTER) for value in values]


def _font(*, bold: bool = False, size: int = 12, italic: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic)


def _title_block(ws: Worksheet, *, width: int, title: str, subtitle: str) -> None:
    issuer = getattr(settings, "CONFERENCE_ISSUER", DEFAULT_ISSUER)
    last = get_column_letter(width)
    issuer_last = get_column_letter(min(width, 3))
    for row, (text, bold) in enumerate(zip(issuer, (False, True), strict=False), start=1):
        ws.cell(row=row, column=1, value=text).font = _font(bold=bold)
        ws.cell(row=row, column=1).alignment = CENTER
        ws.merge_cells(f"A{row}:{issuer_last}{row}")
    for row, text, font in ((4, title, _font(bold=True, size=14)), (5, subtitle, _font(bold=True))):
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = font
        cell.alignment = CENTER
        ws.merge_cells(f"A{row}:{last}{row}")
        ws.row_dimensions[row].height = 21


def _header(ws: Worksheet, columns: Sequence[tuple[str, float]]) -> None:
    for column, (text, width) in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=column, value=text)
        cell.font = _font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = CENTER
        cell.border = BORDER
        ws.column_dimensions[get_column_letter(column)].width = width
    # Room for two lines of wrapped header text ("Xếp hạng năm trước").
    ws.row_dimensions[HEADER_ROW].height = 36


def _row(
    ws: Worksheet, row: int, values: Sequence[tuple[Any, str | None, Alignment]], *, bold: bool = False
) -> None:
    for column, (value, number_format, alignment) in enumerate(values, start=1):
        cell = ws.cell(row=row, column=column, value=value)
        cell.font = _font(bold=bold)
        cell.alignment = alignment
        cell.border = BORDER
        if number_format:
            cell.number_format = number_format


def _print_setup(ws: Worksheet, *, width: int, freeze: str) -> None:
    """Landscape A4, one page wide, the header row repeated on every page."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    # 0: as many pages down as the rows need.
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{get_column_letter(width)}{max(ws.max_row, HEADER_ROW)}"
    ws.oddFooter.center.text = "Trang &P / &N"
    ws.oddFooter.center.font = FONT_NAME
    ws.freeze_panes = f"{freeze}{HEADER_ROW + 1}"
