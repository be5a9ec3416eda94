"""The cell checks and edge cases of `workbook_import` and `import_workbook` (WORKBOOK.md).

Each refusal is checked as the exact `SHEET!ROW COLUMN: message` line, and the database is
checked unchanged afterwards (row counts of every model, history tables included). Messages
are the English msgids (`override("en")`), independent of the Vietnamese catalogue.
The end-to-end contract (a whole city's year) lives in test_contract.py.
"""

import copy
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import override

from accounts.models import Agency, AgencyGroup
from ranking.models import (
    Assessment,
    AwardEntry,
    Criterion,
    Demotion,
    HistoricalResult,
    Period,
    Result,
    Score,
    Tier,
)
from ranking.workbook import importer as workbook_service
from ranking.workbook.importer import workbook_import
from tests.builders import DONVI, HABAC, KETQUA, KHOI, KYDANHGIA, TIERS, P, base_sheets, criterion
from tests.workbooks import write_workbook

pytestmark = pytest.mark.django_db

D = Decimal

MODELS = [
    AgencyGroup,
    Agency,
    Period,
    Tier,
    Criterion,
    Criterion.groups.through,
    Assessment,
    Score,
    Demotion,
    HistoricalResult,
    Result,
    AwardEntry,
]
HISTORY = [
    m.history.model for m in (AgencyGroup, Agency, Period, Tier, Criterion, Assessment, Score, Demotion)
]


BASE_COUNTS = {
    "Khoi": (2, 0, 0),
    "DonVi": (3, 0, 0),
    "KyDanhGia": (2, 0, 0),
    "XepLoai": (5, 0, 0),
    "TieuChi": (12, 0, 0),
    "Diem": (20, 0, 0),
    "HaBac": (1, 0, 0),
    "KetQua": (3, 0, 0),
}


def counts_of(report) -> dict[str, tuple[int, int, int]]:
    return {c.sheet: (c.new, c.updated, c.unchanged) for c in report.sheets}


def snapshot() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in MODELS + HISTORY}


def do_import(path, **options):
    with override("en"):
        return workbook_import(file=str(path), **options)


