"""The fast pass over a sheet's bytes (`SheetBytes`) settles only what the exact pass would
settle the same way: on every crafted sheet the limits give the same answer with it as
without it, and it leaves to the exact pass every sheet it cannot read soundly."""

import io
import zipfile

import pytest

from ranking.workbook import limits
from ranking.workbook.limits import Limits, Package, Worksheet, workbook_limits_check
from tests.crafted import MAIN, sheet_xml, xlsx_bytes

SMALL = Limits(
    file_bytes=10**8,
    unpacked_bytes=10**9,
    packing_ratio=10**6,
    sheets=50,
    rows=100,
    columns=10,
    cell_chars=200,
    cells=600,
)
HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
TAIL = "</sheetData></worksheet>"


def rows(count: int, width: int = 3, text: str = "ô") -> list[list]:
    return [[f"{text}{n}-{c}" if c % 2 else n * c for c in range(width)] for n in range(count)]


def raw(body: str, head: str = HEAD, tail: str = TAIL) -> bytes:
    return (head + body + tail).encode()


def long_text(length: int) -> str:
    return "x" * length


def sheet(rows_: list[list], **options) -> bytes:
    return b"".join(sheet_xml(rows_, **options))


SHEETS = {
    "sound": sheet(rows(60)),
    "sound, a dimension": sheet(rows(60), dimension="A1:C60"),
    "rows at the limit": sheet(rows(100, width=1)),
    "rows past the limit": sheet(rows(101, width=1)),
    "columns at the limit": sheet(rows(3, width=10)),
    "columns past the limit": sheet(rows(3, width=11)),
    "cells past the area": sheet(rows(70, width=9)),
    "dimension past the rows": sheet(rows(3), dimension="A1:C500"),
    "dimension past the columns": sheet(rows(3), dimension="A1:Z3"),
    "unnumbered": sheet(rows(60), numbered=False),
    "unnumbered past the rows": sheet(rows(101, width=1), numbered=False),
    "a cell of half the length": sheet([["a", long_text(100)]]),
    "a cell at the length": sheet([["a", long_text(200)]]),
    "a cell past the length": sheet([["a", long_text(201)]]),
    "a long cell among many": sheet([*rows(40), ["a", long_text(250)], *rows(5)]),
    "a long cell in rich runs": raw(
        '<row r="1"><c r="A1" t="inlineStr"><is>'
        + "".join(f"<r><rPr><color rgb='FF000000'/></rPr><t>{long_text(40)}</t></r>" for _ in range(8))
        + "</is></c></row>"
    ),
    "fake cells in a CDATA section": raw(
        '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA['
        + '<c r="A1"'.join(long_text(60) for _ in range(6))
        + "]]></t></is></c></row>"
    ),
    "a comment hiding a row": raw('<row r="1"><c r="A1"><v>1</v></c></row><!-- <row r="500"> -->'),
    "a prefixed sheet": (
        f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="500"><x:c r="A500"><x:v>1</x:v></x:c>'
        "</x:row></x:sheetData></x:worksheet>"
    ).encode(),
    "a reference not first": raw('<row r="1"><c s="0" r="Z1"><v>1</v></c></row>'),
    "a lower-case reference": raw('<row r="1"><c r="z1"><v>1</v></c></row>'),
    "a row reference not first": raw('<row spans="1:1" r="500"><c r="A500"><v>1</v></c></row>'),
    "a reference with a dollar": raw('<row r="1"><c r="$Z$1"><v>1</v></c></row>'),
    "a bad column": raw('<row r="1"><c r="A-1"><v>1</v></c></row>'),
    "a bad row": raw('<row r="x"><c r="A1"><v>1</v></c></row>'),
    "a processing instruction": raw('<row r="1"><?x <row r="500"?><c r="A1"><v>1</v></c></row>'),
    "a document type": (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "b">]>' + f'<worksheet xmlns="{MAIN}"/>'
    ).encode(),
    "not well-formed": raw('<row r="1"><c r="A1"><v>1</v></row>'),
    "cols before the data": raw(
        '<row r="1"><c r="A1"><v>1</v></c></row>',
        head=HEAD.replace("<sheetData>", '<cols><col min="1" max="1" width="9"/></cols><sheetData>'),
    ),
    "a long end after the data": raw(
        '<row r="1"><c r="A1"><v>1</v></c></row>',
        tail=TAIL.replace(
            "</worksheet>",
            "<headerFooter><oddHeader>" + long_text(300) + "</oddHeader></headerFooter></worksheet>",
        ),
    ),
}


def workbook(sheet: bytes) -> bytes:
    return xlsx_bytes({"Diem": sheet})


def answer(data: bytes, monkeypatch, *, fast: bool) -> list[str]:
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(Package, "worksheet_count", lambda self, part, name: None)
        return workbook_limits_check(io.BytesIO(data), limits=SMALL)


@pytest.mark.parametrize("name", list(SHEETS))
def test_the_fast_pass_gives_the_exact_pass_answer(name, monkeypatch, settings):
    settings.LANGUAGE_CODE = "vi"
    data = workbook(SHEETS[name])
    assert answer(data, monkeypatch, fast=True) == answer(data, monkeypatch, fast=False)


def counts(data: bytes) -> tuple[int | None, int | None]:
    """The fast count and the exact pass's count of the sheet's cells (None: refused)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    package = Package(archive, len(data), SMALL)
    part = "xl/worksheets/sheet1.xml"
    fast = package.worksheet_count(part, "Diem")
    try:
        exact = package.scan(part, lambda exact: Worksheet(package, "Diem", exact=exact)).cells
    except limits.Refused:
        exact = None
    return fast, exact


SETTLED = [
    "sound",
    "sound, a dimension",
    "rows at the limit",
    "columns at the limit",
    "a cell of half the length",
    "cols before the data",
]


@pytest.mark.parametrize("name", SETTLED)
def test_a_sound_sheet_is_counted_by_its_bytes(name):
    fast, exact = counts(workbook(SHEETS[name]))
    assert fast is not None
    assert fast == exact


LEFT_TO_THE_EXACT_PASS = [name for name in SHEETS if name not in SETTLED]


@pytest.mark.parametrize("name", LEFT_TO_THE_EXACT_PASS)
def test_any_other_sheet_is_left_to_the_exact_pass(name):
    fast, _exact = counts(workbook(SHEETS[name]))
    assert fast is None


def test_a_cell_past_the_length_hidden_among_fake_cells_is_refused(settings):
    settings.LANGUAGE_CODE = "vi"
    data = workbook(SHEETS["fake cells in a CDATA section"])
    assert workbook_limits_check(io.BytesIO(data), limits=SMALL) == ["Diem!1 A: Ô có hơn 200 ký tự."]


def test_the_counts_hold_across_chunks(monkeypatch):
    """Tags cut between two chunks of the stream are counted once, in the chunk they end."""
    monkeypatch.setattr(limits, "CHUNK", 7)
    data = workbook(sheet(rows(60), dimension="A1:C60"))
    fast, exact = counts(data)
    assert fast == exact == 180
