"""The batch figures: import_workbook, compute_results and export_results, each beside its anchor."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import connection

from . import anchors, profiling


def seconds(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def measured(function: Callable[[], object], repeat: int) -> dict:
    """Median of `repeat` runs, with every run (seconds, 4 decimals)."""
    runs = [seconds(function) for _ in range(repeat)]
    return {"median_s": round(statistics.median(runs), 4), "runs_s": [round(r, 4) for r in runs]}


def figure(name: str, value: dict, anchor_name: str, anchor: dict, goal: float) -> dict:
    ratio = value["median_s"] / anchor["median_s"] if anchor["median_s"] else None
    return {
        "figure": name,
        **value,
        "anchor": anchor_name,
        "anchor_median_s": anchor["median_s"],
        "anchor_runs_s": anchor["runs_s"],
        "ratio": round(ratio, 2) if ratio is not None else None,
        "goal": f"≤ {goal:g} × anchor",
        "pass": ratio is not None and ratio <= goal,
    }


def command(*args: str) -> Callable[[], None]:
    def run() -> None:
        call_command(*args, stdout=StringIO(), stderr=StringIO())

    return run


def import_figure(paths: list[Path], *, rows: int, repeat: int) -> dict:
    """Import each scores sheet once, each into its own fresh period (a second import of the
    same sheet would find every row unchanged): the median of those runs, beside the two
    parses of the first file — openpyxl's read-only parse (goal ≤ 1 ×) and calamine's parse
    alone (goal ≤ 3 ×)."""
    runs = [
        seconds(profiling.wrap("import_workbook", command("import_workbook", str(path)))) for path in paths
    ]
    value = {"median_s": round(statistics.median(runs), 4), "runs_s": [round(r, 4) for r in runs]}
    anchor = measured(lambda: anchors.parse_workbook(paths[0]), repeat)
    result = figure("import_workbook (scores sheet alone)", value, "openpyxl read-only parse", anchor, goal=1)
    parse = measured(lambda: anchors.calamine_workbook(paths[0]), repeat)
    parse_ratio = value["median_s"] / parse["median_s"] if parse["median_s"] else None
    result.update(
        {
            "second_anchor": "calamine parse alone",
            "second_anchor_median_s": parse["median_s"],
            "second_anchor_runs_s": parse["runs_s"],
            "second_ratio": round(parse_ratio, 2) if parse_ratio is not None else None,
            "second_goal": "≤ 3 × second anchor",
        }
    )
    result["pass"] = result["pass"] and parse_ratio is not None and parse_ratio <= 3
    result["rows"] = rows
    result["rows_per_s"] = round(rows / value["median_s"])
    return result


def compute_figure(
    period, *, repeat: int, name: str = "compute_results (one period)", within_s: float | None = None
) -> dict:
    """compute_results of `period` beside the anchor query. `within_s`: a goal in seconds as
    well (the large period of `--compute-agencies`)."""
    value = measured(profiling.wrap(name, command("compute_results", period.code)), repeat)
    anchor = measured(lambda: anchors.ranking_query(period.id), repeat)
    goal = 2 if connection.vendor == "postgresql" else 3
    result = figure(name, value, "one SQL query with RANK()", anchor, goal=goal)
    if within_s is not None:
        result["goal"] += f", < {within_s:g} s"
        result["pass"] = result["pass"] and value["median_s"] < within_s
        result["within_s_pass"] = value["median_s"] < within_s
    result["agrees"] = anchor_agrees(period)
    return result


def anchor_agrees(period) -> dict:
    """Untimed check that the anchor does the same arithmetic: its index is the stored one."""
    from ranking.models import Assessment, Result

    rows = anchors.ranking_query(period.id)
    agency_of = dict(Assessment.objects.filter(period=period).values_list("id", "agency_id"))
    stored = dict(Result.objects.filter(period=period).values_list("agency_id", "index"))
    same_index = sum(
        1
        for assessment_id, _group, _total, _maximum, index, _rank in rows
        if abs(Decimal(str(index)) - stored.get(agency_of[assessment_id], Decimal(-1))) < Decimal("1E-6")
    )
    return {"agencies": len(rows), "same_index": same_index}


def export_figure(period, workdir: Path, *, repeat: int) -> dict:
    out = workdir / "results.xlsx"
    value = measured(
        profiling.wrap("export_results", command("export_results", period.code, str(out))), repeat
    )
    cells = anchors.workbook_cells(out)
    anchor = measured(lambda: anchors.write_workbook(workdir / "anchor.xlsx", cells), repeat)
    result = figure("export_results", value, "openpyxl write-only, unstyled", anchor, goal=2)
    result["cells"] = sum(len(row) for _title, rows in cells for row in rows)
    result["sheets"] = len(cells)
    return result
