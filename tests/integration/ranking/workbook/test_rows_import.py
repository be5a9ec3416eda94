"""The scores sheet read without import-export's row loop (`rows_import`, for the command and
the browser job) gives what `import_data` gives: the same counts, the same problems in the
same order with the same references, and the same rows written."""

import copy

import pytest
from django.utils.translation import override

from ranking.models import Assessment, Score
from ranking.workbook.importer import workbook_import
from ranking.workbook.resources.scores import ScoreResource
from tests.builders import P, base_sheets
from tests.workbooks import write_workbook

pytestmark = pytest.mark.django_db


class Stop(Exception):
    pass


def both_ways(path, monkeypatch, **options):
    """The report of the import through `rows_import`, then through `import_data`."""
    reports = []
    for direct in (True, False):
        with monkeypatch.context() as patch, override("vi"):
            patch.setattr(ScoreResource, "direct_import", direct)
            reports.append(workbook_import(file=str(path), **options))
    return reports


def stored() -> list[tuple]:
    return sorted(
        Score.objects.values_list(
            "assessment__agency__code",
            "criterion__code",
            "self_score",
            "reviewed_score",
            "final_score",
            "not_arising",
            "reviewer_not_arising",
            "note",
        )
    )


def diem(sheets, agency: str, leaf: str) -> list:
    return next(row for row in sheets["Diem"] if row[:3] == [P, agency, leaf])


def test_a_new_year_counts_the_same(tmp_path, monkeypatch):
    direct, through_import_export = both_ways(
        write_workbook(tmp_path / "y.xlsx", base_sheets()), monkeypatch, dry_run=True
    )
    assert direct.problems == through_import_export.problems == []
    assert direct.sheets == through_import_export.sheets
    assert not Score.objects.exists()


def test_changes_and_refusals_are_the_same(tmp_path, monkeypatch):
    with override("en"):
        assert workbook_import(file=str(write_workbook(tmp_path / "a.xlsx", base_sheets()))).ok
    sheets = copy.deepcopy(base_sheets())
    diem(sheets, "SNV", "1.1.2")[4] = "6,5"
    diem(sheets, "STC", "1.1.1")[4] = 11
    diem(sheets, "SNV", "1.3")[3] = "a lot"
    diem(sheets, "SNV", "2.1")[5] = "maybe"
    sheets["Diem"].append(list(diem(sheets, "STC", "2.1")))
    sheets["Diem"].append([P, "SXX", "1.1.1", 1, 1, None, None])
    sheets["Diem"].append([P, "SNV", "9.9", 1, 1, None, None])
    sheets["Diem"].append([P, "SNV", None, 1, 1, None, None])
    direct, through_import_export = both_ways(write_workbook(tmp_path / "b.xlsx", sheets), monkeypatch)
    assert direct.problems == through_import_export.problems
    assert len(direct.problems) == 7
    assert all(line.startswith("Diem!") for line in direct.problems)
    assert direct.sheets == through_import_export.sheets


def test_an_update_is_written_the_same(tmp_path, monkeypatch):
    with override("en"):
        assert workbook_import(file=str(write_workbook(tmp_path / "a.xlsx", base_sheets()))).ok
    sheets = copy.deepcopy(base_sheets())
    diem(sheets, "SNV", "1.1.2")[4] = "6,25"
    diem(sheets, "STC", "1.1.1")[6] = "Ghi chú mới"
    path = write_workbook(tmp_path / "b.xlsx", sheets)
    written = []
    for direct in (True, False):
        with monkeypatch.context() as patch, override("vi"):
            patch.setattr(ScoreResource, "direct_import", direct)
            report = workbook_import(file=str(path))
        assert report.ok
        written.append((dict((c.sheet, (c.new, c.updated, c.unchanged)) for c in report.sheets), stored()))
        with override("en"):
            assert workbook_import(file=str(write_workbook(tmp_path / f"c{direct}.xlsx", base_sheets()))).ok
    assert written[0] == written[1]
    assert written[0][0]["Diem"] == (0, 2, 18)


def test_progress_and_checkpoint_hear_of_every_row(tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "y.xlsx", base_sheets())
    heard = {}
    for direct in (True, False):
        heard[direct] = seen = []
        with monkeypatch.context() as patch, override("vi"):
            patch.setattr(ScoreResource, "direct_import", direct)
            workbook_import(
                file=str(path),
                dry_run=True,
                progress=lambda done, total, seen=seen: seen.append((done, total)),
            )
    assert heard[True] == heard[False]
    assert heard[True][-1][0] == heard[True][-1][1]


def test_a_checkpoint_stops_the_scores_midway_and_nothing_is_written(tmp_path, monkeypatch):
    """Khoi, DonVi, KyDanhGia, XepLoai and TieuChi bring 24 rows: the 30th is a score's."""
    path = write_workbook(tmp_path / "y.xlsx", base_sheets())
    done = [0]

    def checkpoint():
        if done[0] == 30:
            raise Stop

    def progress(rows, _total):
        done[0] = rows

    with pytest.raises(Stop), override("vi"):
        workbook_import(file=str(path), progress=progress, checkpoint=checkpoint)
    assert done[0] == 30
    assert not Score.objects.exists()
    assert not Assessment.objects.exists()
