"""The agency's self-assessment as the Excel file its head signs: portrait A4, the official
heading, the criteria table, the totals and the signature block (`SelfAssessmentDocument`).

Every cell is written through `ranking.cells.cell_put` (via the shared styles): text as text.
"""

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from ranking.cells import sheet_title
from ranking.reports.exports.styles import (
    CENTER,
    FONT,
    FONT_BOLD,
    FONT_NAME,
    FONT_TITLE,
    LEFT,
    RIGHT,
    SCORE_FORMAT,
    cell_styles,
    header_cell,
    styled_cell,
    table_cells,
)
from ranking.reports.self_assessment import (
    COLUMNS,
    INDEX,
    MAXIMUM,
    MOTTO,
    SIGNER,
    SIGNER_HINT,
    TOTAL,
    SelfAssessmentDocument,
)

# Code, content, maximum, self-score, note: one A4 page wide, portrait.
WIDTHS = (8, 50, 10, 11, 20)
# The heading's left block (the agency) spans A–B, the motto and the signature C–E.
LEFT_BLOCK = (1, 2)
RIGHT_BLOCK = (3, 5)
HEADER_ROW = 7
# Rows left blank under the signature block for the signature and the seal.
SIGNATURE_SPACE = 4

FONT_ITALIC = Font(name=FONT_NAME, size=12, italic=True)
# A heading of the criteria tree is bold, and indented by its depth in the table.
INDENTED = {
    depth: Alignment(horizontal="left", vertical="center", wrap_text=True, indent=depth) for depth in range(4)
}


def self_assessment_workbook(document: SelfAssessmentDocument) -> Workbook:
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet_title(document.assessment.agency.code, taken=set(), fallback="Tự đánh giá")
    for column, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    heading(ws, document)
    ws.append([header_cell(ws, text) for text in COLUMNS])
    ws.row_dimensions[HEADER_ROW].height = 32
    for line in document.lines:
        alignment = INDENTED.get(line.depth, LEFT)
        ws.append(
            table_cells(
                ws,
                [
                    (line.code, None, CENTER),
                    (line.title, None, alignment),
                    (line.maximum, SCORE_FORMAT, RIGHT),
                    (line.self_score, SCORE_FORMAT, RIGHT),
                    (line.note, None, LEFT),
                ],
                bold=not line.is_leaf,
            )
        )
    for label, value in ((TOTAL, document.total), (MAXIMUM, document.maximum), (INDEX, document.index)):
        ws.append(
            table_cells(
                ws,
                [
                    (label, None, LEFT),
                    (None, None, LEFT),
                    (None, None, LEFT),
                    (value, SCORE_FORMAT, RIGHT),
                    (None, None, LEFT),
                ],
                bold=True,
            )
        )
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=3)
    last_table_row = ws.max_row
    signature(ws, document)
    print_setup(ws, last_table_row=last_table_row)
    return workbook


def _block_row(ws: Worksheet, left: tuple[Any, Font] | None, right: tuple[Any, Font] | None) -> None:
    """A row of the heading or signature: `left` across A–B, `right` across C–E, unbordered."""
    styles = cell_styles(ws)
    cells: list[Any] = [None] * len(WIDTHS)
    for block, part in ((LEFT_BLOCK, left), (RIGHT_BLOCK, right)):
        if part is not None:
            text, font = part
            cells[block[0] - 1] = styled_cell(ws, styles, text, font=font, alignment=CENTER, border=None)
    ws.append(cells)
    row = ws.max_row
    for block, part in ((LEFT_BLOCK, left), (RIGHT_BLOCK, right)):
        if part is not None:
            ws.merge_cells(start_row=row, start_column=block[0], end_row=row, end_column=block[1])


def heading(ws: Worksheet, document: SelfAssessmentDocument) -> None:
    """Rows 1–6: the managing body and the agency beside the motto, the place and date, the title."""
    _block_row(ws, (document.superior, FONT), (MOTTO[0], FONT_BOLD))
    _block_row(ws, (document.agency_name, FONT_BOLD), (MOTTO[1], FONT_BOLD))
    ws.append([])
    _block_row(ws, None, (document.date_line, FONT_ITALIC))
    ws.append([])
    styles = cell_styles(ws)
    ws.append([styled_cell(ws, styles, document.title, font=FONT_TITLE, alignment=CENTER, border=None)])
    ws.merge_cells(start_row=6, start_column=1, end_row=6, end_column=len(WIDTHS))
    ws.row_dimensions[6].height = 40


def signature(ws: Worksheet, document: SelfAssessmentDocument) -> None:
    """The head's signature block on the right, below a blank row."""
    ws.append([])
    _block_row(ws, None, (SIGNER, FONT_BOLD))
    _block_row(ws, None, (SIGNER_HINT, FONT_ITALIC))
    for _ in range(SIGNATURE_SPACE):
        ws.append([])
    if document.signer_name:
        _block_row(ws, None, (document.signer_name, FONT_BOLD))


def print_setup(ws: Worksheet, *, last_table_row: int) -> None:
    """Portrait A4, one page wide, the table's header row repeated on every page."""
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    # The left margin is wider, for binding, as on administrative documents.
    ws.page_margins = PageMargins(left=0.8, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{get_column_letter(len(WIDTHS))}{max(ws.max_row, last_table_row)}"
    ws.oddFooter.center.text = "Trang &P / &N"
    ws.oddFooter.center.font = FONT_NAME
