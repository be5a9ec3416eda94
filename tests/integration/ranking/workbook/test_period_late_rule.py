"""The late rule in the sheet KyDanhGia (ranking/workbook/resources/periods.py): the columns
`Quy tắc nộp muộn` and `Điểm trừ nộp muộn`, exported, imported, refused per cell in Vietnamese,
and left alone by a workbook made before they existed (docs/workbook.md)."""

from decimal import Decimal

import openpyxl
import pytest
from django.utils.translation import override

from ranking.enums import LateRule
from ranking.models import Period
from ranking.workbook.importer import workbook_export, workbook_import
from tests.builders import KYDANHGIA, P, base_sheets
from tests.workbooks import write_workbook

pytestmark = pytest.mark.django_db

LATE = ["Quy tắc nộp muộn", "Điểm trừ nộp muộn"]


def with_late_rule(rule, points) -> dict:
    sheets = base_sheets()
    header, *rows = sheets["KyDanhGia"]
    sheets["KyDanhGia"] = [
        [*header, *LATE],
        *([*row, *((rule, points) if row[0] == P else (None, None))] for row in rows),
    ]
    return sheets


def imported(tmp_path, sheets, name="nam.xlsx"):
    with override("vi"):
        return workbook_import(file=str(write_workbook(tmp_path / name, sheets)))


def late_rule() -> tuple:
    period = Period.objects.get(code=P)
    return period.late_rule, period.late_deduction


def test_the_columns_set_the_rule_and_read_back_unchanged(tmp_path):
    report = imported(tmp_path, with_late_rule("Trừ điểm", "2,5"))

    assert report.problems == []
    assert late_rule() == (LateRule.DEDUCT, Decimal("2.5"))
    path = tmp_path / "xuat.xlsx"
    workbook_export().save(path)
    rows = list(openpyxl.load_workbook(path)["KyDanhGia"].iter_rows(values_only=True))
    assert rows[0] == (*KYDANHGIA, *LATE)
    # CCHC-2024 without a rule: both cells empty.
    assert [row[-2:] for row in sorted(rows[1:])] == [(None, None), ("trừ điểm", 2.5)]
    again = imported(tmp_path, {"KyDanhGia": rows}, "lai.xlsx")
    assert [(c.new, c.updated, c.unchanged) for c in again.sheets if c.sheet == "KyDanhGia"] == [(0, 0, 2)]


@pytest.mark.parametrize(
    ("word", "expected"),
    [("hạ một bậc", LateRule.DEMOTE), ("KHÔNG XẾP HẠNG", LateRule.NOT_RANKED), (None, LateRule.NONE)],
)
def test_every_rule_in_the_users_words(tmp_path, word, expected):
    imported(tmp_path, with_late_rule("trừ điểm", 3))

    imported(tmp_path, with_late_rule(word, None), "doi.xlsx")

    assert late_rule()[0] == expected


def test_a_workbook_without_the_columns_leaves_the_rule_alone(tmp_path):
    imported(tmp_path, with_late_rule("trừ điểm", 3))

    report = imported(tmp_path, base_sheets(), "cu.xlsx")

    assert report.problems == []
    assert late_rule() == (LateRule.DEDUCT, Decimal(3))


def test_wrong_cells_are_refused_in_vietnamese(tmp_path):
    imported(tmp_path, base_sheets())

    unknown = imported(tmp_path, with_late_rule("phạt", None), "sai1.xlsx")
    no_points = imported(tmp_path, with_late_rule("trừ điểm", None), "sai2.xlsx")
    negative = imported(tmp_path, with_late_rule("trừ điểm", -1), "sai3.xlsx")

    assert unknown.problems == [
        "KyDanhGia!3 Quy tắc nộp muộn: “phạt”: hãy ghi trừ điểm, hạ một bậc hoặc không xếp hạng, "
        "hoặc để trống."
    ]
    assert no_points.problems == ["KyDanhGia!3 Điểm trừ nộp muộn: Hãy ghi số điểm đơn vị nộp muộn bị trừ."]
    assert negative.problems == ["KyDanhGia!3 Điểm trừ nộp muộn: Hãy ghi số điểm lớn hơn 0."]
    assert late_rule() == (LateRule.NONE, None)
