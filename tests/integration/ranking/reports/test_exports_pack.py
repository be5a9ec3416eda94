"""The complete conference workbook (`conference_pack_workbook`): the choice of sheets and
columns, `Chi tiết`, the charts, the analysis and year-over-year sheets and their print
settings, read back with openpyxl against the hand calculation below.

THE FIXTURE (`build_pack`), CCHC-2025, tiers Rất tốt ≥ 90 · Tốt ≥ 80 · Khá ≥ 70 · Trung bình ≥ 50 · Yếu
Criteria: field 1 → 1.1 number /10, 1.2 deduction (floor 2); field 2 → 2.1 number /10 (may not
arise), 2.2 number /5 for the districts (QH) only.
Groups: SBN "Khối sở, ban, ngành" (order 1), QH "Khối quận, huyện" (order 2).

Scores (self / reviewed / final; "KPS" = does not arise; "·" = no score row):
 agency   1.1          1.2               2.1            2.2       reviewer
 SNV      9 / 8 / 8.5  −0.5 / −1 / −1    10 / 9.5 / 9.5  n/a      Trần Văn Bình
 STC      10 / 7 / 7   0 / 0 / 0         KPS             n/a      Trần Văn Bình
 SXD      6 / · / ·    ·                 ·               n/a      none (no result)
 QHC      8 / 8 / 8    ·                 7 / 6 / 6.5     5 / 4 / 4 Lê Thị Hoa
Explanations decided: SNV 1.1 accepted in part (8 → 8.5), SNV 1.2 rejected, QHC 2.1 accepted.

Results (as computed): SNV 8.5 − 1 + 9.5 = 17 of 20 → 85 Tốt, rank 1 (SBN)
                        STC 7 + 0 = 7 of 10 (2.1 did not arise) → 70 Khá, rank 2 (SBN)
                        QHC 8 + 6.5 + 4 = 18.5 of 25 → 74 Khá, rank 1 (QH)
CCHC-2024 (published, past results): STC rank 1 "Rất tốt", SNV rank 2 "Tốt".

WHERE POINTS WERE LOST (per group; lost = max − final, a deduction loses −final, no row = 0):
  SBN 1.1: SNV 1.5, STC 3, SXD 10 → 3 agencies, 3 losing, 14.5, average 4.8333…
      1.2: SNV 1, STC 0, SXD 0 → 3, 1, 1, 0.3333…
      2.1: SNV 0.5, SXD 10 (STC: did not arise) → 2, 2, 10.5, 5.25
  QH  1.1: 2 → 1, 1, 2, 2 · 1.2: 0 → 1, 0, 0, 0 · 2.1: 3.5 → 1, 1, 3.5, 3.5 · 2.2: 1 → 1, 1, 1, 1
SHARE OF EACH FIELD'S MAXIMUM (%): SNV (8.5 − 1)/10 = 75, 9.5/10 = 95 · STC 70, none (no
  arisen leaf in field 2) · SXD 0, 0 · QHC 8/10 = 80, (6.5 + 4)/15 = 70
SELF-ASSESSMENT ACCURACY (self total, final total of the same leaves; maximum; gap; indices):
  SNV 9 − 0.5 + 10 = 18.5, 17 of 20, gap 1.5, 92.5 − 85 = 7.5
  STC 10, 7 of 10, gap 3, 100 − 70 = 30 · SXD 6, 0 of 20, gap 6, 30 − 0 = 30
  → over-scoring rank in SBN: STC and SXD share 1 (30), SNV 3 · QHC 20, 18.5 of 25, 1.5, 80 − 74 = 6, rank 1
REVIEWERS (by name): Lê Thị Hoa: 1 assessment, 3 leaves reviewed, 2 adjustments (2.1 −1, 2.2 −1)
  both lowered, total −2, average −1; explanations 1 accepted → 100 %
  Trần Văn Bình: 2 assessments, 5 leaves (SNV 1.1 1.2 2.1, STC 1.1 1.2), 4 adjustments
  (−1, −0.5, −0.5, −3), total −5, average −1.25; 1 in part, 1 rejected → 50 %
YEAR OVER YEAR: SNV 2 → 1 ▲1, Tốt → Tốt = · STC 1 → 2 ▼1, Rất tốt → Khá ▼2 · QHC new
TIERS PER YEAR: 2024 Rất tốt 1, Tốt 1 (2) · 2025 Tốt 1, Khá 2 (3)
"""

