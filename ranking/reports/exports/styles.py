"""How every workbook the application writes looks: fonts, borders, number formats, the
issuer's title block, the header row, print setup, and sheet names Excel accepts.

Cells are written through `ranking.cells.cell_put`: text as text, never a formula.
"""

import weakref
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from ranking.cells import cell_put

SCORE_FORMAT = "#,##0.00"
INTEGER_FORMAT = "0"
# Positive: moved up, negative: moved down (Excel shows the absolute value after the
# arrow), zero: held its place.
CHANGE_FORMAT = '"▲"0;"▼"0;"="'

# Rows 1–5 hold the title block; the table's header row follows a blank row.
HEADER_ROW = 7


FONT_NAME = "Times New Roman"
FONT = Font(name=FONT_NAME, size=12)
FONT_BOLD = Font(name=FONT_NAME, size=12, bold=True)
FONT_TITLE = Font(name=FONT_NAME, size=14, bold=True)
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill(fill_type="solid", start_color="DDEBF7", end_color="DDEBF7")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")


# (%), page after page across, the agency's columns repeated on each.
WIDE_SHEET_SCALE = 70


def integers(values: Sequence[int]) -> list[tuple[int, str, Alignment]]:
    return [(value, INTEGER_FORMAT, CENTER) for value in values]


# --- writing cells ------------------------------------------------------------------------
#
# Every sheet is written top to bottom, a row of ready cells at a time (`ws.append`), each
# value through `cell_put`: text as text, never a formula.
#
# openpyxl keeps a cell's style as indices into its workbook's tables of fonts, fills,
# borders, alignments and number formats (a `StyleArray`), and finds an index by hashing the
# object it is given: for a Font, an Alignment or a Border that costs more than the rest of
# the cell. So each kind of cell (font, alignment, border, fill, number format) is looked up
# once per workbook, on a template cell, and every cell of that kind gets a copy of the
# template's indices: the same styles, in the same tables, as setting them cell by cell.
_CELL_STYLES: weakref.WeakKeyDictionary[Workbook, dict[tuple, Any]] = weakref.WeakKeyDictionary()


def cell_styles(ws: Worksheet) -> dict[tuple, Any]:
    """The kinds of cell of `ws`'s workbook found so far, for `cell_style`."""
    return _CELL_STYLES.setdefault(ws.parent, {})


def cell_style(
    ws: Worksheet,
    styles: dict[tuple, Any],
    *,
    font: Font,
    alignment: Alignment,
    border: Border | None = BORDER,
    number_format: str | None = None,
    fill: PatternFill | None = None,
) -> StyleArray:
    """A kind of cell's style in `ws`'s workbook; `styles` is `cell_styles(ws)`."""
    key = (id(font), id(alignment), id(border), number_format, id(fill))
    kind = styles.get(key)
    if kind is None:
        template = Cell(ws)
        template.font = font
        template.alignment = alignment
        if border is not None:
            template.border = border
        if fill is not None:
            template.fill = fill
        if number_format:
            template.number_format = number_format
        # The style objects stay referenced beside their entry, so their ids are not reused.
        kind = styles[key] = (template._style, font, alignment, border, fill)
    return kind[0]


def styled_cell(
    ws: Worksheet,
    styles: dict[tuple, Any],
    value: Any,
    *,
    font: Font,
    alignment: Alignment,
    border: Border | None = BORDER,
    number_format: str | None = None,
    fill: PatternFill | None = None,
) -> Cell:
    """A styled cell of `ws`, to append; `styles` is `cell_styles(ws)`."""
    style = cell_style(
        ws, styles, font=font, alignment=alignment, border=border, number_format=number_format, fill=fill
    )
    return cell_put(Cell(ws, style_array=style), value)


def title_block(ws: Worksheet, *, width: int, title: str, subtitle: str) -> None:
    """Rows 1–6 of an empty sheet: the issuer (rows 1–3), the title, the subtitle, a blank row."""
    issuer = settings.CONFERENCE_ISSUER
    last = get_column_letter(width)
    issuer_last = get_column_letter(min(width, 3))
    styles = cell_styles(ws)
    lines = list(zip(issuer, (FONT, FONT_BOLD), strict=False))
    for row in (1, 2, 3):
        if row > len(lines):
            ws.append([])
            continue
        text, font = lines[row - 1]
        ws.append([styled_cell(ws, styles, text, font=font, alignment=CENTER, border=None)])
        if issuer_last != "A":
            ws.merge_cells(f"A{row}:{issuer_last}{row}")
    for row, text, font in ((4, title, FONT_TITLE), (5, subtitle, FONT_BOLD)):
        ws.append([styled_cell(ws, styles, text, font=font, alignment=CENTER, border=None)])
        if last != "A":
            ws.merge_cells(f"A{row}:{last}{row}")
        ws.row_dimensions[row].height = 21
    ws.append([])


