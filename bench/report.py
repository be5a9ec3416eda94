"""The goals of issue 13, each judged on one run's figures, and a table of them for the terminal.

Every goal compares a figure with its anchor measured in the same run (a ratio), or with a
fixed limit where the issue sets one (pages in ms and kB, the 10,000-agency compute in s).
A goal whose figure the run did not measure (`--skip-load`, no `--compute-agencies`) is
reported as not measured, never as held.
"""

from __future__ import annotations

from collections.abc import Iterable

KB = 1000


def _figure(figures: Iterable[dict], *names: str) -> dict | None:
    for item in figures:
        if item.get("figure") in names:
            return item
    return None


def _goal(goal: str, held: bool | None, value: str, anchor: str = "", *, label: str = "anchor") -> dict:
    return {"goal": goal, "value": value, "anchor": anchor, "label": label, "pass": held}


def _ratio_goal(goal: str, figure: dict | None, limit: float, *, second: bool = False) -> dict:
    if figure is None:
        return _goal(goal, None, "not measured")
    ratio = figure.get("second_ratio" if second else "ratio")
    anchor_s = figure.get("second_anchor_median_s" if second else "anchor_median_s")
    anchor = figure.get("second_anchor" if second else "anchor", "")
    return _goal(
        goal,
        ratio is not None and ratio <= limit,
        f"{figure['median_s']:.3f} s = {ratio:.2f} ×" if ratio is not None else f"{figure['median_s']:.3f} s",
        f"{anchor} {anchor_s:.3f} s" if anchor_s is not None else anchor,
    )


def _page_goal(goal: str, page: dict | None, *, max_ms: float, max_kb: float) -> dict:
    if page is None:
        return _goal(goal, None, "not measured")
    kb = page["bytes"] / KB
    return _goal(
        goal,
        page["median_ms"] <= max_ms and kb <= max_kb,
        f"{page['median_ms']:.1f} ms, {kb:.1f} kB, {page['queries']} queries",
        f"≤ {max_ms:g} ms, ≤ {max_kb:g} kB",
        label="limit",
    )


def _load_goal(load: dict | None) -> list[dict]:
    goal = "autosave ≥ 0.5 × the minimal write's throughput, 0 errors, 0 lost"
    if not load:
        return [_goal(goal, None, "not measured (--skip-load)")]
    save, floor = load["autosave"], load["minimal_write"]
    ratio = save["requests_per_s"] / floor["requests_per_s"] if floor["requests_per_s"] else None
    lost = load["saves_confirmed"] - load["versions_raised"]
    held = (
        ratio is not None
        and ratio >= 0.5
        and save["errors"] == 0
        and floor["errors"] == 0
        and lost == 0
        and load["saves_sent"] == load["saves_confirmed"]
    )
    return [
        _goal(
            goal,
            held,
            f"{save['requests_per_s']:.1f}/s = {ratio:.2f} ×, p50 {save['p50_ms']:.0f} ms, "
            f"p95 {save['p95_ms']:.0f} ms, {save['errors']} errors, {lost} lost"
            if ratio is not None
            else "no minimal write measured",
            f"minimal write {floor['requests_per_s']:.1f}/s",
        )
    ]


def goals(summary: dict) -> list[dict]:
    """Issue 13's goals on the figures of one run, in the issue's order."""
    figures = summary.get("figures", [])
    pages = summary.get("pages", [])
    vendor = summary.get("database", {}).get("vendor")
    importing = _figure(figures, "import_workbook (scores sheet alone)")
    compute_limit = 2 if vendor == "postgresql" else 3
    big = next((f for f in figures if f.get("figure", "").startswith("compute_results, ")), None)
    rows = [
        _ratio_goal("import ≤ 1 × openpyxl's parse", importing, 1),
        _ratio_goal("import ≤ 3 × calamine's parse", importing, 3, second=True),
        _ratio_goal("export ≤ 2 × a write-only workbook", _figure(figures, "export_results"), 2),
        _ratio_goal(
            f"compute ≤ {compute_limit} × the SQL anchor",
            _figure(figures, "compute_results (one period)"),
            compute_limit,
        ),
        _goal(
            "compute of 10,000 agencies × 150 leaves < 10 s",
            None if big is None else big["median_s"] < 10,
            "not measured (--compute-agencies)"
            if big is None
            else f"{big['figure']}: {big['median_s']:.2f} s",
        ),
        *_load_goal(summary.get("load")),
        _page_goal(
            "public results page",
            _figure(pages, "public results page"),
            max_ms=150,
            max_kb=200,
        ),
        _page_goal(
            "council's provisional results page",
            _figure(pages, "council's provisional results page"),
            max_ms=150,
            max_kb=200,
        ),
        _page_goal(
            "self-assessment grid, 150 leaves",
            _figure(pages, "self-assessment page, grid (agency officer)"),
            max_ms=100,
            max_kb=150,
        ),
    ]
    return rows


def table(rows: list[dict]) -> str:
    """The goals as aligned lines: held, goal, figure, anchor."""
    marks = {True: "held", False: "FAILED", None: "—"}
    width = max(len(row["goal"]) for row in rows)
    lines = [
        f"{marks[row['pass']]:6}  {row['goal']:{width}}  {row['value']}"
        + (f"  ({row['label']}: {row['anchor']})" if row["anchor"] else "")
        for row in rows
    ]
    return "\n".join(lines)