from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.utils import timezone
from openpyxl.chart import BarChart

from ranking.enums import Phase, Subject
from ranking.models import Result
from ranking.reports.exports.conference import GROUP_COLUMN_KEYS, conference_workbook
from ranking.reports.exports.pack import (
    CONTRACT_SHEETS,
    DETAIL_COLUMN_KEYS,
    PACK_SHEETS,
    conference_pack_bytes,
    conference_pack_workbook,
)
from tests.builders import QH, SBN, build_pack
from tests.factories import PeriodFactory, make_tiers

pytestmark = pytest.mark.django_db

D = Decimal
ALL_SHEETS = [
    SBN,
    QH,
    "Tổng hợp",
    "Khen thưởng",
    "Biểu đồ",
    "Chi tiết",
    "So sánh năm",
    "Xếp loại qua các năm",
    "Điểm bị trừ",
    "Tỷ lệ điểm theo lĩnh vực",
    "Tự đánh giá",
    "Thẩm định viên",
]
SCORE_FORMAT = "#,##0.00"
CHANGE_FORMAT = '"▲"0;"▼"0;"="'


def reopen(workbook) -> openpyxl.Workbook:
    """Saved and read back, as a user's Excel or script would see it."""
    buffer = BytesIO()
    workbook.save(buffer)
    return openpyxl.load_workbook(BytesIO(buffer.getvalue()))


def rows(ws, first: int, last_column: int | None = None) -> list[list]:
    """The values of the rows from `first` down to the first row whose column A is empty."""
    found = []
    for row in ws.iter_rows(min_row=first, max_col=last_column or ws.max_column, values_only=True):
        if row[0] is None:
            break
        found.append(list(row))
    return found


def test_default_pack_holds_every_sheet_in_pack_order():
    pack = build_pack()

    workbook = reopen(conference_pack_workbook(period=pack.period))

    assert workbook.sheetnames == ALL_SHEETS
    assert list(PACK_SHEETS) == [
        "groups",
        "summary",
        "awards",
        "chart",
        "details",
        "year_over_year",
        "tiers_per_year",
        "losses",
        "heat_map",
        "self_accuracy",
        "reviewers",
    ]


@pytest.mark.parametrize(
    ("sheets", "names"),
    [
        (["details"], ["Chi tiết"]),
        (["awards", "groups"], [SBN, QH, "Khen thưởng"]),  # pack order, whatever the order asked
        (["reviewers", "chart", "year_over_year"], ["Biểu đồ", "So sánh năm", "Thẩm định viên"]),
        (["summary", "losses", "heat_map", "self_accuracy"],
         ["Tổng hợp", "Điểm bị trừ", "Tỷ lệ điểm theo lĩnh vực", "Tự đánh giá"]),
    ],
)  # fmt: skip
def test_a_selection_holds_exactly_its_sheets(sheets, names):
    pack = build_pack()

    assert reopen(conference_pack_workbook(period=pack.period, sheets=sheets)).sheetnames == names


def test_unknown_sheets_and_columns_are_refused():
    pack = build_pack()

    with pytest.raises(ValueError, match="unknown sheets"):
        conference_pack_workbook(period=pack.period, sheets=["groups", "secret"])
    with pytest.raises(ValueError, match="at least one sheet"):
        conference_pack_workbook(period=pack.period, sheets=[])
    with pytest.raises(ValueError, match="unknown columns of groups"):
        conference_pack_workbook(period=pack.period, columns={"groups": ["rank", "password"]})
    with pytest.raises(ValueError, match="no column choice"):
        conference_pack_workbook(period=pack.period, columns={"summary": ["Khối"]})


