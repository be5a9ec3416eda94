"""The conference workbook of a period (openpyxl), laid out like the official annex.

Its sheet names and header texts are a public contract (docs/workbook.md): they are written in
Vietnamese, literally, whatever the active language, so that scripts reading the file keep
working. `conference_workbook` is that contract: one sheet per group, `Tổng hợp` and
`Khen thưởng`; the conference pack (`ranking.reports.exports.pack`) reuses its sheets.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import AgencyGroup
from ranking.bulk import collector_paused
from ranking.cells import sheet_title
from ranking.enums import Subject
from ranking.models import AwardEntry, Criterion, Period, Result
from ranking.reports.exports.styles import (
    CENTER,
    CHANGE_FORMAT,
    INTEGER_FORMAT,
    LEFT,
    RIGHT,
    SCORE_FORMAT,
    integers,
    print_setup,
    table_header,
    table_row,
    title_block,
)
from ranking.results.publications import ResultsView, shown_results

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
        group_sheet(
            workbook.create_sheet(title),
            period=period,
            group_name=group.name,
            fields=fields,
            results=group_results,
        )

    summary_sheet(workbook.create_sheet(SUMMARY_SHEET), period=period, labels=labels, counts=counts)
    awards_sheet(
        workbook.create_sheet(AWARDS_SHEET), period=period, entries=awards, approved=source.awards_approved
    )
    standings_sheet(workbook, period=period, source=source)
    return workbook


def conference_workbook_bytes(*, period: Period, source: ResultsView | None = None) -> bytes:
    """The conference workbook as the bytes of an .xlsx file."""
    buffer = BytesIO()
    conference_workbook(period=period, source=source).save(buffer)
    return buffer.getvalue()


def group_sheets(
    workbook: Workbook, *, period: Period, source: ResultsView, taken: set[str], keys: Sequence[str]
) -> None:
    fields = source.fields
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
) -> None:
    shown = [c for c in GROUP_COLUMNS if c.key in keys]
    columns: list[tuple[str, float]] = []
    for column in shown:
        if column.key == "fields":
            columns.extend((field.code, column.width) for field in fields)
        else:
            columns.append((column.header, column.width))
    title_block(
        ws,
        width=len(columns),
        title=f"KẾT QUẢ XẾP HẠNG {subject_title(period)} NĂM {period.year}",
        subtitle=group_name,
    )
    table_header(ws, columns)
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
        table_row(ws, values)
    print_setup(ws, width=len(columns), freeze=_freeze_after(shown))


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


def awards_sheet(ws: Worksheet, *, period: Period, entries: Sequence[AwardEntry], approved: bool) -> None:
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
                (result.index if result else None, SCORE_FORMAT, RIGHT),
                (result.tier.label if result else None, None, CENTER),
            ],
        )
    print_setup(ws, width=len(columns), freeze="D")


def _decimal(value: str | None) -> Decimal | None:
    # Field scores are kept as decimal strings in JSON; Excel needs numbers.
    return None if value is None else Decimal(value)


def standings_sheet(workbook: Workbook, *, period: Period, source: ResultsView) -> None:
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
