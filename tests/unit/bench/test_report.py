"""Issue 13's goals judged on one run's summary (bench/report.py)."""

from bench import report


def summary(*, vendor="postgresql", load=True, big=None):
    figures = [
        {
            "figure": "import_workbook (scores sheet alone)",
            "median_s": 9.0,
            "anchor": "openpyxl read-only parse",
            "anchor_median_s": 10.0,
            "ratio": 0.9,
            "second_anchor": "calamine parse alone",
            "second_anchor_median_s": 1.0,
            "second_ratio": 9.0,
        },
        {"figure": "export_results", "median_s": 0.3, "anchor": "w", "anchor_median_s": 0.1, "ratio": 3.0},
        {
            "figure": "compute_results (one period)",
            "median_s": 0.5,
            "anchor": "q",
            "anchor_median_s": 0.2,
            "ratio": 2.5,
        },
    ]
    if big is not None:
        figures.append({"figure": "compute_results, 10,000 agencies", "median_s": big})
    page = {"median_ms": 120.0, "bytes": 180_000, "queries": 7}
    result = {
        "database": {"vendor": vendor},
        "figures": figures,
        "pages": [
            {"figure": "public results page", **page},
            {"figure": "council's provisional results page", **page, "bytes": 200_001},
            {"figure": "self-assessment page, grid (agency officer)", **page, "median_ms": 100.0},
        ],
        "load": None,
    }
    if load:
        result["load"] = {
            "autosave": {"requests_per_s": 50.0, "errors": 0, "p50_ms": 900.0, "p95_ms": 1200.0},
            "minimal_write": {"requests_per_s": 100.0, "errors": 0},
            "saves_sent": 800,
            "saves_confirmed": 800,
            "versions_raised": 800,
        }
    return result


def held(rows):
    return {row["goal"]: row["pass"] for row in rows}


def test_each_goal_is_judged_against_its_own_limit():
    assert held(report.goals(summary(big=9.9))) == {
        "import ≤ 1 × openpyxl's parse": True,
        "import ≤ 3 × calamine's parse": False,
        "export ≤ 2 × a write-only workbook": False,
        "compute ≤ 2 × the SQL anchor": False,
        "compute of 10,000 agencies × 150 leaves < 10 s": True,
        "autosave ≥ 0.5 × the minimal write's throughput, 0 errors, 0 lost": True,
        "public results page": True,
        "council's provisional results page": False,
        "self-assessment grid, 150 leaves": False,
    }


def test_sqlite_compute_may_take_three_times_its_anchor_and_what_was_not_measured_is_not_held():
    rows = held(report.goals(summary(vendor="sqlite", load=False)))

    assert rows["compute ≤ 3 × the SQL anchor"] is True
    assert rows["compute of 10,000 agencies × 150 leaves < 10 s"] is None
    assert rows["autosave ≥ 0.5 × the minimal write's throughput, 0 errors, 0 lost"] is None


def test_a_lost_save_fails_the_autosave_goal_whatever_its_speed():
    run = summary()
    run["load"]["versions_raised"] = 799

    row = report.goals(run)[5]

    assert row["pass"] is False
    assert row["value"] == "50.0/s = 0.50 ×, p50 900 ms, p95 1200 ms, 0 errors, 1 lost"


def test_the_table_names_each_goal_with_its_figure_and_anchor():
    lines = report.table(report.goals(summary(big=12.0))).splitlines()

    assert lines[0].startswith("held    import ≤ 1 × openpyxl")
    assert "9.000 s = 0.90 ×  (anchor: openpyxl read-only parse 10.000 s)" in lines[0]
    assert lines[4].startswith("FAILED  compute of 10,000 agencies")
    assert lines[4].endswith("compute_results, 10,000 agencies: 12.00 s")
    assert lines[6].endswith("120.0 ms, 180.0 kB, 7 queries  (limit: ≤ 150 ms, ≤ 200 kB)")