def sheet_snapshot(ws) -> dict:
    return {
        "cells": [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()],
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "freeze": ws.freeze_panes,
        "titles": ws.print_title_rows,
        "area": ws.print_area,
        "orientation": ws.page_setup.orientation,
        "widths": {k: v.width for k, v in ws.column_dimensions.items()},
    }


def test_the_contract_selection_is_the_published_workbook():
    pack = build_pack()

    published = reopen(conference_workbook(period=pack.period))
    chosen = reopen(conference_pack_workbook(period=pack.period, sheets=CONTRACT_SHEETS))

    assert chosen.sheetnames == published.sheetnames == [SBN, QH, "Tổng hợp", "Khen thưởng"]
    for name in published.sheetnames:
        assert sheet_snapshot(chosen[name]) == sheet_snapshot(published[name]), name


def test_group_sheets_with_chosen_columns():
    pack = build_pack()

    workbook = reopen(
        conference_pack_workbook(
            period=pack.period,
            sheets=["groups"],
            columns={"groups": ["rank", "name", "fields", "index", "change"]},
        )
    )

    ws = workbook[SBN]
    assert [c.value for c in ws[7]] == ["Xếp hạng", "Tên đơn vị", "1", "2", "Chỉ số (%)", "Thay đổi"]
    # Each field's name right above its code.
    assert [c.value for c in ws[6]] == [None, None, "Tiêu chí 1", "Tiêu chí 2", None, None]
    assert rows(ws, 8) == [[1, "Sở Nội vụ", 7.5, 9.5, 85, 1], [2, "Sở Tài chính", 7, None, 70, -1]]
    assert ws["C8"].number_format == SCORE_FORMAT
    assert ws["F8"].number_format == CHANGE_FORMAT
    # The panes freeze after the columns that name the agency (rank and name here).
    assert ws.freeze_panes == "C8"
    assert "A4:F4" in {str(r) for r in ws.merged_cells.ranges}
    assert rows(workbook[QH], 8) == [[1, "Quận Hải Châu", 8, 10.5, 74, None]]


DETAIL_HEADER_1 = ["Khối", "Xếp hạng", "Mã đơn vị", "Tên đơn vị", "Tổng điểm", "Chỉ số (%)", "Xếp loại",
                   "1.1", None, None, "1.2", None, None, "2.1", None, None, "2.2", None, None]  # fmt: skip
PARTS = ["Tự đánh giá", "Thẩm định", "Cuối cùng"]


