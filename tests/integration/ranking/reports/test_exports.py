"""The conference workbook (`export_results`), read back with openpyxl as its users' scripts would."""

import datetime
from decimal import Decimal
from io import BytesIO, StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from openpyxl.xml.functions import tostring

from accounts.models import Agency
from ranking.cells import sheet_title
from ranking.enums import Phase, Subject
from ranking.models import AwardEntry, Criterion, Demotion, Publication, Result
from ranking.reports.exports.conference import conference_workbook, conference_workbook_bytes
from ranking.results.finalization import snapshot
from tests.factories import AgencyFactory, AgencyGroupFactory, CriterionFactory, PeriodFactory, make_tiers

LONG_GROUP = "Khối sở, ban, ngành: cơ quan chuyên môn thuộc UBND thành phố"
# The colon is dropped (Excel forbids it), then the name is cut to 31 characters.
LONG_GROUP_SHEET = "Khối sở, ban, ngành cơ quan chu"
DISTRICTS = "Khối quận, huyện"

GROUP_HEADER = [
    "Xếp hạng",
    "Mã đơn vị",
    "Tên đơn vị",
    # Each field by its code (the workbook's contract); its name is written right above.
    "1",
    "2",
    "Tổng điểm",
    "Điểm tối đa",
    "Chỉ số (%)",
    "Xếp loại",
    "Xếp hạng năm trước",
    "Thay đổi",
]
CHANGE_FORMAT = '"▲"0;"▼"0;"="'


def result(period, agency, group, tiers, *, fields, total, maximum, index, tier, rank, previous, before=None):
    return Result.objects.create(
        period=period,
        agency=agency,
        group=group,
        total=Decimal(total),
        total_without_survey=Decimal(total),
        maximum=Decimal(maximum),
        index=Decimal(index),
        field_scores=fields,
        tier_before_demotion=tiers[before if before is not None else tier],
        tier=tiers[tier],
        demoted=before is not None,
        rank=rank,
        previous_rank=previous,
    )


@pytest.fixture
def period():
    """CCHC 2025: two groups, five agencies, a tie, a demotion, a newcomer, an award list.

    Codes sort differently from the display order (group QH before SBN, agency HV before
    QHC, SKHDT before SNV), so that only the right ordering passes.
    """
    period = PeriodFactory(year=2025, subject=Subject.CCHC)
    tiers = make_tiers(period)  # Rất tốt, Tốt, Khá, Trung bình, Yếu
    # Created out of order: the columns follow the codes, not the insertion order.
    field_2 = CriterionFactory(period=period, code="2", title="Cải cách thủ tục hành chính", max_points=40)
    field_1 = CriterionFactory(period=period, code="1", title="Công tác chỉ đạo, điều hành", max_points=60)
    CriterionFactory(period=period, code="2.1", parent=field_2, max_points=40)
    CriterionFactory(period=period, code="1.1", parent=field_1, max_points=60)

    departments = AgencyGroupFactory(code="SBN", name=LONG_GROUP, order=1)
    districts = AgencyGroupFactory(code="QH", name=DISTRICTS, order=2)
    home = AgencyFactory(code="SNV", name="Sở Nội vụ", group=departments)
    planning = AgencyFactory(code="SKHDT", name="Sở Kế hoạch và Đầu tư", group=departments)
    # Moved to another group since the ranking: it stays where it was ranked.
    information = AgencyFactory(code="STTTT", name="Sở Thông tin và Truyền thông", group=districts)
    hai_chau = AgencyFactory(code="QHC", name="Quận Hải Châu", group=districts)
    hoa_vang = AgencyFactory(code="HV", name="Huyện Hòa Vang", group=districts)

    result(period, home, departments, tiers, fields={"1": "55.5", "2": "38"}, total="93.5",
           maximum="100", index="93.5", tier=0, rank=1, previous=3)  # fmt: skip
    result(period, planning, departments, tiers, fields={"1": "50", "2": "35.25"}, total="85.25",
           maximum="100", index="85.25", tier=1, rank=2, previous=1)  # fmt: skip
    result(period, information, departments, tiers, fields={"1": "50", "2": "35.25"}, total="85.25",
           maximum="100", index="85.25", tier=1, rank=2, previous=2)  # fmt: skip
    result(period, hai_chau, districts, tiers, fields={"1": "55", "2": "37.5"}, total="92.5",
           maximum="100", index="92.5", tier=1, before=0, rank=1, previous=1)  # fmt: skip
    # No leaf of field 2 arose for this agency: the field has no score at all.
    result(period, hoa_vang, districts, tiers, fields={"1": "70.125"}, total="70.125",
           maximum="95", index="73.8157894737", tier=2, rank=2, previous=None)  # fmt: skip

    AwardEntry.objects.create(period=period, agency=home)
    AwardEntry.objects.create(period=period, agency=planning, included=False, reason="Vi phạm kỷ luật")
    AwardEntry.objects.create(period=period, agency=information)
    AwardEntry.objects.create(period=period, agency=hoa_vang, proposed=False, reason="Hội đồng bổ sung")

    # Another period of the same agencies must not leak into this one's workbook.
    other = PeriodFactory(year=2025, subject=Subject.VTLT)
    other_tiers = make_tiers(other, [("Xuất sắc", "90"), ("Yếu", "0")])
    result(other, home, districts, other_tiers, fields={"1": "1"}, total="1", maximum="100",
           index="1", tier=1, rank=1, previous=None)  # fmt: skip
    AwardEntry.objects.create(period=other, agency=hai_chau)
    return period


