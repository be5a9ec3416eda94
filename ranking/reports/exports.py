"""The conference workbook of a period (openpyxl), laid out like the official annex.

Its sheet names and header texts are a public contract (WORKBOOK.md): they are written in
Vietnamese, literally, whatever the active language, so that scripts reading the file keep
working.

`conference_workbook` is that contract, unchanged. `conference_pack_workbook` is the complete
conference pack: the same sheets plus a chart of the tiers per group (Excel's own), `Chi tiết`
(every leaf's self, reviewed and final score), the year-over-year comparison, the tiers per
year, and the analyses of `ranking.reports.analysis`, with a choice of sheets and columns.
"""

import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.conf import settings
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import AgencyGroup
from ranking.bulk import collector_paused
from ranking.cells import cell_put, sheet_title
from ranking.enums import Phase, Subject
from ranking.models import AwardEntry, Criterion, Period, Result
from ranking.reports.analysis import (
    AgencyEntry,
    PeriodSnapshot,
    criterion_losses,
    heat_map,
    period_snapshot,
    reviewer_consistency,
    self_accuracy,
)
from ranking.reports.comparison import default_other, tier_distribution, year_over_year
from ranking.results.publications import ResultsView, shown_results

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


@dataclass(frozen=True)
class Column:
    """A column a sheet may show: its key (for the export form), header, width and cell."""

    key: str
    header: str
    width: float
    cell: Callable[[Any], tuple[Any, str | None, Alignment]]


# The columns of a group sheet, in order; `fields` stands for one column per field.
GROUP_COLUMNS = [
    Column("rank", "Xếp hạng", 8, lambda r: (r.rank, INTEGER_FORMAT, CENTER)),
    Column("code", "Mã đơn vị", 12, lambda r: (r.agency.code, None, CENTER)),
    Column("name", "Tên đơn vị", 42, lambda r: (r.agency.name, None, LEFT)),
    Column("fields", "", 9, lambda r: (None, None, RIGHT)),
    Column("total", "Tổng điểm", 10, lambda r: (r.total, SCORE_FORMAT, RIGHT)),
    Column("maximum", "Điểm tối đa", 10, lambda r: (r.maximum, SCORE_FORMAT, RIGHT)),
    # The exact index is stored; tiers were decided on it, the sheet shows 2 decimals.
    Column("index", "Chỉ số (%)", 10, lambda r: (r.index, SCORE_FORMAT, RIGHT)),
    Column("tier", "Xếp loại", 13, lambda r: (r.tier.label, None, CENTER)),
    Column("previous_rank", "Xếp hạng năm trước", 11, lambda r: (r.previous_rank, INTEGER_FORMAT, CENTER)),
    Column("change", "Thay đổi", 9, lambda r: (r.change, CHANGE_FORMAT, CENTER)),
]
GROUP_COLUMN_KEYS = [c.key for c in GROUP_COLUMNS]
# The columns that name the agency: the panes freeze after the last of them shown.
IDENTITY_KEYS = ("rank", "code", "name")


@collector_paused()
def conference_workbook(*, period: Period, source: ResultsView | None = None) -> Workbook:
    """The conference workbook: one sheet per group, then `Tổng hợp` and `Khen thưởng`.

    `source`: the results it presents; by default `shown_results`: the last publication of a
    published period, the current results of any other. One query for a published period,
    seven for the current results, however many agencies the period has.
    """
    source = source or shown_results(period=period)
    results = source.results
    fields = source.fields
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
        _group_sheet(
            workbook.create_sheet(title),
            period=period,
            group_name=group.name,
            fields=fields,
            results=group_results,
        )

    _summary_sheet(workbook.create_sheet(SUMMARY_SHEET), period=period, labels=labels, counts=counts)
    _awards_sheet(
        workbook.create_sheet(AWARDS_SHEET), period=period, entries=awards, approved=source.awards_approved
    )
    return workbook


def conference_workbook_bytes(*, period: Period, source: ResultsView | None = None) -> bytes:
    """The conference workbook as the bytes of an .xlsx file."""
    buffer = BytesIO()
    conference_workbook(period=period, source=source).save(buffer)
    return buffer.getvalue()


# --- the conference pack: the workbook with a choice of sheets and columns ---------------

SHEET_GROUPS = "groups"
SHEET_SUMMARY = "summary"
SHEET_AWARDS = "awards"
SHEET_CHART = "chart"
SHEET_DETAILS = "details"
SHEET_YEAR_OVER_YEAR = "year_over_year"
SHEET_TIERS_PER_YEAR = "tiers_per_year"
SHEET_LOSSES = "losses"
SHEET_HEAT_MAP = "heat_map"
SHEET_SELF_ACCURACY = "self_accuracy"
SHEET_REVIEWERS = "reviewers"

