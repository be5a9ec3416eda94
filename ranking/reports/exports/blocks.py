"""Table rows kept as values and written as the workbook is saved, without a cell each.

A workbook built in memory holds a cell object for every value; openpyxl's save then sorts
every sheet's cells and looks each cell's style up in the workbook's table of styles by
hashing it. For the long tables of a workbook that is only saved (the conference workbook of
`export_results`), that is most of the cost beyond writing the XML itself. Such a table can
be left out of its sheet as a `RowBlock` — its rows of values, and the one style of each
column — and `workbook_save_blocks` writes it where it stands, through openpyxl's own
writer, cell by cell as `ws.append` would have: the file is the same, byte for byte (the
workbook's properties aside, which carry the time of saving).

Everything else about the sheet (the rows above and below the block, merged cells, widths,
print settings) is built on the sheet as usual; the sheet keeps the block's rows empty
(`RowBlock.reserve`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ranking.cells import cell_put
from ranking.reports.exports.styles import PLAIN_NUMBERS


@dataclass
class RowBlock:
    """Rows `first` to `first + count - 1` of a sheet: `rows` yields each as a sequence of
    values, one per column from column A, each column's cells in its style (`styles`, from
    `row_styles`)."""

    first: int
    count: int
    rows: Iterable[Sequence[Any]]
    styles: Sequence[StyleArray]

    @classmethod
    def reserve(cls, ws: Worksheet, *, count: int, rows: Iterable[Sequence[Any]], styles) -> RowBlock:
        """A block of `count` rows where `ws.append` would write next; the sheet's next row
        comes after it."""
        block = cls(first=ws._current_row + 1, count=count, rows=rows, styles=styles)
        for _ in range(count):
            ws.append(())
        return block


class _ColumnCell(Cell):
    """The cell of one column of a block, written again for every row with the row's value.

    Its style id (the index of its style in the workbook's table, which openpyxl finds by
    hashing the style for every cell it writes) is looked up once, as the block's first row
    is written, column after column: a styled cell is written even empty, so the table
    grows in the same order as openpyxl's own save makes it."""

    __slots__ = ("style_id", "has_style")

    def __init__(self, ws: Worksheet, style: StyleArray, column: int):
        super().__init__(ws, column=column, style_array=style)
        self.style_id = ws.parent._cell_styles.add(self._style)
        self.has_style = any(self._style)


class _BlockWriter(WorksheetWriter):
    """openpyxl's writer of a sheet, with the rows of a block between the sheet's own."""

    def __init__(self, ws: Worksheet, block: RowBlock):
        super().__init__(ws)
        self.block = block

    def rows(self) -> Iterator[tuple[int, Sequence[Cell]]]:
        own = super().rows()
        first = self.block.first
        yield from (row for row in own if row[0] < first)
        last = yield from self._block_rows()
        if last != first + self.block.count - 1:
            # Fewer or more rows than reserved: a gap, or rows written over the rows below.
            raise ValueError(f"{self.ws.title}: {last - first + 1} rows in a block of {self.block.count}")
        yield from (row for row in own if row[0] > last)

    def _block_rows(self):
        styles = enumerate(self.block.styles, start=1)
        cells = [_ColumnCell(self.ws, style, column) for column, style in styles]
        row_idx = self.block.first - 1
        for row_idx, values in enumerate(self.block.rows, start=self.block.first):
            for cell, value in zip(cells, values, strict=True):
                cell.row = row_idx
                # As `styles.styled_cells` writes a new cell: numbers and None as they are.
                if type(value) in PLAIN_NUMBERS:
                    cell._value = value
                    cell.data_type = "n"
                else:
                    cell_put(cell, value)
            yield row_idx, cells
        return row_idx


class _Writer(ExcelWriter):
    def __init__(self, workbook: Workbook, archive: ZipFile, blocks: dict[Worksheet, RowBlock]):
        super().__init__(workbook, archive)
        self.blocks = blocks

    def write_worksheet(self, ws):
        block = self.blocks.get(ws)
        if block is None:
            super().write_worksheet(ws)
            return
        # `ExcelWriter.write_worksheet` for a sheet of a workbook in memory, with the block's writer.
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _BlockWriter(ws, block)
        writer.write()
        ws._rels = writer._rels
        self._archive.write(writer.out, ws.path[1:])
        self.manifest.append(ws)
        writer.cleanup()


def workbook_save_blocks(workbook: Workbook, target, blocks: dict[Worksheet, RowBlock]) -> None:
    """`workbook.save(target)` (`openpyxl.writer.excel.save_workbook`), each of `blocks`
    written in its sheet."""
    archive = ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True)
    workbook.properties.modified = datetime.datetime.now(tz=datetime.UTC).replace(tzinfo=None)
    _Writer(workbook, archive, blocks).save()
