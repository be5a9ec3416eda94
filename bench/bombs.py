"""Peak memory and time of importing crafted workbooks ("bombs"), each in a process of its own.

    .venv/bin/python bench/bombs.py                 # every bomb, through the command and the admin
    .venv/bin/python bench/bombs.py --cap-mb 3000 --timeout 300 rows shared-strings

Each bomb is a workbook of a few hundred kilobytes that unpacks into far more than a year's
data (tests/crafted.py writes them). Each is imported in a child process, as
`import_workbook --dry-run` does (the command and the browser job share `workbook_import`)
and as the admin site's preview reads its sheet; the child's address space is capped
(`--cap-mb`) and its time limited (`--timeout`), so a bomb that would take the machine down
ends as "over the cap" instead. The parent reports each child's peak resident memory
(`ru_maxrss` of `wait4`), its time and its outcome, as JSON on stdout. The database is an
SQLite file in a temporary directory, migrated once.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [str(ROOT)] + [p for p in sys.path if p != HERE]

from tests.crafted import shared_strings_xml, sheet_xml, xlsx_bytes  # noqa: E402

DIEM = ["Mã kỳ", "Mã đơn vị", "Mã tiêu chí", "Điểm tự đánh giá", "Điểm thẩm định"]
SCORE = ["CCHC-2030", "DV0001", "1.1", 1, 1]


def rows_bomb():
    """A million score rows without references (readers count them), all alike: they pack tight."""
    return xlsx_bytes({"Diem": sheet_xml([DIEM, *([SCORE] * 1_000_000)], numbered=False)})


def wide_bomb(sheet: str):
    """100,000 rows, each with one cell in the last column Excel has (XFD), the header row too:
    a reader pads every row to 16,384 cells."""

    def rows():
        yield b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        yield b'<row r="1">' + b"".join(
            f'<c r="{letter}1" t="inlineStr"><is><t>{title}</t></is></c>'.encode()
            for letter, title in zip("ABCDE", DIEM, strict=True)
        ) + b'<c r="XFD1"><v>1</v></c></row>'
        for number in range(2, 100_002):
            cells = f'<c r="A{number}"><v>1</v></c><c r="XFD{number}"><v>1</v></c>'
            yield f'<row r="{number}">{cells}</row>'.encode()
        yield b"</sheetData></worksheet>"

    return xlsx_bytes({sheet: rows()})


def dimension_bomb(sheet: str):
    """100,000 score rows of five cells under a `<dimension>` claiming 16,384 columns: a reader
    that trusts it pads every row to that width."""
    return xlsx_bytes({sheet: sheet_xml([DIEM, *([SCORE] * 100_000)], dimension="A1:XFD100001")})


def shared_strings_bomb():
    """A table of 20 million shared strings (360 MB of XML) behind a two-row sheet."""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )
    return xlsx_bytes({"Diem": sheet}, shared_strings=shared_strings_xml("ab" for _ in range(20_000_000)))


def shared_strings_within_limits():
    """A table of short shared strings as large as the default limits let a workbook be (150 MB
    unpacked) behind a two-cell sheet: refused now for holding more texts than its cells can
    show. Run it with the packing ratio lifted (`--setting IMPORT_MAX_PACKING_RATIO=100000`):
    strings that pack less tightly pass the ratio and cost the same."""
    count = (150 * 1024 * 1024 - 4096) // len(b"<si><t>ab</t></si>")
    strings = shared_strings_xml("ab" for _ in range(count))
    return xlsx_bytes({"Diem": sheet_xml([["Mã kỳ"], ["CCHC-2030"]])}, shared_strings=strings)


def shared_strings_and_cells_within_limits():
    """The most shared texts a workbook within every default limit can make a reader keep:
    3.2 million, each shown by one of 3.2 million cells (266,667 rows of 12), 144 MB unpacked
    in all. The header names no column of Diem, so the import stops after reading."""

    def rows():
        yield b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        header = "".join(f'<c t="inlineStr"><is><t>C{n}</t></is></c>' for n in range(12))
        yield f"<row>{header}</row>".encode()
        for first in range(0, 3_200_000, 12):
            cells = "".join(f'<c t="s"><v>{first + n}</v></c>' for n in range(12))
            yield f"<row>{cells}</row>".encode()
        yield b"</sheetData></worksheet>"

    strings = shared_strings_xml(f"{n % 1000:03d}"[:2] for n in range(3_200_004))
    return xlsx_bytes({"Diem": rows()}, shared_strings=strings)


BOMBS = {
    "rows": rows_bomb,
    "wide": lambda: wide_bomb("Diem"),
    "wide-other-sheet": lambda: wide_bomb("Sheet1"),
    "dimension": lambda: dimension_bomb("Diem"),
    "dimension-other-sheet": lambda: dimension_bomb("Sheet1"),
    "shared-strings": shared_strings_bomb,
    "shared-strings-within-limits": shared_strings_within_limits,
    "shared-strings-and-cells-within-limits": shared_strings_and_cells_within_limits,
}
# Built on request only (`bench/bombs.py shared-strings-within-limits …`): the worst the limits
# let through, not bombs of the issue.
DEFAULT_BOMBS = [name for name in BOMBS if "within-limits" not in name]
PATHS = ["command", "admin"]


def child(path: str, file: str, cap_mb: int) -> None:
    """Import `file` the way `path` does, within `cap_mb` megabytes of address space."""
    cap = cap_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    if path == "command":
        try:
            call_command("import_workbook", file, "--dry-run", "--no-progress")
        except CommandError as error:
            print(f"refused: {error}", file=sys.stderr)
    else:
        from ranking.workbook.admin import sheet_format
        from ranking.workbook.resources import ScoreResource

        data = Path(file).read_bytes()
        try:
            dataset = sheet_format(ScoreResource)().create_dataset(data)
        except Exception as error:  # what the admin shows as "… encountered while trying to read file"
            print(f"refused: {error.__class__.__name__}: {error}"[:2000], file=sys.stderr)
        else:
            print(f"read {len(dataset)} rows", file=sys.stderr)


def measure(path: str, file: Path, *, cap_mb: int, timeout: float, env: dict) -> dict:
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(
            [sys.executable, __file__, "--child", path, str(file), "--cap-mb", str(cap_mb)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        timed_out = False
        while True:
            # wait4 gives this child's own resource usage, its peak resident memory included.
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                os.killpg(process.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                timed_out = True
                break
            time.sleep(0.2)
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        lines = [line for line in output.read().splitlines() if line.strip()]
    elapsed = time.perf_counter() - started
    if timed_out:
        outcome = f"still running after {timeout:.0f} s: stopped"
    elif any("MemoryError" in line for line in lines):
        outcome = f"over the {cap_mb} MB cap (MemoryError)"
    else:
        outcome = " | ".join(lines[-3:])[:400]
    return {
        "seconds": round(elapsed, 1),
        "returncode": process.returncode,
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "outcome": outcome,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("bombs", nargs="*", help=f"some of: {', '.join(BOMBS)} (default: all)")
    parser.add_argument("--cap-mb", type=int, default=3000)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--paths", nargs="*", default=PATHS, choices=PATHS)
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the children, from the environment (e.g. IMPORT_MAX_PACKING_RATIO=100000)",
    )
    parser.add_argument("--child", nargs=2, metavar=("PATH", "FILE"))
    options = parser.parse_args()
    unknown = set(options.bombs) - set(BOMBS)
    if unknown:
        parser.error(f"unknown bombs: {', '.join(sorted(unknown))}")
    if options.child:
        child(*options.child, options.cap_mb)
        return

    work = Path(tempfile.mkdtemp(prefix="bombs-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "PYTHONPATH": str(ROOT),
        **dict(setting.split("=", 1) for setting in options.setting),
    }
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True)
    report = []
    for name in options.bombs or DEFAULT_BOMBS:
        file = work / f"{name}.xlsx"
        file.write_bytes(BOMBS[name]())
        for path in options.paths:
            result = measure(path, file, cap_mb=options.cap_mb, timeout=options.timeout, env=env)
            row = {"bomb": name, "file_kb": round(file.stat().st_size / 1024), "path": path, **result}
            if options.setting:
                row["settings"] = options.setting
            print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
            report.append(row)
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