CHART_SHEET = "Biểu đồ"
DETAILS_SHEET = "Chi tiết"
YEAR_OVER_YEAR_SHEET = "So sánh năm"
TIERS_PER_YEAR_SHEET = "Xếp loại qua các năm"
LOSSES_SHEET = "Điểm bị trừ"
HEAT_MAP_SHEET = "Tỷ lệ điểm theo lĩnh vực"
SELF_ACCURACY_SHEET = "Tự đánh giá"
REVIEWERS_SHEET = "Thẩm định viên"

# Every sheet the pack may hold, in the order it holds them: key → fixed sheet name (the
# group sheets are named after their groups).
PACK_SHEETS: dict[str, str | None] = {
    SHEET_GROUPS: None,
    SHEET_SUMMARY: SUMMARY_SHEET,
    SHEET_AWARDS: AWARDS_SHEET,
    SHEET_CHART: CHART_SHEET,
    SHEET_DETAILS: DETAILS_SHEET,
    SHEET_YEAR_OVER_YEAR: YEAR_OVER_YEAR_SHEET,
    SHEET_TIERS_PER_YEAR: TIERS_PER_YEAR_SHEET,
    SHEET_LOSSES: LOSSES_SHEET,
    SHEET_HEAT_MAP: HEAT_MAP_SHEET,
    SHEET_SELF_ACCURACY: SELF_ACCURACY_SHEET,
    SHEET_REVIEWERS: REVIEWERS_SHEET,
}
# The sheets of `conference_workbook`, the published contract.
CONTRACT_SHEETS = [SHEET_GROUPS, SHEET_SUMMARY, SHEET_AWARDS]


def conference_pack_workbook(
    *, period: Period, sheets: list[str] | None = None, columns: dict[str, list[str]] | None = None
) -> Workbook:
    """The conference pack: the sheets chosen (all of PACK_SHEETS by default), in pack order.

    `columns` may narrow the group sheets (key SHEET_GROUPS, from GROUP_COLUMN_KEYS) and the
    `Chi tiết` sheet (key SHEET_DETAILS, from DETAIL_COLUMN_KEYS); a sheet not named there
    shows all its columns. With CONTRACT_SHEETS and no `columns` the workbook is
    `conference_workbook`'s: the group sheets, `Tổng hợp`, `Khen thưởng` and the chart present
    `shown_results` (a published period's last publication); the other sheets analyse the
    current scores. Who may read which sheet is the caller's to decide. Unknown keys raise
    ValueError. A fixed number of queries, however many agencies and leaves.
    """
    chosen = list(PACK_SHEETS) if sheets is None else [key for key in PACK_SHEETS if key in sheets]
    unknown = set(sheets or ()) - set(PACK_SHEETS)
    if unknown:
        raise ValueError(f"unknown sheets: {sorted(unknown)}")
    if not chosen:
        raise ValueError("choose at least one sheet")
    columns = columns or {}
    for key, allowed in ((SHEET_GROUPS, GROUP_COLUMN_KEYS), (SHEET_DETAILS, DETAIL_COLUMN_KEYS)):
        wrong = set(columns.get(key, ())) - set(allowed)
        if wrong:
            raise ValueError(f"unknown columns of {key}: {sorted(wrong)}")
    extra = set(columns) - {SHEET_GROUPS, SHEET_DETAILS}
    if extra:
        raise ValueError(f"no column choice for: {sorted(extra)}")

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken = {PACK_SHEETS[key].casefold() for key in chosen if PACK_SHEETS[key]}
    counts = None
    loaded: list[PeriodSnapshot] = []

    def snapshot() -> PeriodSnapshot:
        # The analysis sheets and Chi tiết share one load of the period's scores.
        if not loaded:
            loaded.append(period_snapshot(period=period))
        return loaded[0]

    if set(chosen) & {SHEET_GROUPS, SHEET_SUMMARY, SHEET_AWARDS, SHEET_CHART}:
        source = shown_results(period=period)
    if SHEET_SUMMARY in chosen or SHEET_CHART in chosen:
        counts = source.counts
        labels = source.tier_labels
    for key in chosen:
        if key == SHEET_GROUPS:
            _group_sheets(
                workbook,
                period=period,
                source=source,
                taken=taken,
                keys=columns.get(key) or GROUP_COLUMN_KEYS,
            )
        elif key == SHEET_SUMMARY:
            _summary_sheet(workbook.create_sheet(SUMMARY_SHEET), period=period, labels=labels, counts=counts)
        elif key == SHEET_AWARDS:
            _awards_sheet(
                workbook.create_sheet(AWARDS_SHEET),
                period=period,
                entries=source.awards,
                approved=source.awards_approved,
            )
        elif key == SHEET_CHART:
            _chart_sheet(workbook.create_sheet(CHART_SHEET), period=period, labels=labels, counts=counts)
        elif key == SHEET_DETAILS:
            _details_sheet(
                workbook.create_sheet(DETAILS_SHEET),
                data=snapshot(),
                keys=columns.get(key) or DETAIL_COLUMN_KEYS,
            )
        elif key == SHEET_YEAR_OVER_YEAR:
            _year_over_year_sheet(workbook.create_sheet(YEAR_OVER_YEAR_SHEET), period=period)
        elif key == SHEET_TIERS_PER_YEAR:
            _tiers_per_year_sheet(workbook.create_sheet(TIERS_PER_YEAR_SHEET), period=period)
        elif key == SHEET_LOSSES:
            _losses_sheet(workbook.create_sheet(LOSSES_SHEET), data=snapshot())
        elif key == SHEET_HEAT_MAP:
            _heat_map_sheet(workbook.create_sheet(HEAT_MAP_SHEET), data=snapshot())
        elif key == SHEET_SELF_ACCURACY:
            _self_accuracy_sheet(workbook.create_sheet(SELF_ACCURACY_SHEET), data=snapshot())
        elif key == SHEET_REVIEWERS:
            _reviewers_sheet(workbook.create_sheet(REVIEWERS_SHEET), data=snapshot())
    if not workbook.worksheets:
        # Only group sheets were chosen and the period has no results yet: say so on a sheet.
        _summary_sheet(workbook.create_sheet(SUMMARY_SHEET), period=period, labels=[], counts=[])
    return workbook