def export(period, tmp_path):
    path = tmp_path / "ket-qua.xlsx"
    out = StringIO()
    with translation.override("en"):
        call_command("export_results", period.code, str(path), stdout=out)
    return path, out.getvalue(), openpyxl.load_workbook(path)


def table(ws, first_header):
    """The header row (its number and values) and the data rows below it, up to the first blank row."""
    header_row = next(row for row in range(1, ws.max_row + 1) if ws.cell(row, 1).value == first_header)
    rows = []
    for row in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if row[0] is None:
            break
        rows.append(list(row))
    return header_row, [c.value for c in ws[header_row]], rows


@pytest.mark.django_db
def test_command_writes_the_workbook_and_reports_its_size(period, tmp_path):
    path, output, workbook = export(period, tmp_path)

    assert output == f"Wrote {path}: 5 agencies in 2 groups.\n"
    assert workbook.sheetnames == [LONG_GROUP_SHEET, DISTRICTS, "Tổng hợp", "Khen thưởng"]


@pytest.mark.django_db
def test_group_sheets_list_every_agency_in_rank_order_with_numbers(period, tmp_path):
    _, _, workbook = export(period, tmp_path)

    departments = workbook[LONG_GROUP_SHEET]
    assert departments["A1"].value == "UBND THÀNH PHỐ ĐÀ NẴNG"
    assert departments["A2"].value == "SỞ NỘI VỤ"
    assert departments["A4"].value == "KẾT QUẢ XẾP HẠNG CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025"
    assert departments["A5"].value == LONG_GROUP
    assert "A5:K5" in {str(merged) for merged in departments.merged_cells.ranges}
    assert departments["A5"].font.bold

    header_row, header, rows = table(departments, "Xếp hạng")
    assert header_row == 7
    assert header == GROUP_HEADER
    # The fields' names above their codes, wrapped, in the row between the title and the header.
    assert [departments.cell(6, column).value for column in range(1, 7)] == [
        None, None, None, "Công tác chỉ đạo, điều hành", "Cải cách thủ tục hành chính", None,
    ]  # fmt: skip
    assert departments["D6"].alignment.wrap_text and departments["D6"].font.italic
    assert departments["D6"].data_type == "s"
    assert rows == [
        [1, "SNV", "Sở Nội vụ", 55.5, 38, 93.5, 100, 93.5, "Rất tốt", 3, 2],
        [2, "SKHDT", "Sở Kế hoạch và Đầu tư", 50, 35.25, 85.25, 100, 85.25, "Tốt", 1, -1],
        [2, "STTTT", "Sở Thông tin và Truyền thông", 50, 35.25, 85.25, 100, 85.25, "Tốt", 2, 0],
    ]

    header_row, header, rows = table(workbook[DISTRICTS], "Xếp hạng")
    assert header == GROUP_HEADER
    # The demoted district shows its tier after demotion; the newcomer has no previous rank
    # and no change, and no score in the field that did not arise.
    assert rows == [
        [1, "QHC", "Quận Hải Châu", 55, 37.5, 92.5, 100, 92.5, "Tốt", 1, 0],
        # The index as published, rounded to 2 decimals (73,8157894737 stored).
        [2, "HV", "Huyện Hòa Vang", 70.125, None, 70.125, 95, 73.82, "Khá", None, None],
    ]