def test_details_sheet_every_leaf_self_reviewed_final():
    pack = build_pack()

    ws = reopen(conference_pack_workbook(period=pack.period, sheets=["details"]))["Chi tiết"]

    assert ws["A4"].value == "CHI TIẾT ĐIỂM TỪNG TIÊU CHÍ - CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025"
    assert [c.value for c in ws[7]] == DETAIL_HEADER_1
    assert [c.value for c in ws[8]] == [None] * 7 + PARTS * 4
    merged = {str(r) for r in ws.merged_cells.ranges}
    # Each leaf's code over its three columns; each fixed column over both header rows.
    assert {"H7:J7", "K7:M7", "N7:P7", "Q7:S7"} <= merged
    assert {f"{col}7:{col}8" for col in "ABCDEFG"} <= merged
    assert ws["H7"].font.bold and ws["H8"].fill.fill_type == "solid"

    # One row per assessed agency: group, then rank; SXD has no result and comes last in SBN.
    assert rows(ws, 9) == [
        [SBN, 1, "SNV", "Sở Nội vụ", 17, 85, "Tốt", 9, 8, 8.5, -0.5, -1, -1, 10, 9.5, 9.5, None, None, None],
        [SBN, 2, "STC", "Sở Tài chính", 7, 70, "Khá", 10, 7, 7, 0, 0, 0, "KPS", "KPS", "KPS",
         None, None, None],
        [SBN, None, "SXD", "Sở Xây dựng", None, None, None, 6, None, None, None, None, None, None, None, None,
         None, None, None],
        [QH, 1, "QHC", "Quận Hải Châu", 18.5, 74, "Khá", 8, 8, 8, None, None, None, 7, 6, 6.5, 5, 4, 4],
    ]  # fmt: skip
    # Numbers are numbers with two decimals; "does not arise" is said, not zero.
    assert [ws.cell(9, col).data_type for col in range(8, 17)] == ["n"] * 9
    assert {ws.cell(9, col).number_format for col in (5, 6, *range(8, 17))} == {SCORE_FORMAT}
    assert ws["N10"].data_type == "s"
    # 2.2 applies to the districts only: the departments' cells are greyed out.
    assert ws["Q9"].fill.fill_type == "solid" and ws["Q9"].fill.start_color.rgb.endswith("EDEDED")
    assert ws["Q12"].fill.fill_type is None
    # Print: the two header rows on every page, and the agency's columns on every page across
    # (three columns per leaf are too many for one page wide); the panes keep both in view.
    assert ws.print_title_rows == "$7:$8"
    assert ws.print_title_cols == "$A:$D"
    assert ws.page_setup.scale == 70
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.freeze_panes == "E9"
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_area == "'Chi tiết'!$A$1:$S$12"


def test_details_sheet_with_chosen_columns():
    pack = build_pack()

    ws = reopen(
        conference_pack_workbook(
            period=pack.period, sheets=["details"], columns={"details": ["code", "final"]}
        )
    )["Chi tiết"]

    # One score column per leaf: its code is not merged, the kind of score below it.
    assert [c.value for c in ws[7]] == ["Mã đơn vị", "1.1", "1.2", "2.1", "2.2"]
    assert [c.value for c in ws[8]] == [None, "Cuối cùng", "Cuối cùng", "Cuối cùng", "Cuối cùng"]
    assert not {"B7:B7", "B7:D7"} & {str(r) for r in ws.merged_cells.ranges}
    assert rows(ws, 9) == [
        ["SNV", 8.5, -1, 9.5, None],
        ["STC", 7, 0, "KPS", None],
        ["SXD", None, None, None, None],
        ["QHC", 8, None, 6.5, 4],
    ]
    assert ws.freeze_panes == "B9"


def test_chart_sheet_draws_the_tiers_per_group_with_excel():
    pack = build_pack()

    ws = reopen(conference_pack_workbook(period=pack.period, sheets=["chart"]))["Biểu đồ"]

    assert [c.value for c in ws[7]] == ["Khối", "Rất tốt", "Tốt", "Khá", "Trung bình", "Yếu"]
    assert rows(ws, 8) == [[SBN, 0, 1, 1, 0, 0], [QH, 0, 0, 1, 0, 0]]
    written = conference_pack_workbook(period=pack.period, sheets=["chart"])["Biểu đồ"]
    (chart,) = written._charts
    assert isinstance(chart, BarChart)
    assert (chart.type, chart.grouping, chart.overlap) == ("bar", "stacked", 100)
    assert len(chart.series) == 5
    assert chart.series[0].val.numRef.f == "'Biểu đồ'!$B$8:$B$9"
    assert chart.series[0].cat.strRef.f == "'Biểu đồ'!$A$8:$A$9"
    # The first group on top, as in the table.
    assert chart.x_axis.scaling.orientation == "maxMin"
    # The print area reaches below the table to the chart; all of it on one page.
    assert ws.print_area == "'Biểu đồ'!$A$1:$F$36"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)


