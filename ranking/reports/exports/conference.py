"""The conference workbook of a period (openpyxl), laid out like the official annex.

Its sheet names and header texts are a public contract (docs/workbook.md): they are written in
Vietnamese, literally, whatever the active language, so that scripts reading the file keep
working. `conference_workbook` is that contract: one sheet per group, `Tổng hợp` and
`Khen thưởng`; the conference pack (`ranking.reports.exports.pack`) reuses its sheets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import AgencyGroup
from ranking.bulk import collector_paused
from ranking.cells import cell_put, sheet_title
from ranking.enums import Subject
from ranking.models import AwardEntry, Criterion, Period, Result
from ranking.numbers import index_shown, vietnamese_date
from ranking.periods.criteria import period_fields
from ranking.reports.exports.blocks import RowBlock, workbook_save_blocks
from ranking.reports.exports.styles import (
    BORDER,
    CENTER,
    CHANGE_FORMAT,
    FONT,
    FONT_BOLD,
    FONT_NAME,
    HEADER_FILL,
    HEADER_ROW,
    INTEGER_FORMAT,
    LEFT,
    RIGHT,
    SCORE_FORMAT,
    cell_style,
    cell_styles,
    integers,
    print_setup,
    row_styles,
    styled_cell,
    styled_cells,
    table_header,
    table_row,
    title_block,
)
from ranking.results.publications import ResultsView, component_indices, shown_workbook_results
from ranking.results.selectors import CouncilNotes

SUBJECT_TITLES = {
    Subject.CCHC: "CHỈ SỐ CẢI CÁCH HÀNH CHÍNH",
    Subject.VTLT: "CÔNG TÁC VĂN THƯ – LƯU TRỮ",
}

SUMMARY_SHEET = "Tổng hợp"
AWARDS_SHEET = "Khen thưởng"
STANDINGS_SHEET = "Không xếp hạng"
STANDING_TEXT = {"not_ranked": "Không xếp hạng", "excluded": "Không đánh giá"}
TITLE_AWARDS_PROPOSED = "DANH SÁCH ĐỀ NGHỊ TẶNG BẰNG KHEN"
TITLE_AWARDS_APPROVED = "DANH SÁCH TẶNG BẰNG KHEN"


@dataclass(frozen=True)
class Column:
    """A column a sheet may show: its key (for the export form), header, width and cell."""

    key: str
    header: str
    width: float
    cell: Callable[[Any], tuple[Any, str | None, Alignment]]


# The columns of a group sheet, in order; `fields` and `components` stand for one column per field.
GROUP_COLUMNS = [
    Column("rank", "Xếp hạng", 8, lambda r: (r.rank, INTEGER_FORMAT, CENTER)),
    Column("code", "Mã đơn vị", 12, lambda r: (r.agency.code, None, CENTER)),
    Column("name", "Tên đơn vị", 42, lambda r: (r.agency.name, None, LEFT)),
    Column("fields", "", 9, lambda r: (None, None, RIGHT)),
    Column("components", "Chỉ số thành phần {code} (%)", 12, lambda r: (None, None, RIGHT)),
    Column("total", "Tổng điểm", 10, lambda r: (r.total, SCORE_FORMAT, RIGHT)),
    Column("maximum", "Điểm tối đa", 10, lambda r: (r.maximum, SCORE_FORMAT, RIGHT)),
    # The exact index is stored and the tier was decided on it; the sheet holds the index as
    # published, rounded to 2 decimals, so that a sum or a sort in Excel matches the page.
    Column("index", "Chỉ số (%)", 10, lambda r: (index_shown(r.index), SCORE_FORMAT, RIGHT)),
    Column("tier", "Xếp loại", 13, lambda r: (r.tier.label, None, CENTER)),
    Column("previous_rank", "Xếp hạng năm trước", 11, lambda r: (r.previous_rank, INTEGER_FORMAT, CENTER)),
    Column("change", "Thay đổi", 9, lambda r: (r.change, CHANGE_FORMAT, CENTER)),
]
GROUP_COLUMN_KEYS = [c.key for c in GROUP_COLUMNS]
# The columns that name the agency: the panes freeze after the last of them shown.
IDENTITY_KEYS = ("rank", "code", "name")


def conference_workbook(*, period: Period, source: ResultsView | None = None) -> Workbook:
    """The conference workbook: one sheet per group, then `Tổng hợp` and `Khen thưởng`.

    `source`: the results it presents; by default `shown_workbook_results`: the last publication of a
    published period, the current results of any other. One query for a published period,
    seven for the current results, however many agencies the period has.
    """
    return _conference_workbook(period=period, source=source, blocks=None)


def conference_workbook_save(target, *, period: Period, source: ResultsView | None = None) -> None:
    """`conference_workbook(period=period, source=source).save(target)`: the same file, the rows
    of the group sheets written as it is saved, without a cell object each (`blocks`); the
    cyclic garbage collector paused throughout (see `collector_paused`)."""
    blocks: dict[Worksheet, RowBlock] = {}
    with collector_paused():
        workbook = _conference_workbook(period=period, source=source, blocks=blocks)
        workbook_save_blocks(workbook, target, blocks)


@collector_paused()
def _conference_workbook(
    *, period: Period, source: ResultsView | None, blocks: dict[Worksheet, RowBlock] | None
) -> Workbook:
    source = source or shown_workbook_results(period=period)
    results = source.results
    fields = titled_fields(period=period, fields=source.fields)
    footer = sheet_footer_of(source=source)
    counts = source.counts
    awards = source.awards
    labels = source.tier_labels

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken = {SUMMARY_SHEET.casefold(), AWARDS_SHEET.casefold()}

    by_group: dict[int, list[Result]] = {}
    for result in results:
        by_group.setdefault(result.group_id, []).append(result)
    for group_results in by_group.values():
        group = group_results[0].group
        title = sheet_title(group.name, taken=taken, fallback=group.code)
        group_sheet(
            workbook.create_sheet(title),
            period=period,
            group_name=group.name,
            fields=fields,
            results=group_results,
            footer=footer,
            blocks=blocks,
        )

    summary_sheet(
        workbook.create_sheet(SUMMARY_SHEET), period=period, labels=labels, counts=counts, footer=footer
    )
    awards_sheet(
        workbook.create_sheet(AWARDS_SHEET),
        period=period,
        entries=awards,
        approved=source.awards_approved,
        footer=footer,
    )
    standings_sheet(workbook, period=period, source=source, footer=footer)
    return workbook


def conference_workbook_bytes(*, period: Period, source: ResultsView | None = None) -> bytes:
    """The conference workbook as the bytes of an .xlsx file."""
    buffer = BytesIO()
    conference_workbook_save(buffer, period=period, source=source)
    return buffer.getvalue()


def group_sheets(
    workbook: Workbook,
    *,
    period: Period,
    source: ResultsView,
    taken: set[str],
    keys: Sequence[str],
    footer: Footer | None = None,
) -> None:
    fields = titled_fields(period=period, fields=source.fields)
    by_group: dict[int, list[Result]] = {}
    for result in source.results:
        by_group.setdefault(result.group_id, []).append(result)
    for group_results in by_group.values():
        group = group_results[0].group
        group_sheet(
            workbook.create_sheet(sheet_title(group.name, taken=taken, fallback=group.code)),
            period=period,
            group_name=group.name,
            fields=fields,
            results=group_results,
            keys=keys,
            footer=footer,
        )


def subject_title(period: Period) -> str:
    return SUBJECT_TITLES[Subject(period.subject)]


def group_sheet(
    ws: Worksheet,
    *,
    period: Period,
    group_name: str,
    fields: Sequence[Criterion],
    results: Sequence[Result],
    keys: Sequence[str] = GROUP_COLUMN_KEYS,
    footer: Footer | None = None,
    blocks: dict[Worksheet, RowBlock] | None = None,
) -> None:
    """A group's sheet; with `blocks`, its rows of results are left to be written as the
    workbook is saved (`blocks.workbook_save_blocks`), kept in `blocks` under the sheet."""
    footer = footer or Footer()
    shown = [c for c in GROUP_COLUMNS if c.key in keys]
    if not any(result.field_indices for result in results):
        # Results computed, or a version published, before component indices were kept: the
        # sheet stays as it was, without columns that could only be empty.
        shown = [c for c in shown if c.key != "components"]
    columns: list[tuple[str, float]] = []
    named: list[tuple[int, str]] = []
    for column in shown:
        if column.key == "fields":
            # The header keeps the field's code (the workbook's contract: `1`, `2`, …); its name
            # is written right above it, in the row between the title and the header.
            first = len(columns) + 1
            named.extend((first + n, getattr(field, "title", "")) for n, field in enumerate(fields))
            columns.extend((field.code, FIELD_WIDTH) for field in fields)
        elif column.key == "components":
            columns.extend((column.header.format(code=field.code), column.width) for field in fields)
        else:
            columns.append((column.header, column.width))
    title_block(
        ws,
        width=len(columns),
        title=f"KẾT QUẢ XẾP HẠNG {subject_title(period)} NĂM {period.year}",
        subtitle=group_name,
    )
    table_header(ws, columns)
    field_names_row(ws, named)
    ws.row_dimensions[HEADER_ROW].height = header_height(columns)
    codes = [field.code for field in fields]
    rows = (_group_row(shown, result, codes) for result in results)
    # Every row's cells take their column's style: looked up on the first row alone.
    styles = row_styles(ws, _row_kinds(shown, results[0], len(codes))) if results else []
    if blocks is None:
        for values in rows:
            ws.append(styled_cells(ws, values, styles))
    else:
        blocks[ws] = RowBlock.reserve(ws, count=len(results), rows=rows, styles=styles)
    print_setup(ws, width=len(columns), freeze=_freeze_after(shown))
    sheet_footer(ws, width=len(columns), footer=footer, notes=demotion_notes(results, footer.notes))


def _group_row(shown: Sequence[Column], result: Any, codes: Sequence[str]) -> list[Any]:
    """The values of a result's row in a group sheet."""
    values: list[Any] = []
    for column in shown:
        if column.key == "fields":
            # A field with no leaf for this group has no score: the cell stays empty, not 0.
            scores = result.field_scores
            values.extend(_decimal(scores.get(code)) for code in codes)
        elif column.key == "components":
            # Rounded to 2 decimals as published, like the index; empty without a maximum.
            values.extend(index_shown(index) for index in component_indices(result, codes))
        else:
            values.append(column.cell(result)[0])
    return values