@pytest.mark.django_db
def test_numbers_are_numbers_with_two_decimals(period, tmp_path):
    _, _, workbook = export(period, tmp_path)
    ws = workbook[DISTRICTS]

    row = 9  # Huyện Hòa Vang
    assert [ws.cell(row, column).data_type for column in range(1, 12)] == [
        "n", "s", "s", "n", "n", "n", "n", "n", "s", "n", "n",
    ]  # fmt: skip
    for column in (4, 5, 6, 7, 8):  # fields, total, maximum, index
        assert ws.cell(row, column).number_format == "#,##0.00"
    assert ws.cell(row, 1).number_format == "0"
    assert ws.cell(8, 10).number_format == "0"
    assert ws.cell(8, 11).number_format == CHANGE_FORMAT
    assert ws.cell(8, 1).border.left.style == "thin"
    assert ws.cell(7, 1).font.bold
    assert ws.cell(7, 1).fill.fill_type == "solid"
    assert ws.cell(7, 10).alignment.wrap_text
    assert ws.column_dimensions["C"].width > ws.column_dimensions["A"].width


@pytest.mark.django_db
def test_every_sheet_prints_landscape_a4_with_the_header_on_every_page(period, tmp_path):
    _, _, workbook = export(period, tmp_path)

    for ws in workbook.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9, ws.title
        assert ws.print_title_rows == "$7:$7", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth == 1, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
    assert workbook[LONG_GROUP_SHEET].freeze_panes == "D8"
    assert workbook[DISTRICTS].freeze_panes == "D8"
    assert workbook["Tổng hợp"].freeze_panes == "B8"
    assert workbook["Khen thưởng"].freeze_panes == "D8"


@pytest.mark.django_db
def test_summary_counts_agencies_per_tier_and_group(period, tmp_path):
    _, _, workbook = export(period, tmp_path)

    _, header, rows = table(workbook["Tổng hợp"], "Khối")
    assert header == ["Khối", "Rất tốt", "Tốt", "Khá", "Trung bình", "Yếu", "Tổng"]
    assert rows == [
        [LONG_GROUP, 1, 2, 0, 0, 0, 3],
        [DISTRICTS, 0, 1, 1, 0, 0, 2],
        ["Tổng cộng", 1, 3, 1, 0, 0, 5],
    ]


@pytest.mark.django_db
def test_award_sheet_lists_the_included_entries_proposed_then_approved(period, tmp_path):
    _, _, workbook = export(period, tmp_path)

    ws = workbook["Khen thưởng"]
    assert ws["A4"].value == "DANH SÁCH ĐỀ NGHỊ TẶNG BẰNG KHEN"
    _, header, rows = table(ws, "STT")
    assert header == ["STT", "Mã đơn vị", "Tên đơn vị", "Khối", "Chỉ số (%)", "Xếp loại"]
    # Group order, then rank; the council's exclusion is left out, its addition is in.
    assert rows == [
        [1, "SNV", "Sở Nội vụ", LONG_GROUP, 93.5, "Rất tốt"],
        [2, "STTTT", "Sở Thông tin và Truyền thông", LONG_GROUP, 85.25, "Tốt"],
        [3, "HV", "Huyện Hòa Vang", DISTRICTS, 73.82, "Khá"],
    ]
    assert ws["E8"].number_format == "#,##0.00"

    period.awards_approved_at = timezone.now()
    period.save()
    _, _, workbook = export(period, tmp_path)
    assert workbook["Khen thưởng"]["A4"].value == "DANH SÁCH TẶNG BẰNG KHEN"
    assert table(workbook["Khen thưởng"], "STT")[2] == rows