def conference_pack_bytes(
    *, period: Period, sheets: list[str] | None = None, columns: dict[str, list[str]] | None = None
) -> bytes:
    buffer = BytesIO()
    conference_pack_workbook(period=period, sheets=sheets, columns=columns).save(buffer)
    return buffer.getvalue()


def _group_sheets(
    workbook: Workbook, *, period: Period, source: ResultsView, taken: set[str], keys: Sequence[str]
) -> None:
    fields = source.fields
    by_group: dict[int, list[Result]] = {}
    for result in source.results:
        by_group.setdefault(result.group_id, []).append(result)
    for group_results in by_group.values():
        group = group_results[0].group
        _group_sheet(
            workbook.create_sheet(sheet_title(group.name, taken=taken, fallback=group.code)),
            period=period,
            group_name=group.name,
            fields=fields,
            results=group_results,
            keys=keys,
        )


# Tiers highest first: from green (best) through teal, cyan and amber to red (weakest), as
# on the pages' charts.
TIER_COLOURS = ["198754", "20C997", "0DCAF0", "FFC107", "FD7E14", "6C757D"]
WEAKEST_COLOUR = "DC3545"


def _tier_colours(count: int) -> list[str]:
    colours = [TIER_COLOURS[min(i, len(TIER_COLOURS) - 1)] for i in range(max(count - 1, 0))]
    return [*colours, WEAKEST_COLOUR] if count else []


def _stacked_bar(
    ws: Worksheet,
    *,
    horizontal: bool,
    title: str,
    header_row: int,
    last_row: int,
    series: int,
    columns: Sequence[tuple[str, float]],
) -> BarChart:
    """A stacked bar chart of the table at `header_row`: categories in column A, one series per
    column B onwards (their names in the header row). As wide as the table's `columns`, so that
    it prints within the sheet's print area."""
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    if horizontal:
        # Excel draws the first category at the bottom: the first group goes on top, as in the table.
        chart.x_axis.scaling.orientation = "maxMin"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = title
    chart.y_axis.title = "Số đơn vị"
    chart.y_axis.majorGridlines = None
    # openpyxl hides both axes unless told otherwise.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width = sum(width for _header, width in columns) * CM_PER_WIDTH_UNIT
    chart.height = 12
    data = Reference(ws, min_col=2, max_col=1 + series, min_row=header_row, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    # The categories (group names, years) are text: a string reference, which `set_categories`
    # (a number reference) is not.
    categories = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row)
    for item, colour in zip(chart.series, _tier_colours(series), strict=True):
        item.cat = AxDataSource(strRef=StrRef(f=str(categories)))
        item.graphicalProperties.solidFill = colour
        item.graphicalProperties.line.solidFill = colour
    return chart


# A column width unit (one character of the default font) is about this many centimetres.
CM_PER_WIDTH_UNIT = 0.18
# A chart 12 cm high takes about this many rows of the default height.
CHART_ROWS = 25
# `Chi tiết` has three columns per leaf, far too many for one page: it prints at this scale
# (%), page after page across, the agency's columns repeated on each.
WIDE_SHEET_SCALE = 70