def run_command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with override("en"):
        call_command("import_workbook", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def write(tmp_path):
    """Write sheets to a new .xlsx file each call."""
    numbers = iter(range(1000))

    def write(sheets):
        return write_workbook(tmp_path / f"nam-{next(numbers)}.xlsx", sheets)

    return write


@pytest.fixture
def base(write):
    """The base year imported; returns a fresh copy of its sheets to modify."""
    report = do_import(write(base_sheets()))
    assert report.problems == []
    assert counts_of(report) == BASE_COUNTS
    return copy.deepcopy(base_sheets())


def score(agency: str, leaf: str) -> Score:
    return Score.objects.get(
        assessment__period__code=P, assessment__agency__code=agency, criterion__code=leaf
    )


# --- the base year itself -----------------------------------------------------------------------


def test_base_year_imports_as_written(base):
    assert list(AgencyGroup.objects.values_list("code", "name", "order")) == [
        ("SBN", "Khối sở, ban, ngành", 1),
        ("QH", "Khối quận, huyện", 2),
    ]
    assert sorted(Agency.objects.values_list("code", "group__code")) == [
        ("QHC", "QH"),
        ("SNV", "SBN"),
        ("STC", "SBN"),
    ]
    period = Period.objects.get(code=P)
    assert (period.year, period.subject, period.name, period.previous.code) == (
        2025,
        "CCHC",
        "CCHC năm 2025",
        "CCHC-2024",
    )
    assert (period.award_from_tier, period.award_max_per_group) == ("Rất tốt", 2)
    assert Period.objects.get(code="CCHC-2024").previous is None
    assert list(period.tiers.values_list("order", "label", "min_index")) == [
        (i, label, D(bound)) for i, (label, bound) in enumerate(TIERS, start=1)
    ]
    demotion = Demotion.objects.get()
    assert (demotion.agency.code, demotion.steps, demotion.reason) == ("STC", 1, "Vi phạm kỷ luật")
    assert sorted(HistoricalResult.objects.values_list("agency__code", "total", "rank")) == [
        ("QHC", D("80"), 1),
        ("SNV", D("92"), 1),
        ("STC", D("88.5"), 2),
    ]


def test_criteria_tree_is_linked_and_parents_get_the_sum_of_their_base_children(base):
    criteria = {c.code: c for c in Criterion.objects.filter(period__code=P).select_related("parent")}
    parents = {code: (c.parent.code if c.parent else None) for code, c in criteria.items()}
    assert parents == {
        "1": None,
        "1.1": "1",
        "1.1.1": "1.1",
        "1.1.2": "1.1",
        "1.2": "1",
        "1.3": "1",
        "1.4": "1",
        "2": None,
        "2.1": "2",
        "2.2": "2",
        "2.3": "2",
        "2.4": "2",
    }
    maxima = {code: c.max_points for code, c in criteria.items()}
    # Deduction 1.4 and bonus 2.3 are outside the base: no part of a parent's maximum.
    assert maxima == {
        "1": D("26"),
        "1.1": D("18"),
        "1.1.1": D("10"),
        "1.1.2": D("8"),
        "1.2": D("2"),
        "1.3": D("6"),
        "1.4": D("2"),
        "2": D("45"),
        "2.1": D("20"),
        "2.2": D("15"),
        "2.3": D("3"),
        "2.4": D("10"),
    }
    methods = {code: c.method for code, c in criteria.items()}
    assert methods["1.1.2"] == "number"  # blank method
    assert methods["1"] == "number"
    assert (methods["1.2"], methods["1.3"], methods["1.4"], methods["2.3"], methods["2.4"]) == (
        "choice",
        "yesno",
        "deduction",
        "bonus",
        "survey",
    )
    assert criteria["1.2"].options == [["Đúng hạn", "2"], ["Trễ hạn", "1"], ["Không thực hiện", "0"]]
    assert criteria["2.1"].allow_not_arising is True
    assert criteria["1.1.1"].allow_not_arising is False
    assert list(criteria["2.2"].groups.values_list("code", flat=True)) == ["QH"]
    assert list(criteria["2.1"].groups.values_list("code", flat=True)) == []


def test_parent_maximum_equal_to_the_sum_is_accepted(write):
    sheets = base_sheets()
    sheets["TieuChi"][1][3] = "26,0"  # criterion 1
    sheets["TieuChi"][2][3] = 18  # criterion 1.1
    report = do_import(write(sheets))
    assert report.problems == []
    assert Criterion.objects.get(period__code=P, code="1").max_points == D("26")


def test_reviewed_score_is_final_and_survey_self_score_is_final_when_alone(base):
    snv = score("SNV", "1.1.2")
    assert (snv.self_score, snv.reviewed_score, snv.final_score) == (D("8"), D("7.5"), D("7.5"))
    deduction = score("SNV", "1.4")
    assert (deduction.self_score, deduction.reviewed_score, deduction.final_score) == (
        None,
        D("-0.5"),
        D("-0.5"),
    )
    assert score("STC", "2.1").final_score == D("18.5")  # an Excel float, stored exactly


def test_survey_leaf_with_only_the_self_score_takes_it_as_final(write):
    sheets = base_sheets()
    sheets["Diem"].append([P, "STC", "2.3", None, None, None, None])  # empty bonus: nothing at all
    sheets["Diem"].append([P, "QHC", "2.3", 1, None, None, None])  # a number leaf: no reviewed score
    for row in sheets["Diem"]:
        if row[1:3] == ["SNV", "2.4"]:
            row[3:5] = ["8,25", None]
    assert do_import(write(sheets)).problems == []
    survey = score("SNV", "2.4")
    assert (survey.self_score, survey.reviewed_score, survey.final_score) == (D("8.25"), None, D("8.25"))
    bonus = score("QHC", "2.3")
    assert (bonus.self_score, bonus.reviewed_score, bonus.final_score) == (D("1"), None, None)
    empty = score("STC", "2.3")
    assert (empty.self_score, empty.reviewed_score, empty.final_score) == (None, None, None)


def test_score_rows_create_the_assessments(base):
    assert sorted(Assessment.objects.values_list("period__code", "agency__code")) == [
        (P, "QHC"),
        (P, "SNV"),
        (P, "STC"),
    ]
    assert Assessment.objects.get(period__code=P, agency__code="SNV").scores.count() == 8


def test_imported_scores_are_written_to_history(base, write):
    assert Score.history.filter(history_type="+").count() == 20
    assert Score.history.count() == 20
    base["Diem"][1][4] = 8  # SNV 1.1.1 reviewed 9 → 8
    assert do_import(write(base)).problems == []
    changed = score("SNV", "1.1.1")
    records = list(changed.history.order_by("history_id").values_list("history_type", "final_score"))
    assert records == [("+", D("9")), ("~", D("8"))]
    assert Score.history.count() == 21


def test_second_import_with_one_changed_score_reports_one_update(base, write):
    base["Diem"][1][4] = "8,75"  # SNV 1.1.1 reviewed 9 → 8.75
    out, err = run_command(str(write(base)))
    assert err == ""
    assert out.splitlines() == [
        "Khoi: 0 new, 0 updated, 2 unchanged",
        "DonVi: 0 new, 0 updated, 3 unchanged",
        "KyDanhGia: 0 new, 0 updated, 2 unchanged",
        "XepLoai: 0 new, 0 updated, 5 unchanged",
        "TieuChi: 0 new, 0 updated, 12 unchanged",
        "Diem: 0 new, 1 updated, 19 unchanged",
        "HaBac: 0 new, 0 updated, 1 unchanged",
        "KetQua: 0 new, 0 updated, 3 unchanged",
    ]
    changed = score("SNV", "1.1.1")
    assert (changed.self_score, changed.reviewed_score, changed.final_score) == (
        D("10"),
        D("8.75"),
        D("8.75"),
    )


def test_the_same_file_twice_changes_nothing(base, write):
    before = snapshot()
    report = do_import(write(base))
    assert report.problems == []
    assert counts_of(report) == {sheet: (0, 0, new) for sheet, (new, _u, _s) in BASE_COUNTS.items()}
    assert snapshot() == before


def test_command_prints_counts_in_workbook_order(write):
    out, err = run_command(str(write(base_sheets())))
    assert err == ""
    assert out.splitlines() == [
        f"{sheet}: {new} new, {updated} updated, {unchanged} unchanged"
        for sheet, (new, updated, unchanged) in BASE_COUNTS.items()
    ]


def test_dry_run_counts_but_writes_nothing(write):
    path = write(base_sheets())
    before = snapshot()
    report = do_import(path, dry_run=True)
    assert report.problems == []
    assert counts_of(report) == BASE_COUNTS
    assert snapshot() == before

    out, err = run_command(str(path), "--dry-run")
    assert err == ""
    assert out.splitlines()[-1] == "Dry run: nothing was written."
    assert out.splitlines()[:-1] == [
        f"{sheet}: {new} new, {updated} updated, {unchanged} unchanged"
        for sheet, (new, updated, unchanged) in BASE_COUNTS.items()
    ]
    assert snapshot() == before


def test_previous_period_defined_further_down_is_linked(write):
    sheets = {
        "KyDanhGia": [
            KYDANHGIA,
            ["VTLT-2025", 2025, "VTLT", "VTLT năm 2025", "VTLT-2024", "Xuất sắc", None],
            ["VTLT-2024", 2024, "vtlt", None, None, None, None],
        ]
    }
    report = do_import(write(sheets))
    assert report.problems == []
    assert counts_of(report) == {"KyDanhGia": (2, 0, 0)}
    later = Period.objects.get(code="VTLT-2025")
    assert later.previous == Period.objects.get(code="VTLT-2024")
    earlier = Period.objects.get(code="VTLT-2024")
    assert (earlier.subject, earlier.name, earlier.previous) == ("VTLT", "VTLT-2024", None)
    # The same sheet again: nothing to change, the link included.
    assert counts_of(do_import(write(sheets))) == {"KyDanhGia": (0, 0, 2)}
    assert Period.objects.get(code="VTLT-2025").previous.code == "VTLT-2024"


def test_clearing_the_previous_period_unlinks_it(base, write):
    base["KyDanhGia"][2][4] = None
    report = do_import(write(base))
    assert report.problems == []
    assert counts_of(report)["KyDanhGia"] == (0, 1, 1)
    assert Period.objects.get(code=P).previous is None


# --- tolerated shapes ---------------------------------------------------------------------------


def test_empty_sheet_and_unknown_sheet_are_fine(write):
    sheets = {
        "Ghi chú của phòng": [["Bất kỳ", "nội dung"], ["gì", 1]],
        "Khoi": [KHOI, ["SBN", "Khối sở, ban, ngành", 1]],
        "HaBac": [HABAC],
        "KetQua": [KETQUA],
    }
    report = do_import(write(sheets))
    assert report.problems == []
    assert counts_of(report) == {"Khoi": (1, 0, 0), "HaBac": (0, 0, 0), "KetQua": (0, 0, 0)}
    assert AgencyGroup.objects.count() == 1


def test_extra_columns_are_ignored_and_column_order_does_not_matter(write):
    sheets = {
        "Khoi": [["Thứ tự", "Ghi chú", "Tên khối", "Mã khối"], [3, "bỏ qua", "Khối quận, huyện", "QH"]],
        "DonVi": [
            ["Địa chỉ", "Mã khối", "Mã đơn vị", "Tên đơn vị", None, "Số điện thoại"],
            ["Đà Nẵng", "QH", "QHC", "UBND quận Hải Châu", "?", "0236"],
        ],
    }
    report = do_import(write(sheets))
    assert report.problems == []
    assert counts_of(report) == {"Khoi": (1, 0, 0), "DonVi": (1, 0, 0)}
    assert list(AgencyGroup.objects.values_list("code", "name", "order")) == [("QH", "Khối quận, huyện", 3)]
    assert list(Agency.objects.values_list("code", "name", "group__code")) == [
        ("QHC", "UBND quận Hải Châu", "QH")
    ]


def test_codes_are_trimmed(write):
    sheets = {
        "Khoi": [KHOI, [" SBN ", " Khối sở, ban, ngành ", None]],
        "DonVi": [DONVI, ["  SNV", "Sở Nội vụ", "SBN  "]],
    }
    assert do_import(write(sheets)).problems == []
    assert list(Agency.objects.values_list("code", "group__code")) == [("SNV", "SBN")]
    assert AgencyGroup.objects.get().name == "Khối sở, ban, ngành"


def test_blank_rows_are_skipped_and_later_rows_keep_their_excel_numbers(write):
    sheets = {
        "Khoi": [KHOI, ["SBN", "Khối sở, ban, ngành", 1]],
        "DonVi": [
            DONVI,
            ["SNV", "Sở Nội vụ", "SBN"],
            [None, None, None],
            ["", "  ", None],
            ["STC", "Sở Tài chính", "SBN"],
            ["SXD", "Sở Xây dựng", "XX"],
        ],
    }
    before = snapshot()
    report = do_import(write(sheets))
    assert report.problems == ["DonVi!6 Mã khối: Unknown group code “XX”."]
    assert snapshot() == before

    sheets["DonVi"].pop()
    report = do_import(write(sheets))
    assert report.problems == []
    assert counts_of(report) == {"Khoi": (1, 0, 0), "DonVi": (2, 0, 0)}


def test_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "diem.xlsx"
    path.write_text("Mã kỳ;Mã đơn vị\nCCHC-2025;SNV\n", encoding="utf-8")
    report = do_import(path)
    assert report.problems == ["The file cannot be read as an Excel workbook (.xlsx): File is not a zip file"]
    assert report.sheets == []
    assert snapshot() == {label: 0 for label in snapshot()}


def test_a_csv_file(tmp_path):
    path = tmp_path / "diem.csv"
    path.write_text("Mã kỳ,Mã đơn vị\n", encoding="utf-8")
    report = do_import(path)
    assert len(report.problems) == 1
    assert report.problems[0].startswith("The file cannot be read as an Excel workbook (.xlsx): ")
    assert ".csv" in report.problems[0]


def test_command_reports_problems_and_fails(tmp_path):
    path = tmp_path / "diem.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    out, err = io.StringIO(), io.StringIO()
    with override("en"), pytest.raises(CommandError) as raised:
        call_command("import_workbook", str(path), stdout=out, stderr=err)
    assert str(raised.value) == "1 problem found; nothing was imported."
    assert err.getvalue().splitlines() == [
        "The file cannot be read as an Excel workbook (.xlsx): File is not a zip file"
    ]
    assert out.getvalue() == ""


def test_command_lists_every_problem_of_a_refused_file(base, write):
    base["DonVi"].append(["SXD", None, "XX"])
    base["Diem"].append([P, "SNV", "1.3", None, 3, None, None])
    before = snapshot()
    out, err = io.StringIO(), io.StringIO()
    with override("en"), pytest.raises(CommandError) as raised:
        call_command("import_workbook", str(write(base)), stdout=out, stderr=err)
    assert str(raised.value) == "4 problems found; nothing was imported."
    # The added score row repeats the codes of an earlier row (SNV 1.3, on row 5) and breaks its rule.
    assert err.getvalue().splitlines() == [
        "DonVi!5 Tên đơn vị: This cell is required.",
        "DonVi!5 Mã khối: Unknown group code “XX”.",
        "Diem!22 Mã tiêu chí: Row 5 already has these codes.",
        "Diem!22 Điểm thẩm định: A yes/no criterion takes 0 or 6, not 3.",
    ]
    assert out.getvalue() == ""
    assert snapshot() == before


# --- every cell check ---------------------------------------------------------------------------
# Each case changes the imported base year and returns the lines it expects; the import must
# report exactly those lines and leave the database as it was.


def add(sheets, sheet, row) -> int:
    sheets[sheet].append(row)
    return len(sheets[sheet])


def find(sheets, sheet, *key) -> int:
    """The Excel row number of the row whose first cells are `key`."""
    for number, row in enumerate(sheets[sheet], start=1):
        if tuple(row[: len(key)]) == key:
            return number
    raise LookupError(key)


def diem_row(sheets, agency, leaf) -> list:
    return sheets["Diem"][find(sheets, "Diem", P, agency, leaf) - 1]


def missing_required_column(s):
    s["DonVi"] = [[row[0], row[2]] for row in s["DonVi"]]
    return ["DonVi!1 Tên đơn vị: The column “Tên đơn vị” is missing."]


def missing_two_required_columns(s):
    s["Diem"] = [[row[0], *row[3:]] for row in s["Diem"]]
    return [
        "Diem!1 Mã đơn vị: The column “Mã đơn vị” is missing.",
        "Diem!1 Mã tiêu chí: The column “Mã tiêu chí” is missing.",
    ]


def khoi_required_name(s):
    n = add(s, "Khoi", ["TW", None, 3])
    return [f"Khoi!{n} Tên khối: This cell is required."]


def khoi_order_not_a_number(s):
    n = add(s, "Khoi", ["TW", "Khối Trung ương", "đầu tiên"])
    return [f"Khoi!{n} Thứ tự: “đầu tiên” is not a number."]


def khoi_order_negative(s):
    n = add(s, "Khoi", ["TW", "Khối Trung ương", -1])
    return [f"Khoi!{n} Thứ tự: -1 is below 0."]


def khoi_order_fraction(s):
    n = add(s, "Khoi", ["TW", "Khối Trung ương", "1,5"])
    return [f"Khoi!{n} Thứ tự: 1.5 is not a whole number."]


def donvi_required_name(s):
    n = add(s, "DonVi", ["SXD", "  ", "SBN"])
    return [f"DonVi!{n} Tên đơn vị: This cell is required."]


def donvi_required_group(s):
    n = add(s, "DonVi", ["SXD", "Sở Xây dựng", None])
    return [f"DonVi!{n} Mã khối: This cell is required."]


def donvi_unknown_group(s):
    n = add(s, "DonVi", ["SXD", "Sở Xây dựng", "sbn"])  # codes match exactly: case counts
    return [f"DonVi!{n} Mã khối: Unknown group code “sbn”."]


def donvi_required_code(s):
    n = add(s, "DonVi", [None, "Sở Xây dựng", "SBN"])
    return [f"DonVi!{n} Mã đơn vị: This cell is required."]


def period_bad_subject(s):
    n = add(s, "KyDanhGia", ["VTLT-2025", 2025, "Văn thư", None, None, None, None])
    return [f"KyDanhGia!{n} Lĩnh vực: Write CCHC or VTLT, not “VĂN THƯ”."]


def period_required_year(s):
    n = add(s, "KyDanhGia", ["VTLT-2025", None, "VTLT", None, None, None, None])
    return [f"KyDanhGia!{n} Năm: This cell is required."]


def period_year_too_early(s):
    n = add(s, "KyDanhGia", ["VTLT-1985", 1985, "VTLT", None, None, None, None])
    return [f"KyDanhGia!{n} Năm: 1985 is below 1990."]


def period_duplicate_year_subject(s):
    n = add(s, "KyDanhGia", ["CCHC-2025B", 2025, "CCHC", None, None, None, None])
    return [f"KyDanhGia!{n} Năm: Period CCHC-2025 already covers CCHC 2025."]


def period_duplicate_year_subject_in_the_sheet(s):
    add(s, "KyDanhGia", ["VTLT-2025", 2025, "VTLT", None, None, None, None])
    n = add(s, "KyDanhGia", ["VTLT-2025-LAI", 2025, "VTLT", None, None, None, None])
    return [f"KyDanhGia!{n} Năm: Period VTLT-2025 already covers VTLT 2025."]


def period_unknown_previous(s):
    n = add(s, "KyDanhGia", ["CCHC-2026", 2026, "CCHC", None, "CCHC-2000", None, None])
    return [f"KyDanhGia!{n} Kỳ trước: Unknown period code “CCHC-2000”."]


def period_follows_itself(s):
    n = add(s, "KyDanhGia", ["CCHC-2026", 2026, "CCHC", None, "CCHC-2026", None, None])
    return [f"KyDanhGia!{n} Kỳ trước: A period cannot follow itself."]


def period_negative_award_limit(s):
    n = add(s, "KyDanhGia", ["CCHC-2026", 2026, "CCHC", None, None, "Rất tốt", -1])
    return [f"KyDanhGia!{n} Khen thưởng tối đa mỗi khối: -1 is below 0."]


def tier_bounds_not_decreasing(s):
    add(s, "KyDanhGia", ["VTLT-2025", 2025, "VTLT", None, None, None, None])
    add(s, "XepLoai", ["VTLT-2025", 1, "Xuất sắc", 90])
    n = add(s, "XepLoai", ["VTLT-2025", 2, "Tốt", "90,0"])
    add(s, "XepLoai", ["VTLT-2025", 3, "Yếu", 0])
    return [f"XepLoai!{n} Chỉ số tối thiểu: The lowest index of “Tốt” must be below that of “Xuất sắc”."]


def tier_last_not_zero(s):
    add(s, "KyDanhGia", ["VTLT-2025", 2025, "VTLT", None, None, None, None])
    add(s, "XepLoai", ["VTLT-2025", 1, "Xuất sắc", 90])
    n = add(s, "XepLoai", ["VTLT-2025", 2, "Yếu", 10])
    return [f"XepLoai!{n} Chỉ số tối thiểu: The last tier's lowest index must be 0."]


def tier_changed_above_an_unchanged_tier(s):
    # Only "Rất tốt" changes (90 → 75); the unchanged "Tốt" (80) below it is now out of order.
    s["XepLoai"][1][3] = 75
    return ["XepLoai!3 Chỉ số tối thiểu: The lowest index of “Tốt” must be below that of “Rất tốt”."]


def tier_bound_above_100(s):
    n = add(s, "XepLoai", ["CCHC-2024", 1, "Rất tốt", 101])
    return [f"XepLoai!{n} Chỉ số tối thiểu: The lowest index must be between 0 and 100."]


def tier_order_zero(s):
    n = add(s, "XepLoai", ["CCHC-2024", 0, "Rất tốt", 90])
    return [f"XepLoai!{n} Thứ tự: 0 is below 1."]


def tier_unknown_period(s):
    n = add(s, "XepLoai", ["CCHC-2030", 1, "Rất tốt", 90])
    return [f"XepLoai!{n} Mã kỳ: Unknown period code “CCHC-2030”."]


def criterion_bad_code(s):
    n = add(s, "TieuChi", criterion("1.a", "Mã sai", 1))
    return [f"TieuChi!{n} Mã tiêu chí: “1.a” is not a criterion code like 1, 1.2 or 1.2.3."]


def criterion_code_with_trailing_point(s):
    n = add(s, "TieuChi", criterion("3.", "Mã sai", 1))
    return [f"TieuChi!{n} Mã tiêu chí: “3.” is not a criterion code like 1, 1.2 or 1.2.3."]


def criterion_missing_parent(s):
    n = add(s, "TieuChi", criterion("3.1", "Không có cha", 5))
    return [f"TieuChi!{n} Mã tiêu chí: The parent criterion “3” is missing."]


def criterion_parent_max_differs(s):
    n = find(s, "TieuChi", P, "1")
    s["TieuChi"][n - 1][3] = "25,5"
    return [f"TieuChi!{n} Điểm tối đa: 25.5 differs from the sum of the sub-criteria, 26."]


def criterion_parent_max_counts_bonus(s):
    # Whoever adds the bonus 2.3 (3 points) into field 2's maximum is told the base sum.
    n = find(s, "TieuChi", P, "2")
    s["TieuChi"][n - 1][3] = 48
    return [f"TieuChi!{n} Điểm tối đa: 48 differs from the sum of the sub-criteria, 45."]


def criterion_leaf_without_max(s):
    n = add(s, "TieuChi", criterion("2.5", "Không có điểm", None))
    return [f"TieuChi!{n} Điểm tối đa: This cell is required."]


def criterion_max_zero(s):
    n = add(s, "TieuChi", criterion("2.5", "Điểm 0", 0))
    return [f"TieuChi!{n} Điểm tối đa: The maximum must be above 0."]


def criterion_unknown_method(s):
    n = add(s, "TieuChi", criterion("2.5", "Phương thức lạ", 1, "Percent"))
    return [
        f"TieuChi!{n} Phương thức: Unknown scoring method “percent”; "
        "write one of number, choice, yesno, deduction, bonus, survey."
    ]


def criterion_choice_without_options(s):
    n = add(s, "TieuChi", criterion("2.5", "Lựa chọn trống", 2, "choice"))
    return [f"TieuChi!{n} Lựa chọn: A choice criterion needs its options."]


def criterion_option_above_max(s):
    n = add(s, "TieuChi", criterion("2.5", "Lựa chọn quá điểm", 2, "choice", options="Tốt=3; Kém=0"))
    return [f"TieuChi!{n} Lựa chọn: Option points 3 are outside 0 to 2."]


def criterion_option_negative(s):
    n = add(s, "TieuChi", criterion("2.5", "Lựa chọn âm", 2, "choice", options="Tốt=2; Kém=-0,5"))
    return [f"TieuChi!{n} Lựa chọn: Option points -0.5 are outside 0 to 2."]


def criterion_bad_options(s):
    n = add(s, "TieuChi", criterion("2.5", "Lựa chọn sai", 2, "choice", options="Tốt: 2; Kém: 0"))
    return [f"TieuChi!{n} Lựa chọn: Write the options as “label=points; label=points”, not “Tốt: 2”."]


def criterion_unknown_group(s):
    n = add(s, "TieuChi", criterion("2.5", "Khối lạ", 5, groups="QH, XX"))
    return [f"TieuChi!{n} Áp dụng cho khối: Unknown group code “XX”."]


def criterion_flag_not_x(s):
    n = add(s, "TieuChi", criterion("2.5", "Cờ lạ", 5, may_not_arise="Có thể"))
    return [f"TieuChi!{n} Cho phép không phát sinh: “Có thể”: write x, or leave the cell empty."]


def criterion_evidence_flag_not_x(s):
    row = criterion("2.5", "Cờ lạ", 5)
    row[7] = "bắt buộc"
    n = add(s, "TieuChi", row)
    return [f"TieuChi!{n} Yêu cầu kiểm chứng: “bắt buộc”: write x, or leave the cell empty."]


def criterion_several_problems_in_one_row(s):
    n = add(s, "TieuChi", criterion("2.5", None, -1, "choice", groups="XX"))
    return [
        f"TieuChi!{n} Nội dung: This cell is required.",
        f"TieuChi!{n} Điểm tối đa: The maximum must be above 0.",
        f"TieuChi!{n} Áp dụng cho khối: Unknown group code “XX”.",
        f"TieuChi!{n} Lựa chọn: A choice criterion needs its options.",
    ]


def score_unknown_period(s):
    n = add(s, "Diem", ["CCHC-2030", "SNV", "1.3", None, 6, None, None])
    return [f"Diem!{n} Mã kỳ: Unknown period code “CCHC-2030”."]


def score_unknown_agency(s):
    n = add(s, "Diem", [P, "SXD", "1.3", None, 6, None, None])
    return [f"Diem!{n} Mã đơn vị: Unknown agency code “SXD”."]


def score_unknown_criterion(s):
    n = add(s, "Diem", [P, "SNV", "9.9", None, 1, None, None])
    return [f"Diem!{n} Mã tiêu chí: Period CCHC-2025 has no criterion “9.9”."]


def score_on_a_parent(s):
    n = add(s, "Diem", [P, "SNV", "1.1", None, 17, None, None])
    return [f"Diem!{n} Mã tiêu chí: Criterion 1.1 has sub-criteria: score its leaves."]


def score_leaf_not_for_the_group(s):
    n = add(s, "Diem", [P, "SNV", "2.2", 10, 10, None, None])
    return [f"Diem!{n} Mã tiêu chí: Criterion 2.2 does not apply to Khối sở, ban, ngành."]


def score_not_arising_not_allowed(s):
    row = diem_row(s, "SNV", "1.1.1")
    row[3:6] = [None, None, "x"]
    return ["Diem!2 Không phát sinh: Criterion 1.1.1 does not allow “does not arise”."]


def score_flag_not_x(s):
    n = add(s, "Diem", [P, "STC", "2.3", None, None, "có lẽ", None])
    return [f"Diem!{n} Không phát sinh: “có lẽ”: write x, or leave the cell empty."]


def score_above_max(s):
    diem_row(s, "SNV", "1.1.1")[4] = "10,5"
    return ["Diem!2 Điểm thẩm định: Score 10.5 is above the maximum of 10."]


def score_negative(s):
    diem_row(s, "SNV", "1.1.1")[3] = -1
    return ["Diem!2 Điểm tự đánh giá: Score -1 cannot be negative."]


def score_yesno_between(s):
    n = find(s, "Diem", P, "QHC", "1.3")
    s["Diem"][n - 1][4] = 3
    return [f"Diem!{n} Điểm thẩm định: A yes/no criterion takes 0 or 6, not 3."]


def score_choice_not_an_option(s):
    n = find(s, "Diem", P, "STC", "1.2")
    s["Diem"][n - 1][3] = "1,5"
    return [
        f"Diem!{n} Điểm tự đánh giá: Score 1.5 is not one of the options: "
        "Đúng hạn = 2; Trễ hạn = 1; Không thực hiện = 0."
    ]


def score_deduction_positive(s):
    n = find(s, "Diem", P, "SNV", "1.4")
    s["Diem"][n - 1][4] = "0,5"
    return [f"Diem!{n} Điểm thẩm định: A deduction is written as a negative number or 0, not 0.5."]


def score_deduction_below_floor(s):
    n = add(s, "Diem", [P, "STC", "1.4", None, "-2,5", None, None])
    return [f"Diem!{n} Điểm thẩm định: Deduction -2.5 is below the floor of −2."]


def score_bonus_above_cap(s):
    n = add(s, "Diem", [P, "QHC", "2.3", 4, "3,5", None, None])
    return [
        f"Diem!{n} Điểm tự đánh giá: Score 4 is above the maximum of 3.",
        f"Diem!{n} Điểm thẩm định: Score 3.5 is above the maximum of 3.",
    ]


def score_survey_above_max(s):
    n = find(s, "Diem", P, "QHC", "2.4")
    s["Diem"][n - 1][4] = 10.25
    return [f"Diem!{n} Điểm thẩm định: Score 10.25 is above the maximum of 10."]


def score_five_decimals(s):
    n = find(s, "Diem", P, "QHC", "2.4")
    s["Diem"][n - 1][4] = "7,12345"
    return [f"Diem!{n} Điểm thẩm định: Write at most 4 decimals: 7,12345."]


def score_five_decimals_as_a_number(s):
    n = find(s, "Diem", P, "QHC", "2.4")
    s["Diem"][n - 1][4] = 7.12345
    return [f"Diem!{n} Điểm thẩm định: Write at most 4 decimals: 7.12345."]


def score_not_a_number(s):
    n = find(s, "Diem", P, "QHC", "2.4")
    s["Diem"][n - 1][4] = "bảy"
    return [f"Diem!{n} Điểm thẩm định: “bảy” is not a number."]


def score_required_leaf_code(s):
    n = add(s, "Diem", [P, "SNV", None, 1, 1, None, None])
    return [f"Diem!{n} Mã tiêu chí: This cell is required."]


def demotion_zero_steps(s):
    s["HaBac"][1][2] = 0
    return ["HaBac!2 Số bậc hạ: 0 is below 1."]


def demotion_fraction_steps(s):
    s["HaBac"][1][2] = "1,5"
    return ["HaBac!2 Số bậc hạ: 1.5 is not a whole number."]


def demotion_without_reason(s):
    n = add(s, "HaBac", [P, "QHC", 1, None])
    return [f"HaBac!{n} Lý do: This cell is required."]


def demotion_unknown_agency(s):
    n = add(s, "HaBac", [P, "SXD", 1, "Vi phạm"])
    return [f"HaBac!{n} Mã đơn vị: Unknown agency code “SXD”."]


def demotion_unknown_period(s):
    n = add(s, "HaBac", ["CCHC-2030", "SNV", 1, "Vi phạm"])
    return [f"HaBac!{n} Mã kỳ: Unknown period code “CCHC-2030”."]


def result_negative_index(s):
    s["KetQua"][1][3] = "-1"
    return ["KetQua!2 Chỉ số: The index cannot be negative."]


def result_rank_zero(s):
    s["KetQua"][1][5] = 0
    return ["KetQua!2 Xếp hạng: 0 is below 1."]


def result_rank_missing(s):
    s["KetQua"][1][5] = None
    return ["KetQua!2 Xếp hạng: This cell is required."]


def result_total_not_a_number(s):
    s["KetQua"][1][2] = "chín mươi"
    return ["KetQua!2 Tổng điểm: “chín mươi” is not a number."]


def result_unknown_agency(s):
    n = add(s, "KetQua", ["CCHC-2024", "SXD", 80, 80, "Tốt", 3])
    return [f"KetQua!{n} Mã đơn vị: Unknown agency code “SXD”."]


CASES = [
    missing_required_column,
    missing_two_required_columns,
    khoi_required_name,
    khoi_order_not_a_number,
    khoi_order_negative,
    khoi_order_fraction,
    donvi_required_name,
    donvi_required_group,
    donvi_unknown_group,
    donvi_required_code,
    period_bad_subject,
    period_required_year,
    period_year_too_early,
    period_duplicate_year_subject,
    period_duplicate_year_subject_in_the_sheet,
    period_unknown_previous,
    period_follows_itself,
    period_negative_award_limit,
    tier_bounds_not_decreasing,
    tier_last_not_zero,
    tier_changed_above_an_unchanged_tier,
    tier_bound_above_100,
    tier_order_zero,
    tier_unknown_period,
    criterion_bad_code,
    criterion_code_with_trailing_point,
    criterion_missing_parent,
    criterion_parent_max_differs,
    criterion_parent_max_counts_bonus,
    criterion_leaf_without_max,
    criterion_max_zero,
    criterion_unknown_method,
    criterion_choice_without_options,
    criterion_option_above_max,
    criterion_option_negative,
    criterion_bad_options,
    criterion_unknown_group,
    criterion_flag_not_x,
    criterion_evidence_flag_not_x,
    criterion_several_problems_in_one_row,
    score_unknown_period,
    score_unknown_agency,
    score_unknown_criterion,
    score_on_a_parent,
    score_leaf_not_for_the_group,
    score_not_arising_not_allowed,
    score_flag_not_x,
    score_above_max,
    score_negative,
    score_yesno_between,
    score_choice_not_an_option,
    score_deduction_positive,
    score_deduction_below_floor,
    score_bonus_above_cap,
    score_survey_above_max,
    score_five_decimals,
    score_five_decimals_as_a_number,
    score_not_a_number,
    score_required_leaf_code,
    demotion_zero_steps,
    demotion_fraction_steps,
    demotion_without_reason,
    demotion_unknown_agency,
    demotion_unknown_period,
    result_negative_index,
    result_rank_zero,
    result_rank_missing,
    result_total_not_a_number,
    result_unknown_agency,
]


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_cell_check(case, base, write):
    expected = case(base)
    before = snapshot()
    path = write(base)
    report = do_import(path)
    assert report.problems == expected
    assert not report.ok
    assert snapshot() == before


def test_a_refused_score_keeps_the_stored_value(base, write):
    diem_row(base, "SNV", "1.1.1")[4] = 11
    base["DonVi"].append(["SXD", "Sở Xây dựng", "SBN"])
    report = do_import(write(base))
    assert report.problems == ["Diem!2 Điểm thẩm định: Score 11 is above the maximum of 10."]
    assert score("SNV", "1.1.1").final_score == D("9")
    assert not Agency.objects.filter(code="SXD").exists()


def test_not_arising_on_a_leaf_that_allows_it(base, write):
    row = diem_row(base, "SNV", "2.1")
    row[3:7] = [None, None, "X", "Không có hồ sơ phát sinh"]
    report = do_import(write(base))
    assert report.problems == []
    assert counts_of(report)["Diem"] == (0, 1, 19)
    stored = score("SNV", "2.1")
    assert (stored.not_arising, stored.self_score, stored.final_score, stored.note) == (
        True,
        None,
        None,
        "Không có hồ sơ phát sinh",
    )


def test_a_score_for_a_criterion_of_the_same_file(write):
    """Scores may refer to criteria, periods and agencies defined in the same file."""
    sheets = base_sheets()
    sheets["TieuChi"].append(criterion("3", "Hiện đại hóa", 5))
    sheets["Diem"].append([P, "QHC", "3", 4, "4,5", None, "Đã thẩm định"])
    report = do_import(write(sheets))
    assert report.problems == []
    assert counts_of(report)["Diem"] == (21, 0, 0)
    stored = score("QHC", "3")
    assert (stored.final_score, stored.note) == (D("4.5"), "Đã thẩm định")


def test_changing_a_leaf_maximum_updates_its_parents(base, write):
    base["TieuChi"][find(base, "TieuChi", P, "1.1.1") - 1][3] = 12
    report = do_import(write(base))
    assert report.problems == []
    assert counts_of(report)["TieuChi"] == (0, 1, 11)
    maxima = dict(
        Criterion.objects.filter(period__code=P, code__in=["1", "1.1", "1.1.1"]).values_list(
            "code", "max_points"
        )
    )
    assert maxima == {"1": D("28"), "1.1": D("20"), "1.1.1": D("12")}


def test_changing_the_groups_of_a_leaf_is_an_update(base, write):
    base["TieuChi"][find(base, "TieuChi", P, "2.2") - 1][5] = "QH, SBN"
    base["TieuChi"][find(base, "TieuChi", P, "2.1") - 1][5] = "SBN"
    report = do_import(write(base))
    assert report.problems == []
    assert counts_of(report)["TieuChi"] == (0, 2, 10)
    groups = {
        code: sorted(Criterion.objects.get(period__code=P, code=code).groups.values_list("code", flat=True))
        for code in ("2.1", "2.2")
    }
    assert groups == {"2.1": ["SBN"], "2.2": ["QH", "SBN"]}

    base["TieuChi"][find(base, "TieuChi", P, "2.2") - 1][5] = None
    report = do_import(write(base))
    assert counts_of(report)["TieuChi"] == (0, 1, 11)
    assert list(Criterion.objects.get(period__code=P, code="2.2").groups.all()) == []


def test_the_same_numbers_written_another_way_are_unchanged(base, write):
    for row in base["Diem"][1:]:
        for i in (3, 4):
            if row[i] is not None:
                number = D(str(row[i]).replace(",", "."))
                row[i] = str(number).replace(".", ",") + ",00" if "." not in str(number) else float(number)
    base["XepLoai"][1][3] = "90,0"
    base["KetQua"][2][2] = 88.5
    report = do_import(write(base))
    assert report.problems == []
    assert counts_of(report) == {sheet: (0, 0, new) for sheet, (new, _u, _s) in BASE_COUNTS.items()}


# --- a key written twice in one sheet -------------------------------------------------------------
# WORKBOOK.md: one line per problem, `SHEET!ROW COLUMN: message`, in plain words.


def duplicate_agency(s):
    add(s, "DonVi", ["SNV", "Sở Nội vụ (trùng)", "SBN"])
    return r"^DonVi!5 Mã đơn vị: "


def duplicate_tier_order(s):
    add(s, "XepLoai", [P, 5, "Kém", 0])
    return r"^XepLoai!7 (Mã kỳ|Thứ tự): "


def duplicate_tier_label(s):
    add(s, "XepLoai", ["CCHC-2024", 1, "Tốt", 80])
    add(s, "XepLoai", ["CCHC-2024", 2, "Tốt", 0])
    return r"^XepLoai!8 (Mã kỳ|Xếp loại): "


def duplicate_score(s):
    add(s, "Diem", [P, "SNV", "1.3", 6, 6, None, None])
    return r"^Diem!22 (Mã kỳ|Mã đơn vị|Mã tiêu chí): "


DUPLICATES = [duplicate_agency, duplicate_tier_order, duplicate_tier_label, duplicate_score]


@pytest.mark.parametrize("case", DUPLICATES, ids=[case.__name__ for case in DUPLICATES])
def test_a_key_written_twice_is_one_plain_problem_on_its_row(case, write):
    sheets = base_sheets()
    pattern = case(sheets)
    before = snapshot()
    report = do_import(write(sheets))
    assert snapshot() == before
    assert len(report.problems) == 1, report.problems
    line = report.problems[0]
    assert re.match(pattern, line), line
    assert "\n" not in line
    assert "Unexpected error" not in line
    assert "constraint" not in line.lower()


# --- statistics after a large import ------------------------------------------------------------


def analyzed_tables(write, monkeypatch, many_rows: int, **options) -> list[str]:
    monkeypatch.setattr(workbook_service, "MANY_ROWS", many_rows)
    with CaptureQueriesContext(connection) as queries:
        report = do_import(write(base_sheets()), **options)
    assert report.problems == []
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]