def test_year_over_year_sheet():
    pack = build_pack()

    ws = reopen(conference_pack_workbook(period=pack.period, sheets=["year_over_year"]))["So sánh năm"]

    assert ws["A4"].value == "SO SÁNH KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025 VỚI NĂM 2024"
    assert [c.value for c in ws[7]] == [
        "Khối", "Mã đơn vị", "Tên đơn vị", "Xếp hạng năm 2024", "Xếp hạng năm 2025", "Thay đổi",
        "Xếp loại năm 2024", "Xếp loại năm 2025", "Thay đổi xếp loại", "Ghi chú",
    ]  # fmt: skip
    assert rows(ws, 8) == [
        [SBN, "SNV", "Sở Nội vụ", 2, 1, 1, "Tốt", "Tốt", 0, None],
        [SBN, "STC", "Sở Tài chính", 1, 2, -1, "Rất tốt", "Khá", -2, None],
        [QH, "QHC", "Quận Hải Châu", None, 1, None, None, "Khá", None, "Mới"],
    ]
    assert ws["F8"].number_format == ws["I8"].number_format == CHANGE_FORMAT
    assert ws.print_title_rows == "$7:$7"
    assert ws.freeze_panes == "D8"


def test_year_over_year_sheet_compares_with_published_years_only():
    pack = build_pack()
    pack.previous.phase = Phase.FINALIZATION
    pack.previous.save()

    ws = reopen(conference_pack_workbook(period=pack.period, sheets=["year_over_year"]))["So sánh năm"]

    assert ws["A4"].value == "SO SÁNH KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH QUA CÁC NĂM"
    assert ws["D7"].value == "Xếp hạng năm trước"
    assert [r[3:6] + r[9:] for r in rows(ws, 8)] == [
        [None, 1, None, "Mới"],
        [None, 2, None, "Mới"],
        [None, 1, None, "Mới"],
    ]
    # Nor do the tiers per year count it.
    tiers = reopen(conference_pack_workbook(period=pack.period, sheets=["tiers_per_year"]))[
        "Xếp loại qua các năm"
    ]
    assert rows(tiers, 8) == [["2025", 0, 1, 2, 0, 0, 3]]


def test_tiers_per_year_sheet_draws_every_year_with_excel():
    pack = build_pack()

    written = conference_pack_workbook(period=pack.period, sheets=["tiers_per_year"])["Xếp loại qua các năm"]
    ws = reopen(conference_pack_workbook(period=pack.period, sheets=["tiers_per_year"]))[
        "Xếp loại qua các năm"
    ]

    assert ws["A4"].value == "XẾP LOẠI CHỈ SỐ CẢI CÁCH HÀNH CHÍNH QUA CÁC NĂM"
    assert rows(ws, 7) == [
        ["Năm", "Rất tốt", "Tốt", "Khá", "Trung bình", "Yếu", "Tổng"],
        ["2024", 1, 1, 0, 0, 0, 2],
        ["2025", 0, 1, 2, 0, 0, 3],
    ]
    (chart,) = written._charts
    assert (chart.type, chart.grouping, chart.overlap) == ("col", "stacked", 100)
    assert [s.tx.strRef.f for s in chart.series] == [f"'Xếp loại qua các năm'!{c}7" for c in "BCDEF"]
    assert chart.series[0].val.numRef.f == "'Xếp loại qua các năm'!$B$8:$B$9"
    assert chart.series[0].cat.strRef.f == "'Xếp loại qua các năm'!$A$8:$A$9"
    # A short table and its chart: one page.
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
    assert ws.print_area == "'Xếp loại qua các năm'!$A$1:$G$36"