def _chart_sheet(
    ws: Worksheet,
    *,
    period: Period,
    labels: Sequence[str],
    counts: Sequence[tuple[AgencyGroup, dict[str, int]]],
) -> None:
    """The tiers per group as a table and as a stacked bar chart drawn by Excel from it."""
    columns = [("Khối", 40), *((label, 12) for label in labels)]
    _title_block(
        ws,
        width=len(columns),
        title=f"BIỂU ĐỒ XẾP LOẠI {_subject_title(period)} NĂM {period.year}",
        subtitle="Số đơn vị theo xếp loại của từng khối",
    )
    _header(ws, columns)
    row = HEADER_ROW
    for group, per_tier in counts:
        row += 1
        _row(ws, [(group.name, None, LEFT), *_integers([per_tier[label] for label in labels])])
    last_row = row
    if counts and labels:
        chart = _stacked_bar(
            ws,
            horizontal=True,
            title="Số đơn vị theo xếp loại của từng khối",
            header_row=HEADER_ROW,
            last_row=row,
            series=len(labels),
            columns=columns,
        )
        ws.add_chart(chart, f"A{row + 2}")
        last_row = row + 2 + CHART_ROWS
    _print_setup(ws, width=len(columns), freeze="B", last_row=last_row, one_page=True)


# --- Chi tiết: every leaf's self, reviewed and final score, one row per agency ---------


def _of_result(attribute: str, number_format: str | None, alignment: Alignment):
    def cell(entry: AgencyEntry) -> tuple[Any, str | None, Alignment]:
        value = entry.result
        for part in attribute.split("."):
            value = getattr(value, part) if value is not None else None
        return (value, number_format, alignment)

    return cell


DETAIL_COLUMNS = [
    Column("group", "Khối", 24, lambda e: (e.group.name, None, LEFT)),
    Column("rank", "Xếp hạng", 8, _of_result("rank", INTEGER_FORMAT, CENTER)),
    Column("code", "Mã đơn vị", 12, lambda e: (e.agency.code, None, CENTER)),
    Column("name", "Tên đơn vị", 40, lambda e: (e.agency.name, None, LEFT)),
    Column("total", "Tổng điểm", 10, _of_result("total", SCORE_FORMAT, RIGHT)),
    Column("index", "Chỉ số (%)", 10, _of_result("index", SCORE_FORMAT, RIGHT)),
    Column("tier", "Xếp loại", 13, _of_result("tier.label", None, CENTER)),
]
# Under each leaf's code, one column per score (the raw values as entered, deductions negative).
SCORE_PARTS = [
    ("self", "Tự đánh giá", "self_score"),
    ("reviewed", "Thẩm định", "reviewed_score"),
    ("final", "Cuối cùng", "final_score"),
]
DETAIL_COLUMN_KEYS = [c.key for c in DETAIL_COLUMNS] + [key for key, _header, _attr in SCORE_PARTS]
DETAIL_IDENTITY_KEYS = ("group", "rank", "code", "name")
# "does not arise" (không phát sinh), written where a score would be.
NOT_ARISING = "KPS"
NOT_APPLYING_FILL = PatternFill(fill_type="solid", start_color="EDEDED", end_color="EDEDED")


def _details_sheet(ws: Worksheet, *, data: PeriodSnapshot, keys: Sequence[str]) -> None:
    """One row per assessed agency (group, then rank); per leaf, its self, reviewed and final
    score as numbers. A leaf that does not apply to the agency's group is grey and empty."""
    period = data.period
    shown = [c for c in DETAIL_COLUMNS if c.key in keys]
    parts = [(key, header, attr) for key, header, attr in SCORE_PARTS if key in keys]
    leaves = data.leaves if parts else []
    width = max(len(shown) + len(leaves) * len(parts), 1)
    _title_block(
        ws,
        # Over the columns of the first printed page, not across every leaf of the sheet.
        width=min(width, max(len(shown) + len(parts), 3)),
        title=f"CHI TIẾT ĐIỂM TỪNG TIÊU CHÍ - {_subject_title(period)} NĂM {period.year}",
        subtitle="Điểm tự đánh giá, điểm thẩm định và điểm cuối cùng của từng đơn vị (KPS: không phát sinh)",
    )
    # Two header rows: the fixed columns span both; each leaf's code spans its score columns.
    second = HEADER_ROW + 1
    top: list[Cell] = []
    below: list[Cell] = []
    merged: list[tuple[int, int, int]] = []
    for column, spec in enumerate(shown, start=1):
        top.append(_header_cell(ws, spec.header))
        below.append(_header_cell(ws, None))
        merged.append((column, second, column))
        ws.column_dimensions[get_column_letter(column)].width = spec.width
    column = len(shown)
    for leaf in leaves:
        first = column + 1
        for _key, header, _attr in parts:
            column += 1
            top.append(_header_cell(ws, leaf.code if column == first else None))
            below.append(_header_cell(ws, header))
            ws.column_dimensions[get_column_letter(column)].width = 9
        if column > first:
            merged.append((first, HEADER_ROW, column))
    ws.row_dimensions[HEADER_ROW].height = 20
    ws.row_dimensions[second].height = 32
    ws.append(top)
    ws.append(below)
    for first, last_row, last in merged:
        ws.merge_cells(start_row=HEADER_ROW, start_column=first, end_row=last_row, end_column=last)

    styles = _styles(ws)
    for entry in data.entries:
        cells = _cells(ws, [spec.cell(entry) for spec in shown])
        for leaf in leaves:
            applying = data.applies(leaf, entry.group.pk)
            values = entry.scores.get(leaf.pk) if applying else None
            fill = None if applying else NOT_APPLYING_FILL
            for key, _header, attr in parts:
                # The self-score column follows the agency's word, the others the final one.
                left_out = values is not None and (
                    values.not_arising if key == "self" else values.final_not_arising
                )
                if left_out:
                    cell = _cell(ws, styles, NOT_ARISING, font=FONT, alignment=CENTER, fill=fill)
                else:
                    value = getattr(values, attr) if values is not None else None
                    cell = _cell(
                        ws, styles, value, font=FONT, alignment=RIGHT, number_format=SCORE_FORMAT, fill=fill
                    )
                cells.append(cell)
        ws.append(cells)
    identity = 0
    for spec in shown:
        if spec.key not in DETAIL_IDENTITY_KEYS:
            break
        identity += 1
    _print_setup(
        ws,
        width=width,
        freeze=get_column_letter(identity + 1),
        header_rows=2,
        wide=bool(leaves),
        title_columns=f"A:{get_column_letter(identity)}" if identity else None,
    )


