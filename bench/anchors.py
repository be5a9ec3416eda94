"""The anchors: the least the same work can cost on this machine, measured beside each figure.

- compute: one hand-written SQL query doing the sums, the index and RANK() per group;
- import: openpyxl's read-only parse of the same file (the reader the import used before),
  and calamine's parse alone (the reader it uses);
- export: openpyxl's write-only workbook of the same cells, unstyled.
"""

from __future__ import annotations

from pathlib import Path

from django.db import connection
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

# The arithmetic of WORKBOOK.md in one statement: per assessment, the final scores of the
# leaves that apply to the agency's group and arose, in the reviewer's word once given
# (deductions negative and floored, bonus capped), the maximum of the base leaves, the index,
# and the rank in the group by index.
# Both PostgreSQL and SQLite (≥ 3.25) run window functions; they differ in the names of the
# two-argument min/max.
RANKING_SQL = """
WITH per_assessment AS (
    SELECT a.id AS assessment_id,
           ag.group_id AS group_id,
           SUM(CASE
                   WHEN COALESCE(s.reviewer_not_arising, s.not_arising) OR s.final_score IS NULL THEN 0
                   WHEN c.method = 'deduction' THEN {greatest}(-ABS(s.final_score), -c.max_points)
                   WHEN c.method = 'bonus' THEN {least}(s.final_score, c.max_points)
                   ELSE s.final_score
               END) AS raw_total,
           SUM(CASE
                   WHEN COALESCE(s.reviewer_not_arising, s.not_arising)
                        OR c.method IN ('deduction', 'bonus') THEN 0
                   ELSE c.max_points
               END) AS maximum
    FROM {score} s
    JOIN {criterion} c ON c.id = s.criterion_id
    JOIN {assessment} a ON a.id = s.assessment_id
    JOIN {agency} ag ON ag.id = a.agency_id
    WHERE a.period_id = %s
      AND (NOT EXISTS (SELECT 1 FROM {criterion_groups} cg WHERE cg.criterion_id = c.id)
           OR EXISTS (SELECT 1 FROM {criterion_groups} cg
                      WHERE cg.criterion_id = c.id AND cg.agencygroup_id = ag.group_id))
    GROUP BY a.id, ag.group_id
),
indexed AS (
    SELECT assessment_id, group_id,
           {greatest}(raw_total, 0) AS total,
           maximum,
           CASE WHEN maximum > 0 THEN {greatest}(raw_total, 0) * 100.0 / maximum ELSE 0 END AS idx
    FROM per_assessment
)
SELECT assessment_id, group_id, total, maximum, idx,
       RANK() OVER (PARTITION BY group_id ORDER BY idx DESC) AS group_rank
FROM indexed
"""


def ranking_sql() -> str:
    from accounts.models import Agency
    from ranking.models import Assessment, Criterion, Score

    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        greatest, least = "GREATEST", "LEAST"
    elif connection.vendor == "sqlite":
        greatest, least = "MAX", "MIN"
    else:  # pragma: no cover - the project supports these two
        raise RuntimeError(f"no anchor query for {connection.vendor}")
    return RANKING_SQL.format(
        greatest=greatest,
        least=least,
        score=quote(Score._meta.db_table),
        criterion=quote(Criterion._meta.db_table),
        assessment=quote(Assessment._meta.db_table),
        agency=quote(Agency._meta.db_table),
        criterion_groups=quote(Criterion.groups.through._meta.db_table),
    )


def ranking_query(period_id: int) -> list[tuple]:
    """(assessment id, group id, total, maximum, index, rank in group) of every assessment."""
    with connection.cursor() as cursor:
        cursor.execute(ranking_sql(), [period_id])
        return cursor.fetchall()


def parse_workbook(path: Path) -> int:
    """Read every row's values of every sheet, read-only; returns the number of rows."""
    book = load_workbook(path, read_only=True, data_only=True)
    rows = 0
    try:
        for sheet in book.worksheets:
            for _values in sheet.iter_rows(values_only=True):
                rows += 1
    finally:
        book.close()
    return rows


def calamine_workbook(path: Path) -> int:
    """Read every row's values of every sheet with calamine; returns the number of rows."""
    book = CalamineWorkbook.from_path(str(path))
    rows = 0
    try:
        for name in book.sheet_names:
            for _values in book.get_sheet_by_name(name).to_python(skip_empty_area=False):
                rows += 1
    finally:
        book.close()
    return rows


def workbook_cells(path: Path) -> list[tuple[str, list[tuple]]]:
    """Every sheet's rows of values (untimed: what the export anchor writes again)."""
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return [(sheet.title, list(sheet.iter_rows(values_only=True))) for sheet in book.worksheets]
    finally:
        book.close()


def write_workbook(path: Path, sheets: list[tuple[str, list[tuple]]]) -> None:
    """The same cells, write-only and unstyled."""
    book = Workbook(write_only=True)
    for title, rows in sheets:
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    book.save(path)