@pytest.mark.django_db
def test_unknown_period_is_refused(tmp_path):
    path = tmp_path / "x.xlsx"
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("export_results", "CCHC-1999", str(path))

    assert str(refused.value) == "Unknown period “CCHC-1999”."
    assert not path.exists()


@pytest.mark.django_db
def test_period_without_results_is_refused(tmp_path):
    period = PeriodFactory(year=2024, subject=Subject.VTLT)
    make_tiers(period)
    path = tmp_path / "x.xlsx"
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("export_results", period.code, str(path))

    assert str(refused.value) == (
        "Results of period VTLT-2024 have not been computed; run compute_results first."
    )
    assert not path.exists()


@pytest.mark.django_db
def test_workbook_bytes_of_a_vtlt_period():
    period = PeriodFactory(year=2024, subject=Subject.VTLT)
    tiers = make_tiers(period, [("Xuất sắc", "90"), ("Tốt", "80"), ("Yếu", "0")])
    group = AgencyGroupFactory(code="DVSN", name="Khối đơn vị sự nghiệp", order=4)
    agency = AgencyFactory(code="BQL", name="Ban Quản lý các KCN", group=group)
    result(period, agency, group, tiers, fields={}, total="95", maximum="100", index="95", tier=0,
           rank=1, previous=None)  # fmt: skip

    workbook = openpyxl.load_workbook(BytesIO(conference_workbook_bytes(period=period)))

    assert workbook.sheetnames == ["Khối đơn vị sự nghiệp", "Tổng hợp", "Khen thưởng"]
    ws = workbook["Khối đơn vị sự nghiệp"]
    assert ws["A4"].value == "KẾT QUẢ XẾP HẠNG CÔNG TÁC VĂN THƯ – LƯU TRỮ NĂM 2024"
    # No fields defined: the table goes straight from the name to the total.
    _, header, rows = table(ws, "Xếp hạng")
    assert header == [h for h in GROUP_HEADER if h not in GROUP_HEADER[3:5]]
    assert rows == [[1, "BQL", "Ban Quản lý các KCN", 95, 100, 95, "Xuất sắc", None, None]]
    assert table(workbook["Khen thưởng"], "STT")[2] == []


def test_sheet_titles_are_valid_and_unique():
    taken = {"tổng hợp"}

    assert sheet_title("Khối [A]/B: *C?\\", taken=taken) == "Khối AB C"
    assert sheet_title(LONG_GROUP, taken=taken) == LONG_GROUP_SHEET
    # Same first 31 characters: the second gets a number, still within 31.
    assert sheet_title(LONG_GROUP + " (cũ)", taken=taken) == "Khối sở, ban, ngành cơ quan (2)"
    assert sheet_title("TỔNG HỢP", taken=taken) == "TỔNG HỢP (2)"
    assert sheet_title("'[]'", taken=taken, fallback="K01") == "K01"