def _header_cell(ws: Worksheet, text: str | None) -> Cell:
    return _cell(ws, _styles(ws), text, font=FONT_BOLD, alignment=CENTER, fill=HEADER_FILL)


# --- So sánh năm: rank and tier movement since the previous year ---------------------


def _year_over_year_sheet(ws: Worksheet, *, period: Period) -> None:
    other = default_other(period=period)
    # A workbook may reach readers who see published years only: compare with those.
    if other is not None and other.phase != Phase.PUBLISHED:
        other = None
    comparison = year_over_year(period=period, other=other, visible=lambda p: p.phase == Phase.PUBLISHED)
    before = str(other.year) if other else "trước"
    columns = [
        ("Khối", 28),
        ("Mã đơn vị", 12),
        ("Tên đơn vị", 40),
        (f"Xếp hạng năm {before}", 11),
        (f"Xếp hạng năm {period.year}", 11),
        ("Thay đổi", 9),
        (f"Xếp loại năm {before}", 13),
        (f"Xếp loại năm {period.year}", 13),
        ("Thay đổi xếp loại", 11),
        ("Ghi chú", 24),
    ]
    _title_block(
        ws,
        width=len(columns),
        title=(
            f"SO SÁNH KẾT QUẢ {_subject_title(period)} NĂM {period.year} VỚI NĂM {other.year}"
            if other
            else f"SO SÁNH KẾT QUẢ {_subject_title(period)} QUA CÁC NĂM"
        ),
        subtitle="Thay đổi thứ hạng và xếp loại của từng đơn vị trong khối",
    )
    _header(ws, columns)
    for group in comparison.groups:
        for movement in group.movements:
            if movement.is_new:
                note = "Mới"
            elif movement.moved_from is not None:
                note = f"Chuyển từ {movement.moved_from.name}"
            else:
                note = None
            _row(
                ws,
                [
                    (group.group.name, None, LEFT),
                    (movement.agency.code, None, CENTER),
                    (movement.agency.name, None, LEFT),
                    (movement.previous_rank, INTEGER_FORMAT, CENTER),
                    (movement.rank, INTEGER_FORMAT, CENTER),
                    (movement.change, CHANGE_FORMAT, CENTER),
                    (movement.previous_tier_label or None, None, CENTER),
                    (movement.tier_label, None, CENTER),
                    (movement.tier_change, CHANGE_FORMAT, CENTER),
                    (note, None, LEFT),
                ],
            )
    _print_setup(ws, width=len(columns), freeze="D")


def _tiers_per_year_sheet(ws: Worksheet, *, period: Period) -> None:
    """The agencies per tier of every year of the subject up to this one (published years and
    this one), as a table and as Excel's stacked column chart of it."""
    distribution = tier_distribution(period=period, visible=lambda p: p.phase == Phase.PUBLISHED)
    columns = [("Năm", 12), *((label, 12) for label in distribution.labels), ("Tổng", 10)]
    _title_block(
        ws,
        width=len(columns),
        title=f"XẾP LOẠI {_subject_title(period)} QUA CÁC NĂM",
        subtitle="Số đơn vị theo xếp loại của từng năm",
    )
    _header(ws, columns)
    row = HEADER_ROW
    for year in distribution.years:
        row += 1
        numbers = [year.counts[label] for label in distribution.labels]
        # The year as text: a category of the chart, not a number to plot.
        _row(ws, [(str(year.period.year), None, CENTER), *_integers([*numbers, year.total])])
    last_row = row
    if distribution.years and distribution.labels:
        chart = _stacked_bar(
            ws,
            horizontal=False,
            title="Số đơn vị theo xếp loại qua các năm",
            header_row=HEADER_ROW,
            last_row=row,
            series=len(distribution.labels),
            columns=columns,
        )
        ws.add_chart(chart, f"A{row + 2}")
        last_row = row + 2 + CHART_ROWS
    _print_setup(ws, width=len(columns), freeze="B", last_row=last_row, one_page=True)


