"""Writing values into workbook cells: every workbook the application produces goes through here.

openpyxl takes text that begins with `=` for a formula and text such as `#N/A` for an error
value, so an officer's explanation `=HYPERLINK("http://…")` would reach the council as a live
formula. Here text is always written as text (data type `s`), exactly as typed — no prefix,
no quote, so it reads back, and imports back, unchanged — and numbers stay numbers. Control
characters no workbook can hold are taken out (`clean_text`) for text stored before they
were refused on input.
"""

import re
from io import BytesIO
from typing import Any

import tablib
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell

from ranking.text import clean_text


def cell_put(cell: Cell, value: Any) -> Cell:
    """Give `cell` its value: text as text (never a formula or an error value), anything else
    (numbers, dates, None) as openpyxl writes it. Returns the cell."""
    if isinstance(value, str):
        cell.value = clean_text(value)
        cell.data_type = "s"
        return cell
    cell.value = value
    return cell


def row_cells(ws, values: list[Any]) -> list[Cell | None]:
    """A row of `values` to append to the write-only sheet `ws`; an empty string leaves the cell empty."""
    return [None if value is None or value == "" else cell_put(WriteOnlyCell(ws), value) for value in values]


def dataset_sheet(book: Workbook, *, title: str, dataset: tablib.Dataset) -> None:
    """A sheet of a write-only `book` holding `dataset`: its headers, then its rows."""
    sheet = book.create_sheet(title)
    sheet.append(row_cells(sheet, list(dataset.headers or ())))
    for row in dataset:
        sheet.append(row_cells(sheet, list(row)))


def dataset_xlsx(*, title: str, dataset: tablib.Dataset) -> bytes:
    """`dataset` as an .xlsx file of one sheet named `title`."""
    book = Workbook(write_only=True)
    dataset_sheet(book, title=title, dataset=dataset)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# Excel refuses these in a sheet name and cuts names at 31 characters.
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_CONTROLS = re.compile(r"[\x00-\x1f]+")
SHEET_NAME_MAX = 31


def sheet_title(name: str, *, taken: set[str], fallback: str = "Khối") -> str:
    """A sheet name Excel accepts, unique among `taken` (casefolded; the new name is added).

    `name` without the characters Excel forbids, cut to 31 characters; `fallback` when
    nothing of it is left.
    """
    base = _clean_sheet_name(name) or _clean_sheet_name(fallback) or "Khối"
    title, copy = base, 2
    # Excel compares sheet names without regard to case.
    while title.casefold() in taken:
        suffix = f" ({copy})"
        title = _trim_sheet_name(base[: SHEET_NAME_MAX - len(suffix)]) + suffix
        copy += 1
    taken.add(title.casefold())
    return title


def _clean_sheet_name(name: str) -> str:
    # A line break or any other control character cannot stand in a sheet's name: a space.
    name = SHEET_NAME_CONTROLS.sub(" ", name)
    return _trim_sheet_name(SHEET_NAME_FORBIDDEN.sub("", name)[:SHEET_NAME_MAX])


def _trim_sheet_name(name: str) -> str:
    # Excel also refuses a name that starts or ends with an apostrophe.
    return name.strip().strip("'").strip()