def table_header(ws: Worksheet, columns: Sequence[tuple[str, float]]) -> None:
    """The header row (HEADER_ROW), below the title block, and the columns' widths."""
    ws.append([header_cell(ws, text) for text, _width in columns])
    for column, (_text, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    # Room for two lines of wrapped header text ("Xếp hạng năm trước").
    ws.row_dimensions[HEADER_ROW].height = 36


def table_row(
    ws: Worksheet, values: Sequence[tuple[Any, str | None, Alignment]], *, bold: bool = False
) -> None:
    """The next row of `ws`: each (value, number format, alignment) in a bordered cell."""
    ws.append(table_cells(ws, values, bold=bold))


def table_cells(
    ws: Worksheet, values: Sequence[tuple[Any, str | None, Alignment]], *, bold: bool = False
) -> list[Cell]:
    styles = row_styles(ws, values, bold=bold)
    return styled_cells(ws, [value for value, _format, _alignment in values], styles)


def row_styles(
    ws: Worksheet, values: Sequence[tuple[Any, str | None, Alignment]], *, bold: bool = False
) -> list[StyleArray]:
    """The style of each table cell of `values` (its value aside): a table whose columns keep
    their number format and alignment from row to row looks them up once (`styled_cells`)."""
    styles = cell_styles(ws)
    font = FONT_BOLD if bold else FONT
    found = []
    for _value, number_format, alignment in values:
        # A table cell's kind is told by its alignment, number format and weight alone
        # (`cell_style`'s entry keeps the alignment referenced, so its id is not reused).
        key = (id(alignment), number_format, bold)
        style = styles.get(key)
        if style is None:
            style = styles[key] = cell_style(
                ws, styles, font=font, alignment=alignment, number_format=number_format
            )
        found.append(style)
    return found


# Values a new cell holds as they are, a number (data type `n`, as openpyxl gives a new cell).
PLAIN_NUMBERS = frozenset({int, float, Decimal, type(None)})


def styled_cells(ws: Worksheet, values: Sequence[Any], styles: Sequence[StyleArray]) -> list[Cell]:
    """A row of table cells of `ws`: each value in a cell of its style (`row_styles`).

    A number or None is stored as openpyxl's value setter would store it (data type `n`),
    without its checks; anything else goes through `cell_put`."""
    cells = []
    for value, style in zip(values, styles, strict=True):
        cell = Cell(ws, style_array=style)
        if type(value) in PLAIN_NUMBERS:
            cell._value = value
        else:
            cell_put(cell, value)
        cells.append(cell)
    return cells


def print_setup(
    ws: Worksheet,
    *,
    width: int,
    freeze: str,
    header_rows: int = 1,
    last_row: int = 0,
    one_page: bool = False,
    wide: bool = False,
    title_columns: str | None = None,
) -> None:
    """Landscape A4, the header rows repeated on every page.

    One page wide (`one_page`: one page in all, for a short table with its chart), or, for a
    `wide` sheet, at a readable scale, page after page across, `title_columns` repeated on
    each. `last_row`: the print area reaches at least that far (a chart below the table).
    """
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if wide:
        ws.page_setup.scale = WIDE_SHEET_SCALE
        if title_columns:
            ws.print_title_cols = title_columns
    else:
        ws.page_setup.fitToWidth = 1
        # 0: as many pages down as the rows need.
        ws.page_setup.fitToHeight = 1 if one_page else 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + header_rows - 1}"
    ws.print_area = f"A1:{get_column_letter(width)}{max(ws.max_row, HEADER_ROW + header_rows - 1, last_row)}"
    ws.oddFooter.center.text = "Trang &P / &N"
    ws.oddFooter.center.font = FONT_NAME
    ws.freeze_panes = f"{freeze}{HEADER_ROW + header_rows}"


def header_cell(ws: Worksheet, text: str | None) -> Cell:
    return styled_cell(ws, cell_styles(ws), text, font=FONT_BOLD, alignment=CENTER, fill=HEADER_FILL)
