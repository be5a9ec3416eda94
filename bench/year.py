"""Time a whole year through the public commands: import_workbook, compute_results, export_results.

Builds a synthetic year workbook (agencies × leaves) — or, with --demo, the demo city's
years exported as a workbook — runs the three commands on a fresh test database of the
configured engine (DATABASE_URL) and prints a JSON summary.

    .venv/bin/python bench/year.py --agencies 1000 --leaves 150
    .venv/bin/python bench/year.py --demo
"""

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

TIERS = [("Rất tốt", 90), ("Tốt", 80), ("Khá", 70), ("Trung bình", 50), ("Yếu", 0)]


def synthetic_workbook(path: Path, *, agencies: int, leaves: int, groups: int, seed: int = 2026) -> int:
    """Write the year workbook; returns the number of score rows."""
    rng = random.Random(seed)
    book = Workbook(write_only=True)

    def sheet(name, header, rows):
        ws = book.create_sheet(name)
        ws.append(header)
        for row in rows:
            ws.append(row)

    sheet(
        "Khoi", ["Mã khối", "Tên khối", "Thứ tự"], ([f"K{g}", f"Khối {g}", g] for g in range(1, groups + 1))
    )
    sheet(
        "DonVi",
        ["Mã đơn vị", "Tên đơn vị", "Mã khối"],
        ([f"DV{a:05d}", f"Đơn vị {a}", f"K{a % groups + 1}"] for a in range(agencies)),
    )
    sheet(
        "KyDanhGia",
        [
            "Mã kỳ",
            "Năm",
            "Lĩnh vực",
            "Tên kỳ",
            "Kỳ trước",
            "Khen thưởng từ xếp loại",
            "Khen thưởng tối đa mỗi khối",
        ],
        [["CCHC-2030", 2030, "CCHC", "CCHC 2030", None, "Rất tốt", 10]],
    )
    sheet(
        "XepLoai",
        ["Mã kỳ", "Thứ tự", "Xếp loại", "Chỉ số tối thiểu"],
        ([["CCHC-2030", i, label, bound] for i, (label, bound) in enumerate(TIERS, start=1)]),
    )
    fields = 10
    per_field = leaves // fields
    codes = []
    criteria = []
    for f in range(1, fields + 1):
        criteria.append(["CCHC-2030", str(f), f"Lĩnh vực {f}", None, None])
        for leaf in range(1, per_field + 1):
            method = "survey" if f == fields else "number"
            codes.append((f"{f}.{leaf}", method))
            criteria.append(["CCHC-2030", f"{f}.{leaf}", f"Tiêu chí {f}.{leaf}", 1, method])
    sheet("TieuChi", ["Mã kỳ", "Mã tiêu chí", "Nội dung", "Điểm tối đa", "Phương thức"], criteria)

    def scores():
        for a in range(agencies):
            skill = rng.uniform(0.55, 1.0)
            for code, _method in codes:
                value = min(1.0, max(0.0, round(rng.gauss(skill, 0.15) * 4) / 4))
                yield ["CCHC-2030", f"DV{a:05d}", code, value, value]

    sheet("Diem", ["Mã kỳ", "Mã đơn vị", "Mã tiêu chí", "Điểm tự đánh giá", "Điểm thẩm định"], scores())
    book.save(path)
    return agencies * len(codes)


def demo_workbook(path: Path) -> int:
    """The demo city exported as a year workbook, then wiped: the import starts from nothing."""
    from ranking.models import Score
    from ranking.services.workbook import workbook_export

    call_command("seed_demo", stdout=StringIO())
    rows = Score.objects.count()
    workbook_export().save(path)
    call_command("flush", interactive=False, verbosity=0)
    return rows


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return round(time.perf_counter() - start, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--leaves", type=int, default=150)
    parser.add_argument("--groups", type=int, default=5)
    parser.add_argument("--demo", action="store_true", help="the demo city's years instead")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-year-"))
    source = workdir / "year.xlsx"
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        # A file, as in production use, not the in-memory database tests use.
        connection.settings_dict["TEST"]["NAME"] = str(workdir / "bench.sqlite3")
    else:
        # Its own database: never the one a concurrent test run is using.
        connection.settings_dict["TEST"]["NAME"] = f"bench_{old_name}"
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        out = StringIO()
        if args.demo:
            rows = demo_workbook(source)
            period = "CCHC-2025"
        else:
            rows = synthetic_workbook(source, agencies=args.agencies, leaves=args.leaves, groups=args.groups)
            period = "CCHC-2030"
        figures = {
            "import_workbook_s": timed(lambda: call_command("import_workbook", str(source), stdout=out)),
            "compute_results_s": timed(lambda: call_command("compute_results", period, stdout=out)),
            "export_results_s": timed(
                lambda: call_command("export_results", period, str(workdir / "out.xlsx"), stdout=out)
            ),
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "test_database": test_name,
                "data": "demo city, every period"
                if args.demo
                else f"{args.agencies} agencies × {args.leaves} leaves",
                "score_rows": rows,
                **figures,
                "machine": machine,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
