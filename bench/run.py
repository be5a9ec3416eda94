"""`make bench`: the figures of issue 4 ("Speed"), each beside its anchor, in one run.

Builds a synthetic year (default 1,000 agencies in 5 groups × 150 leaves, two periods, the
second comparing with the first) on a fresh database of the configured engine (DATABASE_URL;
its own test database "bench_<name>", or an SQLite file in a temporary directory), measures

- compute_results of one period      vs one SQL query with RANK() per group       (≤ 3 ×)
- import_workbook of the scores sheet vs openpyxl's read-only parse of the file   (≤ 1 ×)
  (median of --repeat imports, each into a fresh period) and calamine's parse     (≤ 3 ×)
- export_results                      vs openpyxl write-only of the same cells     (≤ 3 ×)
- the self-assessment page (150 leaves) and the results pages (1,000 agencies): median
  server time and queries
- score autosave under load (gunicorn, 2 sync workers or --threads, 50 officers on loopback)
  vs the minimal signed-in write (one UPDATE, commit) on the same server           (≥ 0.5 ×)
  with 0 errors and 0 lost saves; a bare Django view as a diagnostic

and prints a JSON summary (progress goes to stderr).

    .venv/bin/python bench/run.py                       # the default size
    .venv/bin/python bench/run.py --agencies 100 --duration 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/run.py
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [str(ROOT)] + [p for p in sys.path if p != HERE]
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
SECRET_KEY = secrets.token_urlsafe(50)
os.environ["BENCH_SECRET_KEY"] = SECRET_KEY
# Read by bench/settings.py, here and in gunicorn: set before Django reads its settings.
if "--sqlite-immediate" in sys.argv[1:]:
    os.environ["BENCH_SQLITE_IMMEDIATE"] = "1"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench import batch, data, load, pages, profiling, report  # noqa: E402
from bench.machine import database, load_average, machine  # noqa: E402

STARTED = time.perf_counter()


def say(message: str) -> None:
    print(f"[bench {time.perf_counter() - STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--leaves", type=int, default=150, help="leaves of the criteria tree (≥ 20)")
    parser.add_argument("--groups", type=int, default=5)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of compute, export, the anchors, and imports (each into a fresh period)",
    )
    parser.add_argument("--requests", type=int, default=20, help="requests per page")
    parser.add_argument("--clients", type=int, default=50, help="concurrent officers in the load test")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (more than 1: gthread workers)"
    )
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of each load phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each phase")
    parser.add_argument("--budget", type=int, default=100_000, help="most requests of one load phase")
    parser.add_argument("--skip-load", action="store_true", help="no gunicorn load test")
    parser.add_argument(
        "--sqlite-immediate",
        action="store_true",
        help="SQLite only: IMMEDIATE write transactions, busy timeout and WAL (see bench/settings.py)",
    )
    parser.add_argument("--profile", type=Path, help="profile the measured work into this directory")
    parser.add_argument(
        "--keep", action="store_true", help="keep the test database and work directory (to investigate)"
    )
    parser.add_argument("--output", type=Path, help="also write the JSON summary to this file")
    parser.add_argument(
        "--compute-agencies",
        type=int,
        metavar="N",
        help="also time compute_results of a period of N agencies (written in bulk, untimed), last",
    )
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.leaves < 20 or args.agencies < args.clients or args.agencies < args.groups:
        parser.error("need --leaves ≥ 20, and at least as many agencies as --clients and --groups")
    if args.workers < 1 or args.threads < 1:
        parser.error("--workers and --threads must be at least 1")
    if not 0 < args.duration <= 300 or not 0 <= args.warmup <= 60:
        parser.error("--duration must be in (0, 300] s and --warmup in [0, 60] s")
    return args


def test_database(workdir: Path) -> tuple[str, str]:
    """Create the benchmark's own database; returns (the original name, the benchmark's)."""
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        # A file, as in production use (and so that gunicorn's workers share it).
        connection.settings_dict["TEST"]["NAME"] = str(workdir / "bench.sqlite3")
    else:
        # Its own database: never the name a concurrent test run uses (test_<name>).
        connection.settings_dict["TEST"]["NAME"] = f"bench_{old_name}"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return old_name, name


def settle() -> None:
    """Leave no maintenance of the untimed setup to run during the timed work.

    The setup writes 300,000 score and history rows; PostgreSQL's autovacuum would vacuum
    and analyse them at some moment of the timed import or compute, on the same 2 cores.
    Doing it now, untimed, makes every run start from the same state.
    """
    if connection.vendor == "postgresql":
        say("VACUUM ANALYZE after the setup (untimed)")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def goals(figures: list[dict], load_result: dict | None) -> dict:
    held = {f["figure"]: f["pass"] for f in figures}
    if load_result:
        # Issue 13, item 4: ≥ 0.5 × the minimal write's throughput, 0 errors, 0 lost saves.
        held["autosave under load"] = load_result["pass"]
    return held


def autosave_load(args, *, officers, year_leaves, database_name: str, workdir: Path) -> dict:
    from ranking.models import Assessment, Score

    clients = []
    for officer in officers[: args.clients]:
        assessment = Assessment.objects.get(period__code=year_leaves["period"], agency_id=officer.agency_id)
        leaves = year_leaves["leaves"]
        versions = dict(
            Score.objects.filter(assessment=assessment, criterion_id__in=leaves).values_list(
                "criterion_id", "version"
            )
        )
        score_id = Score.objects.filter(assessment=assessment, criterion_id=leaves[0]).values_list(
            "id", flat=True
        )[0]
        clients.append(
            load.Officer(
                username=officer.username,
                password=data.PASSWORD,
                assessment_id=assessment.id,
                leaves=leaves,
                versions=versions,
                score_id=score_id,
            )
        )
    before = sum(sum(c.versions.values()) for c in clients)
    # SQLite: let gunicorn's workers have the file to themselves.
    connection.close()
    server_kind = (
        f"{args.workers} gthread workers × {args.threads} threads"
        if args.threads > 1
        else f"{args.workers} sync workers"
    )
    say(f"load: gunicorn, {server_kind}, {len(clients)} officers, {args.duration:g} s per phase")
    with load.Server(
        workers=args.workers,
        threads=args.threads,
        database_name=database_name,
        secret_key=SECRET_KEY,
        log=workdir / "gunicorn.log",
    ) as server:
        result = asyncio.run(
            load.load_test(
                clients, port=server.port, duration=args.duration, warmup=args.warmup, budget=args.budget
            )
        )
        log_tail = (workdir / "gunicorn.log").read_text(errors="replace")[-2000:]
    after = sum(
        Score.objects.filter(
            assessment_id__in=[c.assessment_id for c in clients], criterion_id__in=year_leaves["leaves"]
        ).values_list("version", flat=True)
    )
    saves = sum(c.saves for c in clients)
    confirmed = sum(c.confirmed for c in clients)
    raised = after - before
    bare, save, floor = result["bare_view"], result["autosave"], result["minimal_write"]

    def ratio_to(anchor: dict) -> float | None:
        rate = anchor["requests_per_s"]
        return round(save["requests_per_s"] / rate, 3) if rate else None

    ratio = ratio_to(floor)
    errors = save["errors"] + floor["errors"]
    # A lost save: confirmed "Saved" without raising its version, or a version raised by no
    # confirmed save (warm-ups included on both sides).
    lost = abs(confirmed - raised)
    return {
        "figure": "score autosave under load",
        "server": f"gunicorn {server_kind} on 127.0.0.1:{server.port}",
        "clients": len(clients),
        "autosave": save,
        "anchor": "minimal write (POST /bench/write/<score>/: signed in, one UPDATE, commit; same clients)",
        "minimal_write": floor,
        "ratio": ratio,
        "goal": "≥ 0.5 × the minimal write's throughput, 0 errors, 0 lost saves",
        "pass": ratio is not None and ratio >= 0.5 and errors == 0 and lost == 0,
        "errors": errors,
        "lost_saves": lost,
        # Client latency (p50/p95) and the time inside Django (server_p50/p95) of each phase.
        "latency_ms": {
            name: {key: phase[f"{key}_ms"] for key in ("p50", "p95", "server_p50", "server_p95")}
            for name, phase in (("autosave", save), ("minimal_write", floor), ("bare_view", bare))
        },
        "diagnostic": "bare Django view (POST /bench/ok/, same middleware, same clients), no goal",
        "bare_view": bare,
        "ratio_to_bare_view": ratio_to(bare),
        # Every save the server answered "Saved" raised a version, and no other did:
        # versions_raised == saves_confirmed (warm-ups included).
        "saves_sent": saves,
        "saves_confirmed": confirmed,
        "versions_raised": raised,
        "sign_in_s": result["sign_in_s"],
        "server_log_tail": log_tail.strip().splitlines()[-5:] if log_tail.strip() else [],
    }


def main() -> None:
    args = arguments()
    if args.profile:
        profiling.enable(args.profile)
    date = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    load_start = load_average()
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    year = data.Year(agencies=args.agencies, leaves=args.leaves, groups=args.groups, imports=args.repeat)
    say(f"database {connection.vendor}; work directory {workdir}")
    old_name, name = test_database(workdir)
    summary: dict = {}
    try:
        db = database(connection)
        say(f"test database {name}: writing the workbooks")
        master = workdir / "master.xlsx"
        data.master_workbook(master, year)
        scores = [workdir / f"scores-{code}.xlsx" for code in year.import_codes]
        rows = [
            data.scores_workbook(path, year, code)
            for path, code in zip(scores, year.import_codes, strict=True)
        ][0]
        say("importing groups, agencies, periods, tiers and criteria (untimed)")
        call_command("import_workbook", str(master), stdout=open(os.devnull, "w"))  # noqa: SIM115
        council, officers = data.people(year, officers=args.clients)
        say(f"{year.previous_code}: scoring, computing and publishing (untimed)")
        data.previous_year(year, council=council)

        from ranking.enums import Method, Phase
        from ranking.models import Assessment, Criterion, Period
        from ranking.results.finalization import period_phase_set

        settle()
        say(f"{', '.join(year.import_codes)}: import_workbook of the scores sheet, {rows} rows, each once")
        figures = [batch.import_figure(scores, rows=rows, repeat=args.repeat)]
        period = Period.objects.get(code=year.code)
        say(f"{year.code}: compute_results × {args.repeat} and its anchor")
        figures.append(batch.compute_figure(period, repeat=args.repeat))
        say(f"{year.code}: export_results × {args.repeat} and its anchor")
        figures.append(batch.export_figure(period, workdir, repeat=args.repeat))

        say(f"pages: {args.requests} requests each")
        previous = Period.objects.get(code=year.previous_code)
        page_figures = [
            pages.page(
                "public results page",
                pages.client(),
                f"/ket-qua/{previous.code}/",
                requests=args.requests,
                size=f"{args.agencies} agencies",
            ),
            pages.page(
                "council's provisional results page",
                pages.client(council),
                f"/hoi-dong/{period.code}/ket-qua/",
                requests=args.requests,
                size=f"{args.agencies} agencies",
            ),
            # Above settings.RESULTS_PAGE_ROWS agencies the pages show one group (khối) each; the
            # full table of every group, the printable one, is its own address.
            pages.page(
                "public results page, full table",
                pages.client(),
                f"/ket-qua/{previous.code}/?khoi=tat-ca",
                requests=args.requests,
                size=f"{args.agencies} agencies",
            ),
            pages.page(
                "council's provisional results page, full table",
                pages.client(council),
                f"/hoi-dong/{period.code}/ket-qua/?khoi=tat-ca",
                requests=args.requests,
                size=f"{args.agencies} agencies",
            ),
        ]
        # The self-assessment is open: the officer's page shows every leaf's form.
        period_phase_set(user=council, period=period, phase=Phase.SELF_ASSESSMENT)
        period.refresh_from_db()
        officer = officers[0]
        assessment = Assessment.objects.get(period=period, agency=officer.agency)
        browser = pages.client(officer)
        # The page opens as the compact grid on a wide window (issue 11), as the cards of every
        # leaf elsewhere: both, each asked for by its address.
        page_figures.append(
            pages.page(
                "self-assessment page, grid (agency officer)",
                browser,
                f"/danh-gia/{assessment.pk}/?xem=bang",
                requests=args.requests,
                size=f"{args.leaves} leaves",
            )
        )
        page_figures.append(
            pages.page(
                "self-assessment page, detailed (agency officer)",
                browser,
                f"/danh-gia/{assessment.pk}/?xem=chi-tiet",
                requests=args.requests,
                size=f"{args.leaves} leaves",
            )
        )
        leaves = list(
            Criterion.objects.filter(period=period, method=Method.NUMBER)
            .exclude(children__isnull=False)
            .order_by("sort_key")
            .values_list("id", flat=True)
        )
        page_figures.append(
            pages.autosave(
                "score autosave, in process (one request)",
                browser,
                assessment.pk,
                leaves,
                requests=args.requests,
            )
        )
        load_result = None
        if not args.skip_load:
            load_result = autosave_load(
                args,
                officers=officers,
                year_leaves={"period": period.code, "leaves": leaves},
                database_name=name,
                workdir=workdir,
            )
        if args.compute_agencies:
            say(f"a period of {args.compute_agencies:,} agencies × {args.leaves} leaves (untimed)")
            large = data.large_period(year, agencies=args.compute_agencies)
            settle()
            say(f"{large.code}: compute_results × {args.repeat} and its anchor")
            figures.append(
                batch.compute_figure(
                    large,
                    repeat=args.repeat,
                    name=f"compute_results, {args.compute_agencies:,} agencies",
                    within_s=10,
                )
            )
        summary = {
            "date": date,
            "database": db,
            "machine": machine(),
            "load_average": {"start": load_start, "end": load_average()},
            "note": "a shared 2-core machine: other test runs may overlap; see load_average",
            "data": {
                "agencies": args.agencies,
                "groups": args.groups,
                "leaves": args.leaves,
                "periods": [year.previous_code, *year.import_codes],
                "score_rows_per_period": rows,
            },
            "figures": figures,
            "pages": page_figures,
            "load": load_result,
            "goals": goals(figures, load_result),
            "profiled": bool(args.profile),
            "sqlite_immediate": bool(args.sqlite_immediate) and connection.vendor == "sqlite",
        }
        if args.profile:
            summary["profiles"] = profiling.write()
    finally:
        if args.keep:
            say(f"kept: database {name}, directory {workdir}")
        else:
            say("dropping the test database")
            connection.creation.destroy_test_db(old_name, verbosity=0)
            shutil.rmtree(workdir, ignore_errors=True)
    summary["total_s"] = round(time.perf_counter() - STARTED, 1)
    if "figures" in summary:
        summary["issue_13"] = report.goals(summary)
        print(report.table(summary["issue_13"]), file=sys.stderr)
    text = json.dumps(summary, indent=2, ensure_ascii=False, default=str)
    if args.output:
        args.output.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