def _row_kinds(shown: Sequence[Column], result: Any, fields: int) -> list[tuple[None, str | None, Alignment]]:
    """The number format and alignment of each cell of a group sheet's row (the same on every row)."""
    kinds: list[tuple[None, str | None, Alignment]] = []
    for column in shown:
        if column.key in ("fields", "components"):
            kinds.extend((None, SCORE_FORMAT, RIGHT) for _ in range(fields))
        else:
            _value, number_format, alignment = column.cell(result)
            kinds.append((None, number_format, alignment))
    return kinds


def _freeze_after(shown: Sequence[Column]) -> str:
    identity = 0
    for column in shown:
        if column.key not in IDENTITY_KEYS:
            break
        identity += 1
    return get_column_letter(identity + 1)


def summary_sheet(
    ws: Worksheet,
    *,
    period: Period,
    labels: Sequence[str],
    counts: Sequence[tuple[AgencyGroup, dict[str, int]]],
    footer: Footer | None = None,
) -> None:
    columns = [("Khối", 40), *((label, 12) for label in labels), ("Tổng", 10)]
    title_block(
        ws,
        width=len(columns),
        title=f"TỔNG HỢP KẾT QUẢ XẾP LOẠI {subject_title(period)} NĂM {period.year}",
        subtitle="Số đơn vị theo xếp loại của từng khối",
    )
    table_header(ws, columns)
    for group, per_tier in counts:
        numbers = [per_tier[label] for label in labels]
        table_row(ws, [(group.name, None, LEFT), *integers([*numbers, sum(numbers)])])
    totals = [sum(per_tier[label] for _, per_tier in counts) for label in labels]
    table_row(ws, [("Tổng cộng", None, LEFT), *integers([*totals, sum(totals)])], bold=True)
    print_setup(ws, width=len(columns), freeze="B")
    sheet_footer(ws, width=len(columns), footer=footer or Footer())


