"""Build small .xlsx files from Python data, as an administrator would type them into Excel."""

from pathlib import Path

from openpyxl import Workbook

Cell = str | int | float | None


def write_workbook(path: str | Path, sheets: dict[str, list[list[Cell]]]) -> Path:
    """Write one sheet per entry, in dict order; the first list of a sheet is its header row.

    Values are written as given: a str stays text (so "7,5" is text, as users type it), an
    int or float becomes a number, None an empty cell.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return Path(path)