def test_losses_sheet():
    pack = build_pack()

    ws = reopen(conference_pack_workbook(period=pack.period, sheets=["losses"]))["Điểm bị trừ"]

    assert [c.value for c in ws[7]] == [
        "Khối", "Mã tiêu chí", "Nội dung", "Điểm tối đa", "Số đơn vị áp dụng", "Số đơn vị bị trừ điểm",
        "Tổng số điểm bị trừ", "Bình quân điểm bị trừ",
    ]  # fmt: skip
    found = rows(ws, 8)
    assert [r[:2] + r[3:7] for r in found] == [
        [SBN, "1.1", 10, 3, 3, 14.5],
        [SBN, "1.2", 2, 3, 1, 1],
        [SBN, "2.1", 10, 2, 2, 10.5],
        [QH, "1.1", 10, 1, 1, 2],
        [QH, "1.2", 2, 1, 0, 0],
        [QH, "2.1", 10, 1, 1, 3.5],
        [QH, "2.2", 5, 1, 1, 1],
    ]
    assert [round(r[7], 4) for r in found] == [4.8333, 0.3333, 5.25, 2, 0, 3.5, 1]
    assert found[0][2] == "Tiêu chí 1.1"
    assert ws.auto_filter.ref == "A7:H14"


def test_heat_map_sheet_is_coloured_by_excel():
    pack = build_pack()

    ws = reopen(conference_pack_workbook(period=pack.period, sheets=["heat_map"]))["Tỷ lệ điểm theo lĩnh vực"]

    assert [c.value for c in ws[7]] == [
        "Khối",
        "Xếp hạng",
        "Mã đơn vị",
        "Tên đơn vị",
        "Lĩnh vực 1 (%)",
        "Lĩnh vực 2 (%)",
    ]
    assert rows(ws, 8) == [
        [SBN, 1, "SNV", "Sở Nội vụ", 75, 95],
        [SBN, 2, "STC", "Sở Tài chính", 70, None],
        [SBN, None, "SXD", "Sở Xây dựng", 0, 0],
        [QH, 1, "QHC", "Quận Hải Châu", 80, 70],
    ]
    (formatting,) = ws.conditional_formatting
    assert str(formatting.sqref) == "E8:F11"
    assert formatting.rules[0].type == "colorScale"


def test_self_accuracy_sheet():
    pack = build_pack()

    ws = reopen(conference_pack_workbook(period=pack.period, sheets=["self_accuracy"]))["Tự đánh giá"]

    assert rows(ws, 8) == [
        [SBN, 2, "STC", "Sở Tài chính", 10, 10, 7, 3, 100, 70, 30, 1],
        [SBN, None, "SXD", "Sở Xây dựng", 20, 6, 0, 6, 30, 0, 30, 1],
        [SBN, 1, "SNV", "Sở Nội vụ", 20, 18.5, 17, 1.5, 92.5, 85, 7.5, 3],
        [QH, 1, "QHC", "Quận Hải Châu", 25, 20, 18.5, 1.5, 80, 74, 6, 1],
    ]


def test_reviewers_sheet():
    pack = build_pack()

    ws = reopen(conference_pack_workbook(period=pack.period, sheets=["reviewers"]))["Thẩm định viên"]

    assert rows(ws, 8) == [
        ["Lê Thị Hoa", 1, 3, 2, 2, 0, -2, -1, 1, 0, 0, 100],
        ["Trần Văn Bình", 2, 5, 4, 4, 0, -5, -1.25, 0, 1, 1, 50],
    ]


def test_every_sheet_prints_landscape_a4_with_its_header_repeated():
    pack = build_pack()

    workbook = reopen(conference_pack_workbook(period=pack.period))

    for ws in workbook.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9, ws.title
        assert ws.print_title_rows == ("$7:$8" if ws.title == "Chi tiết" else "$7:$7"), ws.title
        if ws.title == "Chi tiết":
            assert (ws.print_title_cols, ws.page_setup.scale) == ("$A:$D", 70)
        else:
            assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
            one_page = ws.title in ("Biểu đồ", "Xếp loại qua các năm")
            assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, int(one_page)), ws.title
        assert ws.oddFooter.center.text == "Trang &P / &N", ws.title
        assert ws["A1"].value == "UBND THÀNH PHỐ ĐÀ NẴNG", ws.title