def awards_sheet(
    ws: Worksheet,
    *,
    period: Period,
    entries: Sequence[AwardEntry],
    approved: bool,
    footer: Footer | None = None,
) -> None:
    columns = [
        ("STT", 6),
        ("Mã đơn vị", 12),
        ("Tên đơn vị", 42),
        ("Khối", 30),
        ("Chỉ số (%)", 11),
        ("Xếp loại", 13),
    ]
    title_block(
        ws,
        width=len(columns),
        title=TITLE_AWARDS_APPROVED if approved else TITLE_AWARDS_PROPOSED,
        subtitle=f"Kết quả xếp hạng {subject_title(period).lower()} năm {period.year}",
    )
    table_header(ws, columns)
    for number, entry in enumerate(entries, start=1):
        result = entry.result
        table_row(
            ws,
            [
                (number, INTEGER_FORMAT, CENTER),
                (entry.agency.code, None, CENTER),
                (entry.agency.name, None, LEFT),
                (entry.group.name, None, LEFT),
                (index_shown(result.index) if result else None, SCORE_FORMAT, RIGHT),
                (result.tier.label if result else None, None, CENTER),
            ],
        )
    print_setup(ws, width=len(columns), freeze="D")
    footer = footer or Footer()
    sheet_footer(ws, width=len(columns), footer=footer, notes=award_notes(footer.notes))


