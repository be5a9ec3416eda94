"""The sheet KhoiTheoKy of the year workbook (ranking/workbook/resources/period_groups.py): the
group each agency is ranked in, period by period (docs/workbook.md).

The base year of tests/builders.py `base_sheets`: SNV and STC in SBN, QHC in QH; leaf 2.2
(15 points) of CCHC-2025 applies to QH only.
"""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone
from django.utils.translation import override

from ranking.models import Assessment, Period, Score
from ranking.workbook.importer import workbook_export, workbook_import
from ranking.workbook.template import template_workbook_bytes
from tests.builders import P, base_sheets
from tests.workbooks import write_workbook

pytestmark = pytest.mark.django_db

KHOITHEOKY = ["Mã kỳ", "Mã đơn vị", "Mã khối"]


def imported(tmp_path, sheets, name="nam.xlsx"):
    with override("vi"):
        return workbook_import(file=str(write_workbook(tmp_path / name, sheets)))


def groups() -> dict[str, str]:
    return {
        a.agency.code: a.group.code
        for a in Assessment.objects.filter(period__code=P).select_related("agency", "group")
    }


def counts(report) -> list[tuple[int, int, int]]:
    return [(c.new, c.updated, c.unchanged) for c in report.sheets if c.sheet == "KhoiTheoKy"]


def stc_in_districts() -> dict:
    """STC is in QH for CCHC-2025 and scores leaf 2.2, which applies to QH only."""
    sheets = base_sheets()
    sheets["KhoiTheoKy"] = [KHOITHEOKY, [P, "STC", "QH"]]
    sheets["Diem"].append([P, "STC", "2.2", 12, "12,5", None, None])
    return sheets


def test_the_sheet_sets_the_group_of_the_period_before_the_scores_are_checked(tmp_path):
    sheets = stc_in_districts()

    report = imported(tmp_path, sheets)

    assert report.problems == []
    assert counts(report) == [(1, 0, 0)]
    assert groups() == {"SNV": "SBN", "STC": "QH", "QHC": "QH"}
    assert Score.objects.get(assessment__agency__code="STC", criterion__code="2.2").final_score == Decimal(
        "12.5"
    )
    again = imported(tmp_path, sheets, "lai.xlsx")
    assert again.problems == []
    assert counts(again) == [(0, 0, 1)]


def test_a_score_of_a_leaf_of_another_group_is_refused_in_vietnamese(tmp_path):
    sheets = base_sheets()
    sheets["Diem"].append([P, "STC", "2.2", 12, 12, None, None])

    report = imported(tmp_path, sheets)

    row = len(sheets["Diem"])
    assert report.problems == [f"Diem!{row} Mã tiêu chí: Tiêu chí 2.2 không áp dụng cho Khối sở, ban, ngành."]
    assert not Assessment.objects.exists()


def test_a_file_without_the_sheet_leaves_the_groups_alone(tmp_path):
    imported(tmp_path, stc_in_districts())
    sheets = base_sheets()
    sheets["Diem"].append([P, "STC", "2.2", 12, "12,5", None, None])

    report = imported(tmp_path, sheets, "khong-co-trang.xlsx")

    assert report.problems == []
    assert groups() == {"SNV": "SBN", "STC": "QH", "QHC": "QH"}


def test_a_blank_group_is_the_usual_one_and_unknown_codes_are_refused(tmp_path):
    imported(tmp_path, stc_in_districts())
    sheets = base_sheets()
    sheets["KhoiTheoKy"] = [KHOITHEOKY, [P, "STC", None], [P, "SNV", "XYZ"]]

    report = imported(tmp_path, sheets, "sai.xlsx")

    assert report.problems == ["KhoiTheoKy!3 Mã khối: Không có khối mã “XYZ”."]
    assert groups() == {"SNV": "SBN", "STC": "QH", "QHC": "QH"}
    sheets["KhoiTheoKy"] = [KHOITHEOKY, [P, "STC", None]]

    report = imported(tmp_path, sheets, "dung.xlsx")

    assert report.problems == []
    assert counts(report) == [(0, 1, 0)]
    assert groups() == {"SNV": "SBN", "STC": "SBN", "QHC": "QH"}