def test_a_large_import_refreshes_the_statistics_of_the_tables_it_wrote(write, monkeypatch):
    # 20 score rows stand for a large sheet here; every other sheet has fewer than 6 rows.
    found = analyzed_tables(write, monkeypatch, many_rows=20)
    if connection.vendor == "postgresql":
        assert found == ['ANALYZE "ranking_score"', 'ANALYZE "ranking_historicalscore"']
    else:
        assert found == []  # SQLite keeps no statistics unless asked


def test_a_small_import_or_a_dry_run_leaves_the_statistics_alone(write, monkeypatch):
    assert analyzed_tables(write, monkeypatch, many_rows=21) == []
    assert analyzed_tables(write, monkeypatch, many_rows=1, dry_run=True) == []


class Stop(Exception):
    pass


def test_a_stop_raised_while_reading_is_no_damaged_file(write):
    """A cancellation or the time limit reached while rows are read stops the import as such;
    it is not reported as "the file cannot be read"."""
    path = write(base_sheets())
    read = []

    def checkpoint():
        read.append(1)
        if len(read) == 3:
            raise Stop("cancelled")

    with pytest.raises(Stop, match="cancelled"):
        workbook_service.workbook_read(str(path), checkpoint=checkpoint)
    assert len(read) == 3

    sheets, problems = workbook_service.workbook_read(str(path), checkpoint=lambda: None)
    assert problems == []
    assert sorted(sheets) == sorted(base_sheets())