def test_only_group_sheets_of_a_period_without_results_still_make_a_workbook():
    period = PeriodFactory(year=2026, subject=Subject.VTLT)
    make_tiers(period, [("Xuất sắc", "90"), ("Yếu", "0")])

    workbook = reopen(conference_pack_workbook(period=period, sheets=["groups"]))

    assert workbook.sheetnames == ["Tổng hợp"]
    assert rows(workbook["Tổng hợp"], 7) == [["Khối", "Tổng"], ["Tổng cộng", 0]]


def test_group_and_detail_column_keys():
    assert GROUP_COLUMN_KEYS == [
        "rank", "code", "name", "fields", "components", "total", "maximum", "index", "tier", "previous_rank",
        "change",
    ]  # fmt: skip
    assert DETAIL_COLUMN_KEYS == [
        "group",
        "rank",
        "code",
        "name",
        "total",
        "index",
        "tier",
        "self",
        "reviewed",
        "final",
    ]


@pytest.mark.parametrize("extra", [0, 4])
def test_pack_queries_do_not_grow_with_agencies(extra, django_assert_num_queries):
    pack = build_pack(extra)
    pack.period.refresh_from_db()

    # the published period's last publication 1 (it has none: its current results are read),
    # group sheets 2, tier counts 3, awards 2, one load for Chi tiết and the analyses 5,
    # year over year 7 (previous period, tiers, results now and then, past results, periods, counts 2),
    # tiers per year 4 (tiers, periods, counts 2), the council's reasons for the notes 2
    with django_assert_num_queries(27):
        data = conference_pack_bytes(period=pack.period)

    workbook = openpyxl.load_workbook(BytesIO(data))
    assert len(rows(workbook["Chi tiết"], 9)) == 4 + extra


def test_generated_at_any_time_of_the_period():
    """The council may export while the period runs: nothing in the pack needs a result."""
    pack = build_pack()
    Result.objects.filter(period=pack.period).delete()
    pack.period.phase = Phase.APPRAISAL
    pack.period.results_computed_at = None
    pack.period.awards_approved_at = timezone.now()
    pack.period.save()

    workbook = reopen(conference_pack_workbook(period=pack.period))

    assert workbook.sheetnames == ALL_SHEETS[2:]
    assert [r[:4] for r in rows(workbook["Chi tiết"], 9)] == [
        [SBN, None, "SNV", "Sở Nội vụ"],
        [SBN, None, "STC", "Sở Tài chính"],
        [SBN, None, "SXD", "Sở Xây dựng"],
        [QH, None, "QHC", "Quận Hải Châu"],
    ]


def test_details_cells_keep_their_styles():
    pack = build_pack()

    ws = reopen(conference_pack_workbook(period=pack.period, sheets=["details"]))["Chi tiết"]

    def looks(cell):
        return (
            (cell.font.name, cell.font.sz, cell.font.b),
            (cell.alignment.horizontal, cell.alignment.vertical, bool(cell.alignment.wrap_text)),
            cell.number_format,
            [getattr(cell.border, side).style for side in ("left", "right", "top", "bottom")],
            cell.fill.fill_type,
        )

    plain, bold, thin = ("Times New Roman", 12, False), ("Times New Roman", 12, True), ["thin"] * 4
    # The two header rows: bold on light blue, centred, bordered.
    assert looks(ws["H7"]) == (bold, ("center", "center", True), "General", thin, "solid")
    assert looks(ws["I8"]) == (bold, ("center", "center", True), "General", thin, "solid")
    assert ws["I8"].fill.start_color.rgb.endswith("DDEBF7")
    # The agency's columns, a score, "does not arise", a leaf that does not apply.
    assert looks(ws["D9"]) == (plain, ("left", "center", True), "General", thin, None)
    assert looks(ws["H9"]) == (plain, ("right", "center", False), SCORE_FORMAT, thin, None)
    assert looks(ws["N10"]) == (plain, ("center", "center", True), "General", thin, None)
    assert looks(ws["Q9"]) == (plain, ("right", "center", False), SCORE_FORMAT, thin, "solid")
    assert looks(ws["Q12"]) == (plain, ("right", "center", False), SCORE_FORMAT, thin, None)