def _decimal(value: str | None) -> Decimal | None:
    # Field scores are kept as decimal strings in JSON; Excel needs numbers.
    return None if value is None else Decimal(value)


# --- the field headers --------------------------------------------------------------------------

# A field's column holds its name, wrapped: "1. Công tác chỉ đạo, điều hành".
FIELD_WIDTH = 15
# Points per line of header text, and the characters a line of a column holds (about one per
# unit of width at 12 points, bold).
LINE_HEIGHT = 15
MIN_HEADER_HEIGHT = 36


@dataclass(frozen=True)
class TitledField:
    code: str
    title: str


def titled_fields(*, period: Period, fields: Sequence[Any]) -> list[TitledField]:
    """`fields` with their names: a publication keeps only the fields' codes, so a published
    period's names are read from its criteria (one query); the current results carry them."""
    if all(hasattr(field, "title") for field in fields):
        return [TitledField(field.code, field.title) for field in fields]
    titles = {criterion.code: criterion.title for criterion in period_fields(period=period)}
    return [TitledField(field.code, titles.get(field.code, "")) for field in fields]


def field_names_row(ws: Worksheet, named: Sequence[tuple[int, str]]) -> None:
    """The fields' names above their columns (the blank row under the title block), wrapped."""
    styles = cell_styles(ws)
    texts = [(title, FIELD_WIDTH) for _column, title in named if title]
    if not texts:
        return
    style = cell_style(ws, styles, font=FONT_NAMES, alignment=CENTER, border=BORDER, fill=HEADER_FILL)
    for column, title in named:
        cell = ws.cell(row=HEADER_ROW - 1, column=column)
        cell._style = copy(style)
        cell_put(cell, title)
    ws.row_dimensions[HEADER_ROW - 1].height = header_height(texts, size=FIELD_NAME_SIZE)