def build_period(year: int, agencies: int):
    """A period with `agencies` agencies split over two groups, all on the award list."""
    period = PeriodFactory(year=year, subject=Subject.CCHC)
    tiers = make_tiers(period)
    for code in ("1", "2"):
        Criterion.objects.create(period=period, code=code, title=f"Lĩnh vực {code}", max_points=50)
    groups = [AgencyGroupFactory(code=f"G{year}{n}", order=n) for n in (1, 2)]
    for n in range(agencies):
        group = groups[n % 2]
        agency = AgencyFactory(code=f"A{year}{n:02d}", group=group)
        result(period, agency, group, tiers, fields={"1": "45", "2": "40"}, total="85", maximum="100",
               index="85", tier=1, rank=n // 2 + 1, previous=n or None)  # fmt: skip
        AwardEntry.objects.create(period=period, agency=agency)
    return period


@pytest.mark.django_db
@pytest.mark.parametrize("agencies", [2, 6])
def test_workbook_queries_do_not_grow_with_agencies(agencies, django_assert_num_queries):
    period = build_period(2020 + agencies, agencies)
    # Every agency demoted, with a reason, and added to the certificate list by the council: a
    # note of each on its group's sheet and on the certificate list.
    Result.objects.filter(period=period).update(demoted=True)
    for agency in Agency.objects.filter(results__period=period):
        Demotion.objects.create(period=period, agency=agency, steps=1, reason=f"Lý do {agency.code}")
    AwardEntry.objects.filter(period=period).update(proposed=False, reason="Hội đồng bổ sung")

    # results, fields, tiers, tier counts, groups, award entries, their results, and the
    # council's reasons: demotions, award changes
    with django_assert_num_queries(9):
        workbook = conference_workbook(period=period)

    assert len(workbook.sheetnames) == 4
    assert sum(len(table(ws, "Xếp hạng")[2]) for ws in workbook.worksheets[:2]) == agencies
    assert len(table(workbook["Khen thưởng"], "STT")[2]) == agencies
    notes = [ws.cell(row, 1).value for ws in workbook.worksheets for row in range(1, ws.max_row + 1)]
    assert sum(1 for value in notes if isinstance(value, str) and value.startswith("- ")) == 2 * agencies


# --- styles: each kind of cell keeps its look, in every workbook written ---------------------


def reopen(workbook) -> openpyxl.Workbook:
    buffer = BytesIO()
    workbook.save(buffer)
    return openpyxl.load_workbook(BytesIO(buffer.getvalue()))


def xml(style) -> bytes:
    return tostring(style.to_tree())


def cell_facts(cell) -> tuple:
    return (
        cell.value,
        cell.data_type,
        cell.number_format,
        xml(cell.font),
        xml(cell.fill),
        xml(cell.border),
        xml(cell.alignment),
        xml(cell.protection),
    )


def sheet_facts(ws) -> dict:
    return {
        "cells": {
            key: cell_facts(cell)
            for key, cell in ws._cells.items()
            if cell.has_style or cell.value is not None
        },
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "widths": {key: (d.min, d.max, d.width, d.customWidth) for key, d in ws.column_dimensions.items()},
        "heights": {key: d.height for key, d in ws.row_dimensions.items() if d.height},
        "freeze": ws.freeze_panes,
        "print": (ws.print_title_rows, ws.print_title_cols, ws.print_area),
        "setup": xml(ws.page_setup),
        "properties": xml(ws.sheet_properties),
        "options": xml(ws.print_options),
        "margins": xml(ws.page_margins),
        "footer": xml(ws.HeaderFooter),
        "size": ws.dimensions,
    }


@pytest.mark.django_db
def test_workbooks_made_one_after_another_are_the_same(period, tmp_path):
    # Each workbook enters its cells' styles in its own style tables: the second workbook made
    # in a process looks like the first, in memory, from the command and as a download.
    built = reopen(conference_workbook(period=period))
    path, _, written = export(period, tmp_path)
    downloaded = openpyxl.load_workbook(BytesIO(conference_workbook_bytes(period=period)))

    assert written.sheetnames == downloaded.sheetnames == built.sheetnames
    assert written.named_styles == built.named_styles
    for name in built.sheetnames:
        assert sheet_facts(written[name]) == sheet_facts(built[name]), name
        assert sheet_facts(downloaded[name]) == sheet_facts(built[name]), name
    # Scripts reading the file in read-only mode learn each sheet's size from the file.
    streamed = openpyxl.load_workbook(path, read_only=True)
    for ws in built.worksheets:
        assert (streamed[ws.title].max_row, streamed[ws.title].max_column) == (ws.max_row, ws.max_column)


THIN = ["thin"] * 4


def sides(cell) -> list:
    return [cell.border.left.style, cell.border.right.style, cell.border.top.style, cell.border.bottom.style]


def looks(cell) -> tuple:
    font, alignment = cell.font, cell.alignment
    return (
        (font.name, font.sz, font.b, font.i),
        (alignment.horizontal, alignment.vertical, bool(alignment.wrap_text)),
        cell.number_format,
    )


@pytest.mark.django_db
def test_every_kind_of_cell_keeps_its_font_alignment_border_and_format(period, tmp_path):
    _, _, workbook = export(period, tmp_path)
    ws = workbook[DISTRICTS]

    times = "Times New Roman"
    assert looks(ws["A1"]) == ((times, 12, False, False), ("center", "center", True), "General")
    assert looks(ws["A2"]) == ((times, 12, True, False), ("center", "center", True), "General")
    assert looks(ws["A4"]) == ((times, 14, True, False), ("center", "center", True), "General")
    assert looks(ws["A5"]) == ((times, 12, True, False), ("center", "center", True), "General")
    assert sides(ws["A4"]) == [None] * 4
    # The fields' names, above the header, and the header each on up to two lines.
    assert [ws.row_dimensions[row].height for row in (4, 5, 6, 7)] == [21, 21, 36, 36]
    assert looks(ws["D6"]) == ((times, 10, False, True), ("center", "center", True), "General")
    # The header row: bold on light blue, centred, bordered.
    assert looks(ws["K7"]) == ((times, 12, True, False), ("center", "center", True), "General")
    assert ws["K7"].fill.fill_type == "solid" and ws["K7"].fill.start_color.rgb.endswith("DDEBF7")
    assert sides(ws["K7"]) == THIN
    # A row: rank, code, name, a field's score, an empty score, the tier, the change.
    assert looks(ws["A8"]) == ((times, 12, False, False), ("center", "center", True), "0")
    assert looks(ws["B8"]) == ((times, 12, False, False), ("center", "center", True), "General")
    assert looks(ws["C8"]) == ((times, 12, False, False), ("left", "center", True), "General")
    assert looks(ws["D8"]) == ((times, 12, False, False), ("right", "center", False), "#,##0.00")
    assert looks(ws["E9"]) == ((times, 12, False, False), ("right", "center", False), "#,##0.00")
    assert ws["E9"].value is None
    assert looks(ws["I8"]) == ((times, 12, False, False), ("center", "center", True), "General")
    assert looks(ws["K8"]) == ((times, 12, False, False), ("center", "center", True), CHANGE_FORMAT)
    for cell in ("A8", "C8", "D8", "E9", "K9"):
        assert sides(ws[cell]) == THIN, cell
        assert ws[cell].fill.fill_type is None, cell
    # The summary's totals row is bold.
    summary = workbook["Tổng hợp"]
    assert looks(summary["A10"]) == ((times, 12, True, False), ("left", "center", True), "General")
    assert looks(summary["G10"]) == ((times, 12, True, False), ("center", "center", True), "0")
    assert looks(summary["A9"])[0] == (times, 12, False, False)
    # The workbook adds no cell style of its own to Excel's gallery.
    assert workbook.named_styles == ["Normal"]


@pytest.mark.django_db
def test_a_one_line_issuer_leaves_the_title_where_it_was(period, tmp_path, settings):
    settings.CONFERENCE_ISSUER = ("UBND THÀNH PHỐ ĐÀ NẴNG",)

    _, _, workbook = export(period, tmp_path)

    ws = workbook[DISTRICTS]
    assert [ws.cell(row, 1).value for row in range(1, 8)] == [
        "UBND THÀNH PHỐ ĐÀ NẴNG",
        None,
        None,
        "KẾT QUẢ XẾP HẠNG CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025",
        DISTRICTS,
        None,
        "Xếp hạng",
    ]
    # (The signature blocks at the end of the sheet have merges of their own.)
    assert {"A1:C1", "A4:K4", "A5:K5"} == {str(r) for r in ws.merged_cells.ranges if r.min_row <= 7}


# --- the council's notes, the date and the signature blocks at the end of every sheet -----------


def footer_rows(ws, after: int) -> list[list]:
    """The first column's text of each row from `after` + 1 to the last, and of the signature
    blocks' right half (column F of an 11-column sheet)."""
    return [[ws.cell(row, 1).value, ws.cell(row, 6).value] for row in range(after + 1, ws.max_row + 1)]


def demote_hai_chau(period):
    Demotion.objects.create(
        period=period,
        agency=Agency.objects.get(code="QHC"),
        steps=1,
        reason="Thủ trưởng bị kỷ luật khiển trách",
    )


@pytest.mark.django_db
def test_group_sheets_end_with_the_demotion_notes_the_date_and_the_signatures(period, tmp_path):
    demote_hai_chau(period)

    _, _, workbook = export(period, tmp_path)

    districts = workbook[DISTRICTS]
    assert footer_rows(districts, 9) == [
        [None, None],
        ["Ghi chú:", None],
        ["- Quận Hải Châu (QHC): hạ bậc xếp loại từ Rất tốt xuống Tốt. Lý do: Thủ trưởng bị kỷ luật "
         "khiển trách", None],
        [None, None],
        [None, "Đà Nẵng, ngày … tháng … năm …"],
        ["NGƯỜI LẬP BIỂU", "CHỦ TỊCH HỘI ĐỒNG THẨM ĐỊNH"],
        ["(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên, đóng dấu)"],
    ]  # fmt: skip
    merged = {str(r) for r in districts.merged_cells.ranges}
    assert {"A11:K11", "A12:K12", "F14:K14", "A15:E15", "F15:K15", "A16:E16", "F16:K16"} <= merged
    assert districts["A12"].alignment.wrap_text
    assert districts["A15"].font.bold and districts["A16"].font.italic
    # The signatures' room is printed too.
    assert districts.print_area == "'Khối quận, huyện'!$A$1:$K$20"
    # No agency of the departments was demoted: no note, the signatures right after the table.
    assert footer_rows(workbook[LONG_GROUP_SHEET], 10) == [
        [None, None],
        [None, "Đà Nẵng, ngày … tháng … năm …"],
        ["NGƯỜI LẬP BIỂU", "CHỦ TỊCH HỘI ĐỒNG THẨM ĐỊNH"],
        ["(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên, đóng dấu)"],
    ]


@pytest.mark.django_db
def test_the_award_sheet_notes_each_agency_the_council_added_or_removed(period, tmp_path):
    _, _, workbook = export(period, tmp_path)

    ws = workbook["Khen thưởng"]
    # Six columns: the signature blocks are A–C and D–F.
    assert [[ws.cell(row, 1).value, ws.cell(row, 4).value] for row in range(11, ws.max_row + 1)] == [
        [None, None],
        ["Ghi chú:", None],
        ["- Sở Kế hoạch và Đầu tư (SKHDT): Hội đồng đưa ra khỏi danh sách đề nghị. Lý do: Vi phạm kỷ luật",
         None],
        ["- Huyện Hòa Vang (HV): Hội đồng bổ sung vào danh sách. Lý do: Hội đồng bổ sung", None],
        [None, None],
        [None, "Đà Nẵng, ngày … tháng … năm …"],
        ["NGƯỜI LẬP BIỂU", "CHỦ TỊCH HỘI ĐỒNG THẨM ĐỊNH"],
        ["(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên, đóng dấu)"],
    ]  # fmt: skip
    summary = workbook["Tổng hợp"]
    assert [summary.cell(row, 1).value for row in range(11, summary.max_row + 1)] == [
        None,
        None,
        "NGƯỜI LẬP BIỂU",
        "(Ký, ghi rõ họ tên)",
    ]


@pytest.mark.django_db
def test_a_published_workbook_is_dated_on_its_publication_and_names_the_fields(period, tmp_path):
    demote_hai_chau(period)
    Publication.objects.create(
        period=period,
        version=1,
        published_at=datetime.datetime(2026, 6, 1, 3, 0, tzinfo=datetime.UTC),
        **snapshot(period),
    )
    period.phase = Phase.PUBLISHED
    period.save()

    workbook = openpyxl.load_workbook(BytesIO(conference_workbook_bytes(period=period)))

    ws = workbook[DISTRICTS]
    _, header, rows = table(ws, "Xếp hạng")
    # The publication keeps the fields' codes; their names come from the criteria.
    assert header == GROUP_HEADER
    assert [ws["D6"].value, ws["E6"].value] == ["Công tác chỉ đạo, điều hành", "Cải cách thủ tục hành chính"]
    assert rows[1][7] == 73.82
    assert ws["F14"].value == "Đà Nẵng, ngày 01 tháng 6 năm 2026"
    assert ws["A12"].value.startswith("- Quận Hải Châu (QHC): hạ bậc xếp loại từ Rất tốt xuống Tốt.")
    assert workbook["Khen thưởng"]["D16"].value == "Đà Nẵng, ngày 01 tháng 6 năm 2026"
