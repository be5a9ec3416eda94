"""The import reads sheets with calamine; openpyxl's read-only reader, which it replaced, is
the reference here: both give the same rows, cell for cell and type for type, so every
message quoting a cell and every value imported stays as it was."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import AgencyGroup
from ranking.workbook.importer import is_blank, workbook_export, workbook_import, workbook_read
from tests.crafted import MAIN, xlsx_bytes

pytestmark = pytest.mark.django_db


def openpyxl_sheets(path: Path) -> dict[str, tuple[list[str], list[tuple[int, str]]]]:
    """Every sheet as the import read it with openpyxl: the named columns of row 1, then
    (row number, repr of the picked values) of every row not blank in them."""
    book = load_workbook(path, read_only=True, data_only=True)
    sheets = {}
    try:
        for worksheet in book.worksheets:
            worksheet.reset_dimensions()
            rows = worksheet.iter_rows(values_only=True)
            columns: dict[str, int] = {}
            for position, title in enumerate(next(rows, ())):
                title = str(title).strip() if title is not None else ""
                if title and title not in columns:
                    columns[title] = position
            picked_rows = []
            for number, values in enumerate(rows, start=2):
                picked = [values[i] if i < len(values) else None for i in columns.values()]
                if not all(is_blank(v) for v in picked):
                    picked_rows.append((number, repr(picked)))
            sheets[worksheet.title] = (list(columns), picked_rows)
    finally:
        book.close()
    return sheets


def imported_sheets(path: Path) -> dict[str, tuple[list[str], list[tuple[int, str]]]]:
    sheets, problems = workbook_read(str(path))
    assert problems == []
    return {
        name: (
            list(sheet.dataset.headers),
            [
                (number, repr(list(values)))
                for number, values in zip(sheet.row_numbers, sheet.dataset, strict=True)
            ],
        )
        for name, sheet in sheets.items()
    }


def test_the_demo_year_reads_the_same_with_both_readers(tmp_path):
    call_command("seed_demo", stdout=StringIO())
    path = tmp_path / "nam.xlsx"
    workbook_export().save(path)

    expected = openpyxl_sheets(path)
    assert imported_sheets(path) == expected
    assert {name: len(rows) for name, (_columns, rows) in expected.items()} == {
        "Khoi": 4,
        "DonVi": 42,
        "KyDanhGia": 6,
        "XepLoai": 33,
        "TieuChi": 180,
        "Diem": 5434,
        "HaBac": 1,
        "KetQua": 82,
        "TinhTrang": 168,
        "PhieuKhaoSat": 0,
        "KhoiTheoKy": 168,
    }


# Styles: 0 general, 1 a built-in date (14), 2 dd/mm/yyyy, 3 a date and time (22), 4 a number
# with two decimals, 5 a time of day (20), 6 a duration ([h]:mm).
STYLES = (
    f'<styleSheet xmlns="{MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
    '<numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7">'
    + "".join(
        f'<xf numFmtId="{f}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        for f in (0, 14, 164, 22, 2, 20, 165)
    )
    + "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
STRINGS = ["Mã kỳ", "Mã đơn vị", "Mã tiêu chí", "Điểm tự đánh giá", "Điểm thẩm định", "Ghi chú", "SNV"]


def text(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'


def shared(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="s"><v>{STRINGS.index(value)}</v></c>'


def number(ref: str, value: str, style: int = 0) -> str:
    return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'


# A scores sheet as Excel and LibreOffice save one: shared and inline strings, decimal commas
# typed as text, formulas with their cached values (one saved without, one an error), real date cells
# in three formats beside dates typed as text, merged cells (only the first keeps a value),
# blank rows left out of the file, rows of empty cells, and cells missing at a row's start.
DIEM = (
    f'<worksheet xmlns="{MAIN}"><dimension ref="A1:F3"/><sheetData>'
    '<row r="1">'
    + "".join(shared(f"{c}1", v) for c, v in zip("ABCDE", STRINGS[:5], strict=True))
    + text("F1", " Ghi chú ")
    + text("G1", "Ngày")
    + "</row>"
    '<row r="2">'
    + text("A2", "CCHC-2025")
    + shared("B2", "SNV")
    + text("C2", "1.1")
    + text("D2", "7,5")
    + '<c r="E2"><f>3+4.25</f><v>7.25</v></c>'
    + text("F2", "Kế hoạch\nsố 12")
    + number("G2", "45658", style=1)
    + "</row>"
    '<row r="3">'
    + shared("B3", "SNV")
    + '<c r="C3" t="str"><f>"1."&amp;"2"</f><v>1.2</v></c>'
    + number("D3", "8")
    + '<c r="E3"><f>D3*2</f></c>'
    + number("G3", "45658", style=2)
    + "</row>"
    '<row r="4"><c r="A4" s="4"/><c r="B4"/></row>'
    '<row r="6">'
    + text("A6", "CCHC-2025")
    + text("B6", "QHC")
    + number("C6", "2")
    + number("D6", "1.5E+20")
    + number("E6", "12.125", style=4)
    + text("F6", "01/06/2018")
    + number("G6", "45658.75", style=3)
    + "</row>"
    '<row r="7">'
    + text("C7", " 2.1 ")
    + number("D7", "-1e-3")
    + '<c r="E7" t="b"><v>1</v></c>'
    + number("F7", "0.5", style=5)
    + number("G7", "1.75", style=6)
    + "</row>"
    '<row r="8">'
    + text("A8", "CCHC-2025")
    + text("B8", "QHC")
    + number("C8", "3.1")
    + text("D8", " ")
    + '<c r="E8" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    + number("G8", "20000", style=2)
    + "</row>"
    '<row r="9"><c r="A9" t="inlineStr"><is><t></t></is></c></row>'
    "</sheetData>"
    '<mergeCells count="2"><mergeCell ref="A2:A3"/><mergeCell ref="F6:F7"/></mergeCells>'
    "</worksheet>"
)
# Another sheet whose first cells are not in column A, and a header cell holding a number.
DONVI = (
    f'<worksheet xmlns="{MAIN}"><sheetData>'
    '<row r="1">' + text("B1", "Mã đơn vị") + number("C1", "2025") + text("D1", "Mã khối") + "</row>"
    '<row r="3">' + text("B3", "SNV") + number("C3", "1") + text("D3", "SBN") + "</row>"
    "</sheetData></worksheet>"
)


def test_a_crafted_year_reads_the_same_with_both_readers(tmp_path):
    path = tmp_path / "nam.xlsx"
    shared_strings = f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>{s}</t></si>" for s in STRINGS) + "</sst>"
    path.write_bytes(xlsx_bytes({"Diem": DIEM, "DonVi": DONVI}, shared_strings=shared_strings, styles=STYLES))

    expected = openpyxl_sheets(path)
    assert imported_sheets(path) == expected
    # What the reference reads, so that a change of either reader shows here.
    assert expected["Diem"] == (
        ["Mã kỳ", "Mã đơn vị", "Mã tiêu chí", "Điểm tự đánh giá", "Điểm thẩm định", "Ghi chú", "Ngày"],
        [
            (
                2,
                "['CCHC-2025', 'SNV', '1.1', '7,5', 7.25, 'Kế hoạch\\nsố 12', "
                "datetime.datetime(2025, 1, 1, 0, 0)]",
            ),
            (3, "[None, 'SNV', '1.2', 8, None, None, datetime.datetime(2025, 1, 1, 0, 0)]"),
            (
                6,
                "['CCHC-2025', 'QHC', 2, 1.5e+20, 12.125, '01/06/2018', "
                "datetime.datetime(2025, 1, 1, 18, 0)]",
            ),
            (
                7,
                "[None, None, ' 2.1 ', -0.001, True, datetime.time(12, 0), "
                "datetime.timedelta(days=1, seconds=64800)]",
            ),
            (8, "['CCHC-2025', 'QHC', 3.1, ' ', '#DIV/0!', None, datetime.datetime(1954, 10, 3, 0, 0)]"),
        ],
    )
    assert expected["DonVi"] == (["Mã đơn vị", "2025", "Mã khối"], [(3, "['SNV', 1, 'SBN']")])


def test_an_error_cell_is_quoted_as_openpyxl_read_it_not_taken_for_blank(tmp_path):
    """calamine reads #DIV/0! as an empty cell: a whole number of #DIV/0! must stay refused."""
    path = tmp_path / "nam.xlsx"
    khoi = (
        f'<worksheet xmlns="{MAIN}"><sheetData>'
        '<row r="1">' + text("A1", "Mã khối") + text("B1", "Tên khối") + text("C1", "Thứ tự") + "</row>"
        '<row r="2">'
        + text("A2", "SBN")
        + text("B2", "Khối sở")
        + '<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        "</row></sheetData></worksheet>"
    )
    path.write_bytes(xlsx_bytes({"Khoi": khoi}))

    with translation.override("en"):
        report = workbook_import(file=str(path))

    assert report.problems == ["Khoi!2 Thứ tự: “#DIV/0!” is not a number."]
    assert not AgencyGroup.objects.exists()