def header_height(columns: Sequence[tuple[str, float]], *, size: int = 12) -> float:
    """Room for the longest wrapped header of `columns` in a font of `size` points (a column
    holds about one character per unit of width at 12 points)."""
    lines = max(
        (-(-len(text) // max(int((width - 1) * 12 / size), 1)) for text, width in columns), default=1
    )
    return max(MIN_HEADER_HEIGHT, lines * LINE_HEIGHT * size / 12)


# --- the end of every sheet: the council's notes, the date and the signatures -------------------

NOTES_TITLE = "Ghi chú:"
BLANK_DATE = "ngày … tháng … năm …"
SIGNERS = (
    ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"),
    ("CHỦ TỊCH HỘI ĐỒNG THẨM ĐỊNH", "(Ký, ghi rõ họ tên, đóng dấu)"),
)
# Rows left blank under the signature blocks for the signatures.
SIGNATURE_SPACE = 4
FONT_ITALIC = Font(name=FONT_NAME, size=12, italic=True)
# The fields' names above the header: smaller, so that a long name fits a narrow column.
FIELD_NAME_SIZE = 10
FONT_NAMES = Font(name=FONT_NAME, size=FIELD_NAME_SIZE, italic=True)
FONT_NOTE_TITLE = Font(name=FONT_NAME, size=12, bold=True, italic=True)
NOTE = Alignment(horizontal="left", vertical="top", wrap_text=True)


@dataclass(frozen=True)
class Footer:
    """What ends every sheet: the place and date of signing, and the council's notes."""

    date_line: str = ""
    notes: CouncilNotes = CouncilNotes()


def sheet_footer_of(*, source: ResultsView) -> Footer:
    """The footer of `source`'s sheets: dated on the day its version was published (left blank,
    to be written by hand, for results not published yet), with the council's notes (as
    published, or two queries for the current results)."""
    publication = source.publication
    date = vietnamese_date(timezone.localdate(publication.published_at)) if publication else BLANK_DATE
    return Footer(date_line=f"{settings.CONFERENCE_PLACE}, {date}", notes=source.notes)


def demotion_notes(results: Sequence[Any], notes: CouncilNotes) -> list[str]:
    """A note on each demoted agency of a group sheet: the tiers before and after, and why."""
    lines = []
    for result in results:
        if not result.demoted:
            continue
        line = (
            f"{result.agency.name} ({result.agency.code}): hạ bậc xếp loại từ "
            f"{result.tier_before_demotion.label} xuống {result.tier.label}."
        )
        reason = notes.demotions.get(result.agency.code)
        lines.append(f"{line} Lý do: {reason}" if reason else line)
    return lines


def award_notes(notes: CouncilNotes) -> list[str]:
    """A note on each agency the council added to the proposed certificate list or removed from it."""
    lines = []
    for change in notes.award_changes:
        what = "Hội đồng bổ sung vào danh sách" if change.added else "Hội đồng đưa ra khỏi danh sách đề nghị"
        line = f"{change.name} ({change.code}): {what}."
        lines.append(f"{line} Lý do: {change.reason}" if change.reason else line)
    return lines


def sheet_footer(ws: Worksheet, *, width: int, footer: Footer, notes: Sequence[str] = ()) -> None:
    """Below the sheet's table (after `print_setup`): the notes, each across the sheet, then
    the place and date and the two signature blocks side by side; the print area follows."""
    styles = cell_styles(ws)
    last = get_column_letter(width)
    if notes:
        ws.append([])
        for text, font in [(NOTES_TITLE, FONT_NOTE_TITLE), *((f"- {note}", FONT) for note in notes)]:
            ws.append([styled_cell(ws, styles, text, font=font, alignment=NOTE, border=None)])
            row = ws.max_row
            if width > 1:
                ws.merge_cells(f"A{row}:{last}{row}")
            # Merged cells do not grow with their text: room for the lines it wraps to.
            characters = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, width + 1))
            ws.row_dimensions[row].height = LINE_HEIGHT * max(1, -(-len(text) // max(int(characters), 1)) + 1)
    split = max(1, width // 2)
    halves = ((1, split), (split + 1, max(width, split + 1)))
    ws.append([])
    _halves_row(ws, halves, [None, (footer.date_line, FONT_ITALIC)])
    _halves_row(ws, halves, [(title, FONT_BOLD) for title, _hint in SIGNERS])
    _halves_row(ws, halves, [(hint, FONT_ITALIC) for _title, hint in SIGNERS])
    last_row = ws.max_row + SIGNATURE_SPACE
    ws.print_area = f"A1:{last}{last_row}"


def _halves_row(ws: Worksheet, halves, parts: Sequence[tuple[str, Font] | None]) -> None:
    styles = cell_styles(ws)
    cells: list[Any] = [None] * halves[-1][1]
    for (first, _last), part in zip(halves, parts, strict=True):
        if part is not None and part[0]:
            text, font = part
            cells[first - 1] = styled_cell(ws, styles, text, font=font, alignment=CENTER, border=None)
    ws.append(cells)
    row = ws.max_row
    for (first, end), part in zip(halves, parts, strict=True):
        if part is not None and part[0] and end > first:
            ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=end)


def standings_sheet(workbook: Workbook, *, period: Period, source: ResultsView, footer: Footer) -> None:
    """The agencies assessed but not ranked and those not assessed, with the council's reason
    and the late record; only when the period has any (the group sheets leave their rank empty)."""
    rows = [(r, "not_ranked") for r in source.results if r.rank is None]
    rows += [(e, "excluded") for e in source.excluded]
    if not rows:
        return
    rows.sort(key=lambda row: (row[0].group.order, row[0].group.code, row[0].agency.code))
    ws = workbook.create_sheet(STANDINGS_SHEET)
    columns = [
        ("STT", 6),
        ("Mã đơn vị", 12),
        ("Tên đơn vị", 42),
        ("Khối", 30),
        ("Tình trạng", 16),
        ("Lý do", 40),
        ("Nộp muộn", 10),
    ]
    title_block(
        ws,
        width=len(columns),
        title="ĐƠN VỊ KHÔNG XẾP HẠNG, KHÔNG ĐÁNH GIÁ",
        subtitle=f"Kết quả xếp hạng {subject_title(period).lower()} năm {period.year}",
    )
    table_header(ws, columns)
    for number, (row, standing) in enumerate(rows, start=1):
        table_row(
            ws,
            [
                (number, INTEGER_FORMAT, CENTER),
                (row.agency.code, None, CENTER),
                (row.agency.name, None, LEFT),
                (row.group.name, None, LEFT),
                (STANDING_TEXT[standing], None, CENTER),
                (row.standing_reason, None, LEFT),
                ("Có" if row.late else None, None, CENTER),
            ],
        )
    print_setup(ws, width=len(columns), freeze="D")
    sheet_footer(ws, width=len(columns), footer=footer)
