"""The sheet TinhTrang of the year workbook (ranking/workbook/resources/standings.py): each
agency's standing in a period and its late record, exported and imported, with refusals per
cell in Vietnamese (docs/workbook.md).

The base year of tests/builders.py `base_sheets` has scores of SNV, STC and QHC in CCHC-2025.
"""

import openpyxl
import pytest
from django.utils.translation import override

from ranking.enums import Standing
from ranking.models import Assessment, Period
from ranking.workbook.importer import workbook_export, workbook_import
from tests.builders import P, base_sheets
from tests.workbooks import write_workbook

pytestmark = pytest.mark.django_db

TINHTRANG = ["Mã kỳ", "Mã đơn vị", "Tình trạng", "Lý do", "Nộp muộn", "Lý do nộp muộn"]


def with_standings(*rows) -> dict:
    sheets = base_sheets()
    sheets["TinhTrang"] = [TINHTRANG, *rows]
    return sheets


def imported(tmp_path, sheets, name="nam.xlsx"):
    with override("vi"):
        return workbook_import(file=str(write_workbook(tmp_path / name, sheets)))


def standings() -> dict[str, tuple]:
    return {
        a.agency.code: (a.standing, a.standing_reason, a.late, a.late_reason)
        for a in Assessment.objects.filter(period__code=P).select_related("agency")
    }


def test_the_sheet_sets_standing_and_late_and_reads_back_unchanged(tmp_path):
    sheets = with_standings(
        [P, "SNV", "Không xếp hạng", "Người đứng đầu bị kỷ luật", "x", "Nộp sau hạn"],
        [P, "QHC", "không đánh giá", "Không nộp hồ sơ", None, None],
        [P, "STC", None, None, None, None],
    )

    report = imported(tmp_path, sheets)

    assert report.problems == []
    assert [(c.new, c.updated, c.unchanged) for c in report.sheets if c.sheet == "TinhTrang"] == [(0, 2, 1)]
    assert standings() == {
        "SNV": (Standing.NOT_RANKED, "Người đứng đầu bị kỷ luật", True, "Nộp sau hạn"),
        "STC": (Standing.RANKED, "", False, ""),
        "QHC": (Standing.EXCLUDED, "Không nộp hồ sơ", False, ""),
    }
    again = imported(tmp_path, sheets, "lai.xlsx")
    assert [(c.new, c.updated, c.unchanged) for c in again.sheets if c.sheet == "TinhTrang"] == [(0, 0, 3)]


def test_the_export_writes_the_sheet(tmp_path):
    imported(
        tmp_path,
        with_standings([P, "SNV", "không xếp hạng", "Người đứng đầu bị kỷ luật", "x", "Nộp sau hạn"]),
    )
    path = tmp_path / "xuat.xlsx"
    workbook_export().save(path)

    rows = list(openpyxl.load_workbook(path)["TinhTrang"].iter_rows(values_only=True))

    assert rows[0] == tuple(TINHTRANG)
    assert sorted(rows[1:], key=lambda row: row[1]) == [
        (P, "QHC", "xếp hạng", None, None, None),
        (P, "SNV", "không xếp hạng", "Người đứng đầu bị kỷ luật", "x", "Nộp sau hạn"),
        (P, "STC", "xếp hạng", None, None, None),
    ]


def test_the_import_marks_computed_results_to_compute_again(tmp_path):
    imported(tmp_path, base_sheets())
    Period.objects.filter(code=P).update(results_computed_at="2025-12-01T08:00:00Z", results_fingerprint="x")

    imported(tmp_path, with_standings([P, "QHC", "không đánh giá", "Không nộp hồ sơ", None, None]), "2.xlsx")

    period = Period.objects.get(code=P)
    assert (period.results_computed_at, period.results_outdated_reason) == (
        None,
        "nhập bảng tính năm, trang TinhTrang",
    )


def test_wrong_cells_are_refused_in_vietnamese(tmp_path):
    imported(tmp_path, base_sheets())
    sheets = with_standings(
        [P, "SNV", "loại khỏi", "Kỷ luật", None, None],
        [P, "QHC", "không xếp hạng", None, "có lẽ", None],
    )

    report = imported(tmp_path, sheets, "sai.xlsx")

    assert report.problems == [
        "TinhTrang!2 Tình trạng: “loại khỏi”: hãy ghi xếp hạng, không xếp hạng hoặc không đánh giá.",
        "TinhTrang!3 Lý do: Hãy ghi lý do đơn vị không xếp hạng hoặc không đánh giá.",
        "TinhTrang!3 Nộp muộn: “có lẽ”: ghi x hoặc để trống ô.",
    ]
    assert standings()["SNV"] == (Standing.RANKED, "", False, "")