def test_a_change_outdates_the_computed_results(tmp_path):
    imported(tmp_path, base_sheets())
    Period.objects.filter(code=P).update(results_computed_at=timezone.now(), results_fingerprint="x")

    imported(tmp_path, {"KhoiTheoKy": [KHOITHEOKY, [P, "SNV", "QH"]]}, "doi-khoi.xlsx")

    period = Period.objects.get(code=P)
    assert (period.results_computed_at, period.results_outdated_reason) == (
        None,
        "nhập bảng tính năm, trang KhoiTheoKy",
    )


def test_no_change_once_the_award_list_is_approved(tmp_path):
    imported(tmp_path, base_sheets())
    Period.objects.filter(code=P).update(
        results_computed_at=timezone.now(), awards_approved_at=timezone.now(), results_fingerprint="x"
    )

    report = imported(tmp_path, {"KhoiTheoKy": [KHOITHEOKY, [P, "SNV", "QH"]]}, "doi-khoi.xlsx")

    assert report.problems == [
        "KhoiTheoKy!2 Mã khối: Danh sách khen thưởng của kỳ CCHC-2025 đã được phê duyệt: "
        "không thể đổi khối của đơn vị trong kỳ này nữa."
    ]
    assert groups()["SNV"] == "SBN"


def test_the_export_writes_every_assessment_and_imports_back_unchanged(tmp_path):
    imported(tmp_path, stc_in_districts())
    path = tmp_path / "xuat.xlsx"
    workbook_export().save(path)

    rows = list(openpyxl.load_workbook(path)["KhoiTheoKy"].iter_rows(values_only=True))

    assert rows == [tuple(KHOITHEOKY), (P, "SNV", "SBN"), (P, "QHC", "QH"), (P, "STC", "QH")]
    with override("vi"):
        report = workbook_import(file=str(path))
    assert report.problems == []
    assert [(c.sheet, c.new, c.updated) for c in report.sheets if c.new or c.updated] == []
    assert counts(report) == [(0, 0, 3)]


def test_the_template_offers_the_sheet_with_the_codes_of_khoi():
    book = openpyxl.load_workbook(io.BytesIO(template_workbook_bytes()))

    sheet = book["KhoiTheoKy"]
    assert [cell.value for cell in sheet[1]] == KHOITHEOKY
    (validation,) = sheet.data_validations.dataValidation
    assert (validation.formula1, str(validation.sqref)) == ("Khoi!$A$2:$A$5000", "C2:C5000")
    guide = {row[0]: row[1] for row in book["HuongDan"].iter_rows(values_only=True)}
    assert guide["KhoiTheoKy"].startswith("Khối theo kỳ: Mã kỳ, Mã đơn vị, Mã khối")


def test_a_new_usual_group_in_donvi_moves_the_assessments_that_followed_it(tmp_path):
    sheets = base_sheets()
    sheets["KhoiTheoKy"] = [KHOITHEOKY, [P, "SNV", "QH"]]
    imported(tmp_path, sheets)
    moved = {
        "Khoi": sheets["Khoi"],
        "DonVi": [sheets["DonVi"][0], ["SNV", "Sở Nội vụ", "QH"], ["STC", "Sở Tài chính", "QH"]],
    }

    report = imported(tmp_path, moved, "doi-khoi-thuong.xlsx")

    assert report.problems == []
    # STC followed its usual group; SNV was already in QH for the period, and stays there.
    assert groups() == {"SNV": "QH", "STC": "QH", "QHC": "QH"}
    stc = Assessment.objects.get(period__code=P, agency__code="STC")
    assert stc.history.latest().history_change_reason == "Theo khối thường của đơn vị"