# --- the analysis sheets (ranking.reports.analysis) ---------------------------------------------


def _table_sheet(
    ws: Worksheet,
    *,
    title: str,
    subtitle: str,
    columns: Sequence[tuple[str, float]],
    rows: Iterable[Sequence[tuple[Any, str | None, Alignment]]],
    freeze: str,
) -> int:
    """A titled table with a filter on its header; returns the last row written."""
    _title_block(ws, width=len(columns), title=title, subtitle=subtitle)
    _header(ws, columns)
    row = HEADER_ROW
    for values in rows:
        row += 1
        _row(ws, values)
    if row > HEADER_ROW:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{row}"
    _print_setup(ws, width=len(columns), freeze=freeze)
    return row


def _losses_sheet(ws: Worksheet, *, data: PeriodSnapshot) -> None:
    """Per group, every leaf on which points could be lost: how many agencies lost some, and how many."""
    period = data.period
    columns = [
        ("Khối", 28),
        ("Mã tiêu chí", 10),
        ("Nội dung", 50),
        ("Điểm tối đa", 10),
        ("Số đơn vị áp dụng", 11),
        ("Số đơn vị bị trừ điểm", 11),
        ("Tổng số điểm bị trừ", 11),
        ("Bình quân điểm bị trừ", 11),
    ]
    rows = [
        [
            (group.name, None, LEFT),
            (loss.criterion.code, None, CENTER),
            (loss.criterion.title, None, LEFT),
            (loss.max_points, SCORE_FORMAT, RIGHT),
            (loss.agencies, INTEGER_FORMAT, CENTER),
            (loss.losing, INTEGER_FORMAT, CENTER),
            (loss.lost_total, SCORE_FORMAT, RIGHT),
            (loss.lost_average, SCORE_FORMAT, RIGHT),
        ]
        for group in data.groups
        for loss in criterion_losses(period=period, group=group, snapshot=data)
    ]
    _table_sheet(
        ws,
        title=f"TỔNG HỢP ĐIỂM BỊ TRỪ THEO TIÊU CHÍ - {_subject_title(period)} NĂM {period.year}",
        subtitle="Số đơn vị bị trừ điểm và số điểm bị trừ ở từng tiêu chí, theo khối",
        columns=columns,
        rows=rows,
        freeze="D",
    )


PERCENT_FORMAT = "0.00"


def _heat_map_sheet(ws: Worksheet, *, data: PeriodSnapshot) -> None:
    """Every agency's final score of each field as a % of the field's maximum for it, coloured
    by Excel (a red–yellow–green colour scale) as the page's heat map is."""
    period = data.period
    fields = data.fields
    columns = [
        ("Khối", 28),
        ("Xếp hạng", 8),
        ("Mã đơn vị", 12),
        ("Tên đơn vị", 40),
        *((f"Lĩnh vực {field.code} (%)", 11) for field in fields),
    ]
    rows = []
    for group in data.groups:
        heat = heat_map(period=period, group=group, snapshot=data)
        for heat_row in heat.rows:
            percent = {cell.field.pk: cell.percent for cell in heat_row.cells}
            rows.append(
                [
                    (group.name, None, LEFT),
                    (heat_row.rank, INTEGER_FORMAT, CENTER),
                    (heat_row.agency.code, None, CENTER),
                    (heat_row.agency.name, None, LEFT),
                    # A field with no leaf for the group, or none that arose, has no percentage.
                    *((percent.get(field.pk), PERCENT_FORMAT, RIGHT) for field in fields),
                ]
            )
    last = _table_sheet(
        ws,
        title=f"TỶ LỆ ĐIỂM ĐẠT THEO LĨNH VỰC - {_subject_title(period)} NĂM {period.year}",
        subtitle="Điểm cuối cùng của từng lĩnh vực so với điểm tối đa của lĩnh vực (%)",
        columns=columns,
        rows=rows,
        freeze="E",
    )
    if fields and last > HEADER_ROW:
        ws.conditional_formatting.add(
            f"E{HEADER_ROW + 1}:{get_column_letter(len(columns))}{last}",
            ColorScaleRule(
                start_type="num",
                start_value=0,
                start_color="F8696B",
                mid_type="num",
                mid_value=50,
                mid_color="FFEB84",
                end_type="num",
                end_value=100,
                end_color="63BE7B",
            ),
        )


