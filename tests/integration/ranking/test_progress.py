"""Progress of long work: the callbacks of the import and the computation, the commands'
progress bar (on stderr only: their stdout lines are a contract) and a job's progress seen
by others while its import's transaction is still open."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils.translation import override

from ranking.jobs import JobProgress, TerminalProgress
from ranking.models import Job, Period
from ranking.results.compute import results_compute
from ranking.workbook.importer import workbook_import
from tests.builders import ROWS, year_sheets
from tests.workbooks import write_workbook

IMPORT_LINES = [
    "Khoi: 2 new, 0 updated, 0 unchanged",
    "DonVi: 3 new, 0 updated, 0 unchanged",
    "KyDanhGia: 2 new, 0 updated, 0 unchanged",
    "XepLoai: 5 new, 0 updated, 0 unchanged",
    "TieuChi: 12 new, 0 updated, 0 unchanged",
    "Diem: 21 new, 0 updated, 0 unchanged",
    "HaBac: 1 new, 0 updated, 0 unchanged",
    "KetQua: 3 new, 0 updated, 0 unchanged",
    "Dry run: nothing was written.",
]
COMPUTE_LINES = [
    "Khối sở, ban, ngành: Rất tốt 1, Tốt 0, Khá 1, Trung bình 0, Yếu 0",
    "Khối quận, huyện: Rất tốt 1, Tốt 0, Khá 0, Trung bình 0, Yếu 0",
    "3 agencies ranked; 2 proposed for a certificate of merit.",
]


class Recorder:
    def __init__(self):
        self.calls: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int) -> None:
        self.calls.append((done, total))

    def assert_complete(self, total: int) -> None:
        """Called from 0, each value above the one before, ending at the total, which never changes."""
        done = [d for d, _t in self.calls]
        assert {t for _d, t in self.calls} == {total}
        assert done[0] == 0
        assert done[-1] == total
        assert all(later > earlier for earlier, later in zip(done, done[1:], strict=False))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def workbook(tmp_path):
    return write_workbook(tmp_path / "nam.xlsx", year_sheets())


@pytest.fixture
def imported(workbook):
    report = workbook_import(file=str(workbook))
    assert report.ok, report.problems
    return Period.objects.get(code="CCHC-2025")


# --- the callbacks -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_workbook_import_tells_of_every_row_up_to_the_total(workbook):
    progress = Recorder()
    report = workbook_import(file=str(workbook), progress=progress)
    assert report.ok
    progress.assert_complete(ROWS)
    assert progress.calls == [(n, ROWS) for n in range(ROWS + 1)]


@pytest.mark.django_db
def test_a_sheet_refused_whole_still_counts_its_rows(tmp_path):
    sheets = year_sheets()
    # No "Tên khối" column: the 2 group rows are refused without being read one by one.
    sheets["Khoi"] = [["Mã khối", "Thứ tự"], ["SBN", 1], ["QH", 2]]
    progress = Recorder()
    report = workbook_import(file=str(write_workbook(tmp_path / "x.xlsx", sheets)), progress=progress)
    assert not report.ok
    progress.assert_complete(ROWS)
    assert progress.calls[:2] == [(0, ROWS), (2, ROWS)]


@pytest.mark.django_db
def test_an_unreadable_file_reports_no_progress(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a workbook")
    progress = Recorder()
    assert not workbook_import(file=str(path), progress=progress).ok
    assert progress.calls == []


@pytest.mark.django_db
def test_results_compute_tells_of_every_agency(imported):
    progress = Recorder()
    summary = results_compute(period=imported, progress=progress)
    assert summary.agencies == 3
    assert progress.calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


# --- the commands --------------------------------------------------------------------------------


def run(command: str, *args, stderr=None) -> tuple[str, str]:
    out, err = io.StringIO(), stderr if stderr is not None else io.StringIO()
    with override("en"):
        call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_command_draws_the_bar_on_stderr_and_leaves_stdout_as_it_was(workbook):
    plain_out, plain_err = run("import_workbook", str(workbook), "--dry-run")
    out, err = run("import_workbook", str(workbook), "--dry-run", "--progress")

    assert plain_out.splitlines() == IMPORT_LINES
    assert out == plain_out
    assert plain_err == ""
    assert err.startswith("\rWorkbook rows [..............................] 0/49 (0%)")
    assert err.endswith("\rWorkbook rows [##############################] 49/49 (100%)\n")
    assert err.count("\n") == 1


@pytest.mark.django_db
def test_import_command_draws_the_bar_by_default_only_on_a_terminal(workbook):
    _out, err = run("import_workbook", str(workbook), "--dry-run", stderr=Terminal())
    assert err.endswith("49/49 (100%)\n")
    _out, err = run("import_workbook", str(workbook), "--dry-run", "--no-progress", stderr=Terminal())
    assert err == ""


@pytest.mark.django_db
def test_a_refused_import_ends_the_bar_before_listing_the_problems(tmp_path):
    sheets = year_sheets()
    sheets["DonVi"].append(["SXD", None, "XX"])
    path = write_workbook(tmp_path / "x.xlsx", sheets)
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problems found; nothing was imported."):
        run("import_workbook", str(path), "--progress", stderr=err)
    lines = err.getvalue().split("\n")
    assert lines[0].endswith("50/50 (100%)")
    assert lines[1:] == [
        "DonVi!5 Tên đơn vị: This cell is required.",
        "DonVi!5 Mã khối: Unknown group code “XX”.",
        "",
    ]


@pytest.mark.django_db
def test_compute_command_draws_the_bar_on_stderr_and_leaves_stdout_as_it_was(imported):
    plain_out, plain_err = run("compute_results", imported.code)
    out, err = run("compute_results", imported.code, "--progress")

    assert plain_out.splitlines() == COMPUTE_LINES
    assert out == plain_out
    assert plain_err == ""
    assert err.startswith("\rAgencies [..............................] 0/3 (0%)")
    assert err.endswith("\rAgencies [##############################] 3/3 (100%)\n")


# --- the bar itself -------------------------------------------------------------------------------


def test_the_bar_is_redrawn_at_most_every_interval_but_always_at_the_end(monkeypatch):
    clock = iter([0.0, 0.05, 0.2, 0.21, 0.22])
    monkeypatch.setattr("ranking.jobs.time.monotonic", lambda: next(clock))
    stream = io.StringIO()
    bar = TerminalProgress(stream, "Rows", interval=0.1)
    for done in range(5):
        bar(done, 4)
    # Drawn at 0 (first), skipped at 0.05, drawn at 0.2, skipped at 0.21, drawn at the end.
    assert stream.getvalue() == (
        "\rRows [..............................] 0/4 (0%)"
        "\rRows [###############...............] 2/4 (50%)"
        "\rRows [##############################] 4/4 (100%)\n"
    )


def test_a_bar_stopped_early_ends_its_line_once():
    stream = io.StringIO()
    bar = TerminalProgress(stream, "Rows")
    bar(0, 10)
    bar.close()
    bar.close()
    assert stream.getvalue() == "\rRows [..............................] 0/10 (0%)\n"


def test_nothing_to_do_is_done():
    stream = io.StringIO()
    TerminalProgress(stream, "Rows")(0, 0)
    assert stream.getvalue() == "\rRows [##############################] 0/0 (100%)\n"


# --- a job's progress, seen from elsewhere ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_jobs_progress_is_seen_by_others_while_the_import_transaction_is_open():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: the job's progress shows when the import ends.")
    job = Job.objects.create(kind=Job.Kind.IMPORT, status=Job.Status.RUNNING)
    progress = JobProgress(job.pk, interval=0)
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with transaction.atomic():
            progress(3, 10)
            with other.cursor() as cursor:
                cursor.execute("SELECT done, total FROM ranking_job WHERE id = %s", [job.pk])
                assert cursor.fetchone() == (3, 10)
    finally:
        progress.close()
        other.close()


@pytest.mark.django_db
def test_job_progress_is_written_at_most_every_interval(monkeypatch):
    job = Job.objects.create(kind=Job.Kind.IMPORT, status=Job.Status.RUNNING)
    progress = JobProgress(job.pk, interval=10)
    writes = []
    monkeypatch.setattr(progress, "write", lambda done, total: writes.append((done, total)))
    for done in range(101):
        progress(done, 100)
    assert writes == [(0, 100), (100, 100)]
    assert progress.last == (100, 100)
