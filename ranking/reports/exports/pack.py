"""The complete conference pack of a period (openpyxl), with a choice of sheets and columns.

The sheets of the conference workbook (`ranking.reports.exports.conference`), plus a chart of
the tiers per group (Excel's own), `Chi tiết` (every leaf's self, reviewed and final score), the
year-over-year comparison, the tiers per year, and the analyses of `ranking.reports.analysis`.
Sheet names and headers are Vietnamese, literally, whatever the active language.
"""

from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import AgencyGroup
from ranking.enums import Phase
from ranking.models import Period
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
from ranking.reports.exports.conference import (
    AWARDS_SHEET,
    GROUP_COLUMN_KEYS,
    SUMMARY_SHEET,
    Column,
    awards_sheet,
    group_sheets,
    sheet_footer_of,
    subject_title,
    summary_sheet,
)
from ranking.reports.exports.styles import (
    CENTER,
    CHANGE_FORMAT,
    FONT,
    HEADER_ROW,
    INTEGER_FORMAT,
    LEFT,
    RIGHT,
    SCORE_FORMAT,
    cell_styles,
    header_cell,
    integers,
    print_setup,
    styled_cell,
    table_cells,
    table_header,
    table_row,
    title_block,
)
from ranking.results.publications import shown_results

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
    if set(chosen) & {SHEET_GROUPS, SHEET_SUMMARY, SHEET_AWARDS}:
        footer = sheet_footer_of(source=source)
    if SHEET_SUMMARY in chosen or SHEET_CHART in chosen:
        counts = source.counts
        labels = source.tier_labels
    for key in chosen:
        if key == SHEET_GROUPS:
            group_sheets(
                workbook,
                period=period,
                source=source,
                taken=taken,
                keys=columns.get(key) or GROUP_COLUMN_KEYS,
                footer=footer,
            )
        elif key == SHEET_SUMMARY:
            summary_sheet(
                workbook.create_sheet(SUMMARY_SHEET),
                period=period,
                labels=labels,
                counts=counts,
                footer=footer,
            )
        elif key == SHEET_AWARDS:
            awards_sheet(
                workbook.create_sheet(AWARDS_SHEET),
                period=period,
                entries=source.awards,
                approved=source.awards_approved,
                footer=footer,
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
        summary_sheet(workbook.create_sheet(SUMMARY_SHEET), period=period, labels=[], counts=[])
    return workbook


def conference_pack_bytes(
    *, period: Period, sheets: list[str] | None = None, columns: dict[str, list[str]] | None = None
) -> bytes:
    buffer = BytesIO()
    conference_pack_workbook(period=period, sheets=sheets, columns=columns).save(buffer)
    return buffer.getvalue()


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


def _chart_sheet(
    ws: Worksheet,
    *,
    period: Period,
    labels: Sequence[str],
    counts: Sequence[tuple[AgencyGroup, dict[str, int]]],
) -> None:
    """The tiers per group as a table and as a stacked bar chart drawn by Excel from it."""
    columns = [("Khối", 40), *((label, 12) for label in labels)]
    title_block(
        ws,
        width=len(columns),
        title=f"BIỂU ĐỒ XẾP LOẠI {subject_title(period)} NĂM {period.year}",
        subtitle="Số đơn vị theo xếp loại của từng khối",
    )
    table_header(ws, columns)
    row = HEADER_ROW
    for group, per_tier in counts:
        row += 1
        table_row(ws, [(group.name, None, LEFT), *integers([per_tier[label] for label in labels])])
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
    print_setup(ws, width=len(columns), freeze="B", last_row=last_row, one_page=True)


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
    title_block(
        ws,
        # Over the columns of the first printed page, not across every leaf of the sheet.
        width=min(width, max(len(shown) + len(parts), 3)),
        title=f"CHI TIẾT ĐIỂM TỪNG TIÊU CHÍ - {subject_title(period)} NĂM {period.year}",
        subtitle="Điểm tự đánh giá, điểm thẩm định và điểm cuối cùng của từng đơn vị (KPS: không phát sinh)",
    )
    # Two header rows: the fixed columns span both; each leaf's code spans its score columns.
    second = HEADER_ROW + 1
    top: list[Cell] = []
    below: list[Cell] = []
    merged: list[tuple[int, int, int]] = []
    for column, spec in enumerate(shown, start=1):
        top.append(header_cell(ws, spec.header))
        below.append(header_cell(ws, None))
        merged.append((column, second, column))
        ws.column_dimensions[get_column_letter(column)].width = spec.width
    column = len(shown)
    for leaf in leaves:
        first = column + 1
        for _key, header, _attr in parts:
            column += 1
            top.append(header_cell(ws, leaf.code if column == first else None))
            below.append(header_cell(ws, header))
            ws.column_dimensions[get_column_letter(column)].width = 9
        if column > first:
            merged.append((first, HEADER_ROW, column))
    ws.row_dimensions[HEADER_ROW].height = 20
    ws.row_dimensions[second].height = 32
    ws.append(top)
    ws.append(below)
    for first, last_row, last in merged:
        ws.merge_cells(start_row=HEADER_ROW, start_column=first, end_row=last_row, end_column=last)

    styles = cell_styles(ws)
    for entry in data.entries:
        cells = table_cells(ws, [spec.cell(entry) for spec in shown])
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
                    cell = styled_cell(ws, styles, NOT_ARISING, font=FONT, alignment=CENTER, fill=fill)
                else:
                    value = getattr(values, attr) if values is not None else None
                    cell = styled_cell(
                        ws, styles, value, font=FONT, alignment=RIGHT, number_format=SCORE_FORMAT, fill=fill
                    )
                cells.append(cell)
        ws.append(cells)
    identity = 0
    for spec in shown:
        if spec.key not in DETAIL_IDENTITY_KEYS:
            break
        identity += 1
    print_setup(
        ws,
        width=width,
        freeze=get_column_letter(identity + 1),
        header_rows=2,
        wide=bool(leaves),
        title_columns=f"A:{get_column_letter(identity)}" if identity else None,
    )


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
    title_block(
        ws,
        width=len(columns),
        title=(
            f"SO SÁNH KẾT QUẢ {subject_title(period)} NĂM {period.year} VỚI NĂM {other.year}"
            if other
            else f"SO SÁNH KẾT QUẢ {subject_title(period)} QUA CÁC NĂM"
        ),
        subtitle="Thay đổi thứ hạng và xếp loại của từng đơn vị trong khối",
    )
    table_header(ws, columns)
    for group in comparison.groups:
        for movement in group.movements:
            if movement.is_new:
                note = "Mới"
            elif movement.moved_from is not None:
                note = f"Chuyển từ {movement.moved_from.name}"
            else:
                note = None
            table_row(
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
    print_setup(ws, width=len(columns), freeze="D")


def _tiers_per_year_sheet(ws: Worksheet, *, period: Period) -> None:
    """The agencies per tier of every year of the subject up to this one (published years and
    this one), as a table and as Excel's stacked column chart of it."""
    distribution = tier_distribution(period=period, visible=lambda p: p.phase == Phase.PUBLISHED)
    columns = [("Năm", 12), *((label, 12) for label in distribution.labels), ("Tổng", 10)]
    title_block(
        ws,
        width=len(columns),
        title=f"XẾP LOẠI {subject_title(period)} QUA CÁC NĂM",
        subtitle="Số đơn vị theo xếp loại của từng năm",
    )
    table_header(ws, columns)
    row = HEADER_ROW
    for year in distribution.years:
        row += 1
        numbers = [year.counts[label] for label in distribution.labels]
        # The year as text: a category of the chart, not a number to plot.
        table_row(ws, [(str(year.period.year), None, CENTER), *integers([*numbers, year.total])])
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
    print_setup(ws, width=len(columns), freeze="B", last_row=last_row, one_page=True)


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
    title_block(ws, width=len(columns), title=title, subtitle=subtitle)
    table_header(ws, columns)
    row = HEADER_ROW
    for values in rows:
        row += 1
        table_row(ws, values)
    if row > HEADER_ROW:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{row}"
    print_setup(ws, width=len(columns), freeze=freeze)
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
        title=f"TỔNG HỢP ĐIỂM BỊ TRỪ THEO TIÊU CHÍ - {subject_title(period)} NĂM {period.year}",
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
        title=f"TỶ LỆ ĐIỂM ĐẠT THEO LĨNH VỰC - {subject_title(period)} NĂM {period.year}",
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
        title=f"ĐỘ CHÍNH XÁC CỦA TỰ ĐÁNH GIÁ - {subject_title(period)} NĂM {period.year}",
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
        title=f"TỔNG HỢP KẾT QUẢ THẨM ĐỊNH THEO THẨM ĐỊNH VIÊN - {subject_title(period)} NĂM {period.year}",
        subtitle="Điều chỉnh so với điểm tự đánh giá và tỷ lệ giải trình được chấp nhận",
        columns=columns,
        rows=rows,
        freeze="B",
    )