def _self_accuracy_sheet(ws: Worksheet, *, data: PeriodSnapshot) -> None:
    """Per agency, its self-assessed total against its final total (who over-scores itself)."""
    period = data.period
    columns = [
        ("Khối", 28),
        ("Xếp hạng", 8),
        ("Mã đơn vị", 12),
        ("Tên đơn vị", 40),
        ("Điểm tối đa", 10),
        ("Tổng điểm tự đánh giá", 11),
        ("Tổng điểm cuối cùng", 11),
        ("Chênh lệch (điểm)", 11),
        ("Chỉ số tự đánh giá (%)", 11),
        ("Chỉ số cuối cùng (%)", 11),
        ("Chênh lệch chỉ số", 11),
        ("Thứ tự tự chấm cao", 10),
    ]
    rows = [
        [
            (row.group.name, None, LEFT),
            (row.rank, INTEGER_FORMAT, CENTER),
            (row.agency.code, None, CENTER),
            (row.agency.name, None, LEFT),
            (row.maximum, SCORE_FORMAT, RIGHT),
            (row.self_total, SCORE_FORMAT, RIGHT),
            (row.final_total, SCORE_FORMAT, RIGHT),
            (row.gap, SCORE_FORMAT, RIGHT),
            (row.self_index, SCORE_FORMAT, RIGHT),
            (row.final_index, SCORE_FORMAT, RIGHT),
            (row.gap_index, SCORE_FORMAT, RIGHT),
            (row.over_rank, INTEGER_FORMAT, CENTER),
        ]
        for row in self_accuracy(period=period, snapshot=data)
    ]
    _table_sheet(
        ws,
        title=f"ĐỘ CHÍNH XÁC CỦA TỰ ĐÁNH GIÁ - {_subject_title(period)} NĂM {period.year}",
        subtitle="Tổng điểm tự đánh giá so với tổng điểm cuối cùng của từng đơn vị",
        columns=columns,
        rows=rows,
        freeze="E",
    )


def _reviewers_sheet(ws: Worksheet, *, data: PeriodSnapshot) -> None:
    """Per reviewer: adjustments against self-scores and the share of explanations accepted."""
    period = data.period
    columns = [
        ("Thẩm định viên", 28),
        ("Số hồ sơ", 9),
        ("Số tiêu chí đã thẩm định", 11),
        ("Số lần điều chỉnh", 11),
        ("Giảm điểm", 9),
        ("Tăng điểm", 9),
        ("Tổng thay đổi (điểm)", 11),
        ("Thay đổi bình quân", 11),
        ("Giải trình được chấp nhận", 11),
        ("Chấp nhận một phần", 11),
        ("Không chấp nhận", 11),
        ("Tỷ lệ chấp nhận (%)", 11),
    ]
    rows = [
        [
            (str(row.reviewer), None, LEFT),
            (row.assessments, INTEGER_FORMAT, CENTER),
            (row.leaves_reviewed, INTEGER_FORMAT, CENTER),
            (row.adjustments, INTEGER_FORMAT, CENTER),
            (row.lowered, INTEGER_FORMAT, CENTER),
            (row.raised, INTEGER_FORMAT, CENTER),
            (row.total_change, SCORE_FORMAT, RIGHT),
            (row.average_change, SCORE_FORMAT, RIGHT),
            (row.accepted, INTEGER_FORMAT, CENTER),
            (row.partial, INTEGER_FORMAT, CENTER),
            (row.rejected, INTEGER_FORMAT, CENTER),
            (row.accepted_percent, SCORE_FORMAT, RIGHT),
        ]
        for row in reviewer_consistency(period=period, snapshot=data)
    ]
    _table_sheet(
        ws,
        title=f"TỔNG HỢP KẾT QUẢ THẨM ĐỊNH THEO THẨM ĐỊNH VIÊN - {_subject_title(period)} NĂM {period.year}",
        subtitle="Điều chỉnh so với điểm tự đánh giá và tỷ lệ giải trình được chấp nhận",
        columns=columns,
        rows=rows,
        freeze="B",
    )


def _subject_title(period: Period) -> str:
    return SUBJECT_TITLES[Subject(period.subject)]


def _group_sheet(
    ws: Worksheet,
    *,
    period: Period,
    group_name: str,
    fields: Sequence[Criterion],
    results: Sequence[Result],
    keys: Sequence[str] = GROUP_COLUMN_KEYS,
) -> None:
    shown = [c for c in GROUP_COLUMNS if c.key in keys]
    columns: list[tuple[str, float]] = []
    for column in shown:
        if column.key == "fields":
            columns.extend((field.code, column.width) for field in fields)
        else:
            columns.append((column.header, column.width))
    _title_block(
        ws,
        width=len(columns),
        title=f"KẾT QUẢ XẾP HẠNG {_subject_title(period)} NĂM {period.year}",
        subtitle=group_name,
    )
    _header(ws, columns)
    for result in results:
        values: list[tuple[Any, str | None, Alignment]] = []
        for column in shown:
            if column.key == "fields":
                # A field with no leaf for this group has no score: the cell stays empty, not 0.
                values.extend(
                    (_decimal(result.field_scores.get(field.code)), SCORE_FORMAT, RIGHT) for field in fields
                )
            else:
                values.append(column.cell(result))
        _row(ws, values)
    _print_setup(ws, width=len(columns), freeze=_freeze_after(shown))


def _freeze_after(shown: Sequence[Column]) -> str:
    identity = 0
    for column in shown:
        if column.key not in IDENTITY_KEYS:
            break
        identity += 1
    return get_column_letter(identity + 1)


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
    for group, per_tier in counts:
        numbers = [per_tier[label] for label in labels]
        _row(ws, [(group.name, None, LEFT), *_integers([*numbers, sum(numbers)])])
    totals = [sum(per_tier[label] for _, per_tier in counts) for label in labels]
    _row(ws, [("Tổng cộng", None, LEFT), *_integers([*totals, sum(totals)])], bold=True)
    _print_setup(ws, width=len(columns), freeze="B")


def _awards_sheet(ws: Worksheet, *, period: Period, entries: Sequence[AwardEntry], approved: bool) -> None:
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
        title=TITLE_AWARDS_APPROVED if approved else TITLE_AWARDS_PROPOSED,
        subtitle=f"Kết quả xếp hạng {_subject_title(period).lower()} năm {period.year}",
    )
    _header(ws, columns)
    for number, entry in enumerate(entries, start=1):
        result = entry.result
        _row(
            ws,
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


def _styles(ws: Worksheet) -> dict[tuple, Any]:
    """The kinds of cell of `ws`'s workbook found so far, for `_style`."""
    return _CELL_STYLES.setdefault(ws.parent, {})


def _style(
    ws: Worksheet,
    styles: dict[tuple, Any],
    *,
    font: Font,
    alignment: Alignment,
    border: Border | None = BORDER,
    number_format: str | None = None,
    fill: PatternFill | None = None,
) -> StyleArray:
    """A kind of cell's style in `ws`'s workbook; `styles` is `_styles(ws)`."""
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


def _cell(
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
    """A styled cell of `ws`, to append; `styles` is `_styles(ws)`."""
    style = _style(
        ws, styles, font=font, alignment=alignment, border=border, number_format=number_format, fill=fill
    )
    return cell_put(Cell(ws, style_array=style), value)


def _title_block(ws: Worksheet, *, width: int, title: str, subtitle: str) -> None:
    """Rows 1–6 of an empty sheet: the issuer (rows 1–3), the title, the subtitle, a blank row."""
    issuer = getattr(settings, "CONFERENCE_ISSUER", DEFAULT_ISSUER)
    last = get_column_letter(width)
    issuer_last = get_column_letter(min(width, 3))
    styles = _styles(ws)
    lines = list(zip(issuer, (FONT, FONT_BOLD), strict=False))
    for row in (1, 2, 3):
        if row > len(lines):
            ws.append([])
            continue
        text, font = lines[row - 1]
        ws.append([_cell(ws, styles, text, font=font, alignment=CENTER, border=None)])
        if issuer_last != "A":
            ws.merge_cells(f"A{row}:{issuer_last}{row}")
    for row, text, font in ((4, title, FONT_TITLE), (5, subtitle, FONT_BOLD)):
        ws.append([_cell(ws, styles, text, font=font, alignment=CENTER, border=None)])
        if last != "A":
            ws.merge_cells(f"A{row}:{last}{row}")
        ws.row_dimensions[row].height = 21
    ws.append([])


def _header(ws: Worksheet, columns: Sequence[tuple[str, float]]) -> None:
    """The header row (HEADER_ROW), below the title block, and the columns' widths."""
    ws.append([_header_cell(ws, text) for text, _width in columns])
    for column, (_text, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    # Room for two lines of wrapped header text ("Xếp hạng năm trước").
    ws.row_dimensions[HEADER_ROW].height = 36


def _row(ws: Worksheet, values: Sequence[tuple[Any, str | None, Alignment]], *, bold: bool = False) -> None:
    """The next row of `ws`: each (value, number format, alignment) in a bordered cell."""
    ws.append(_cells(ws, values, bold=bold))


def _cells(
    ws: Worksheet, values: Sequence[tuple[Any, str | None, Alignment]], *, bold: bool = False
) -> list[Cell]:
    styles = _styles(ws)
    font = FONT_BOLD if bold else FONT
    cells = []
    for value, number_format, alignment in values:
        # A table cell's kind is told by its alignment, number format and weight alone
        # (`_style`'s entry keeps the alignment referenced, so its id is not reused).
        key = (id(alignment), number_format, bold)
        style = styles.get(key)
        if style is None:
            style = styles[key] = _style(
                ws, styles, font=font, alignment=alignment, number_format=number_format
            )
        cells.append(cell_put(Cell(ws, style_array=style), value))
    return cells


def _print_setup(
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
