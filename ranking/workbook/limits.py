"""The limits a workbook must keep before any reader parses it.

An .xlsx file is a zip archive of XML parts, and a few hundred kilobytes can unpack into
gigabytes: a sheet of a million rows, a table of twenty million shared strings, a
`<dimension>` claiming all 16,384 columns, which makes a reader pad every row to that width.
`workbook_limits_check` refuses such a file from the archive's directory and one streaming
pass of expat over the parts that matter, without building a single cell, so it holds
whatever reader takes the values afterwards (`ranking.workbook.importer.workbook_read`).

The unpacked sizes are those the archive's directory declares: Python's zipfile, through
which this check and openpyxl read, never unpacks a member past its declared size (it fails
on the checksum instead). Parts are recognised by their root element, not by their names or
the package's relationships, so a sheet stored under an unexpected name is checked all the
same. Rows and
columns are counted as readers count them — a row's or cell's reference (`r`), or one more
than the one before — and the largest counts; the `<dimension>` a sheet declares is held to
the same limits (a reader may pad to it), but never trusted to be the whole sheet.
"""

from __future__ import annotations

import csv
import io
import os
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

# Bytes fed to expat at a time: a part is never held whole.
CHUNK = 1 << 16
# Shared texts a workbook may hold beyond the cells of its sheets.
FEW_STRINGS = 10_000


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    unpacked_bytes: int
    packing_ratio: int
    sheets: int
    rows: int
    columns: int
    cell_chars: int
    # The rectangle from A1 to a sheet's last row and column: a reader holds every cell of it
    # (calamine allocates it whole), so two cells far apart would take a gigabyte.
    cells: int = 4_000_000

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            file_bytes=settings.IMPORT_MAX_FILE_BYTES,
            unpacked_bytes=settings.IMPORT_MAX_UNPACKED_BYTES,
            packing_ratio=settings.IMPORT_MAX_PACKING_RATIO,
            sheets=settings.IMPORT_MAX_SHEETS,
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
            cells=settings.IMPORT_MAX_CELLS,
        )


class Refused(Exception):
    """One line saying why the file is refused."""


class Root(Exception):
    """The first element of a part, found: the rest need not be read to know what the part is."""

    def __init__(self, name: str):
        self.name = name


def grouped(number: int) -> str:
    return number_format(number, force_grouping=True)


def file_size_problem(size: int, limits: Limits | None = None) -> str | None:
    """The first limit, checked as soon as the size of an upload is known."""
    limits = limits or Limits.from_settings()
    if size > limits.file_bytes:
        return _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limits.file_bytes)}
    return None


def unreadable(error) -> Refused:
    return Refused(_("The file cannot be read as an Excel workbook (.xlsx): %(error)s") % {"error": error})


def workbook_limits_check(file: str | Path | BinaryIO, *, limits: Limits | None = None) -> list[str]:
    """Why `file` may not be read, in one line (an empty list when it keeps every limit).

    A file that is no zip archive at all passes: there is nothing to unpack, and the reader
    says it cannot read it. A file object is left at its start.
    """
    limits = limits or Limits.from_settings()
    try:
        if isinstance(file, str | Path):
            size = os.path.getsize(file)
        else:
            size = file.seek(0, os.SEEK_END)
            file.seek(0)
        problem = file_size_problem(size, limits)
        if problem:
            raise Refused(problem)
        try:
            archive = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
            return []
        with archive:
            Package(archive, size, limits).check()
    except Refused as refused:
        return [str(refused)]
    finally:
        if not isinstance(file, str | Path):
            file.seek(0)
    return []


class Package:
    """The parts of one archive, checked in the order a reader would meet them."""

    def __init__(self, archive: zipfile.ZipFile, size: int, limits: Limits):
        self.archive = archive
        self.size = size
        self.limits = limits
        # Shared strings longer than the limit, by their index: cells that show one are refused.
        self.long_strings: set[int] = set()

    def check(self) -> None:
        members = [info for info in self.archive.infolist() if not info.is_dir()]
        unpacked = sum(info.file_size for info in members)
        if unpacked > self.limits.unpacked_bytes:
            raise Refused(
                _("Unpacked, the workbook takes %(size)s, more than the %(limit)s accepted.")
                % {"size": filesizeformat(unpacked), "limit": filesizeformat(self.limits.unpacked_bytes)}
            )
        ratio = unpacked // max(self.size, 1)
        if ratio > self.limits.packing_ratio:
            raise Refused(
                _(
                    "The workbook unpacks to %(ratio)s times its size, more than the %(limit)s times "
                    "accepted: it is built to exhaust the server (a “zip bomb”)."
                )
                % {"ratio": grouped(ratio), "limit": grouped(self.limits.packing_ratio)}
            )
        roots = {info.filename: self.root(info) for info in members}
        names: dict[str, str] = {}
        for part, root in roots.items():
            if root == "workbook":
                names.update(self.sheet_names(part))
        strings = cells = 0
        for part, root in roots.items():
            if root == "sst":
                strings += self.scan(part, lambda exact: SharedStrings(self, exact=exact)).index + 1
        for part, root in roots.items():
            if root == "worksheet":
                name = names.get(part, part)
                counted = None if self.long_strings else self.worksheet_count(part, name)
                if counted is None:
                    counted = self.scan(
                        part, lambda exact, name=name: Worksheet(self, name, exact=exact)
                    ).cells
                cells += counted
        # A reader keeps the whole table in memory, a few dozen bytes an entry: a table longer
        # than the sheets could ever show is padding (a stale few thousand cost nothing).
        if strings > max(cells, FEW_STRINGS):
            raise Refused(
                _(
                    "The workbook's table of shared texts has %(strings)s entries, more than the "
                    "%(cells)s cells of its sheets can show."
                )
                % {"strings": grouped(strings), "cells": grouped(cells)}
            )

    def feed(self, part: str, parser) -> int:
        """Stream the part through `parser`, a chunk at a time; its unpacked size."""
        size = 0
        try:
            with self.archive.open(part) as stream:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    parser.Parse(chunk, False)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as error:
            # A bad checksum, a truncated member, an unknown compression or an encryption.
            raise unreadable(error) from error
        return size

    def worksheet_count(self, part: str, name: str) -> int | None:
        """The cells of a sheet that keeps every limit by far, counted with byte searches and
        expat without a handler (C speed both); None when the sheet must go through the exact
        pass (`Worksheet`), which then refuses it or not as it always did: see `SheetBytes`."""
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = refuse_doctype(part)
        counter = SheetBytes(self.limits, name)
        try:
            with self.archive.open(part) as stream:
                while chunk := stream.read(CHUNK):
                    parser.Parse(chunk, False)
                    if not counter.feed(chunk):
                        return None
                parser.Parse(b"", True)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as error:
            raise unreadable(error) from error
        except (expat.ExpatError, Refused):
            return None
        return counter.finish()

    def root(self, info: zipfile.ZipInfo) -> str | None:
        """The local name of the part's root element; None for a part that is not XML."""

        def start(tag, _attributes):
            raise Root(local(tag))

        parser = expat.ParserCreate()
        parser.StartElementHandler = start
        parser.StartDoctypeDeclHandler = refuse_doctype(info.filename)
        try:
            self.feed(info.filename, parser)
        except Root as root:
            return root.name
        except expat.ExpatError:
            return None
        return None

    def sheet_names(self, part: str) -> dict[str, str]:
        """The parts of the workbook's sheets, with the names the workbook gives them."""
        sheets: list[tuple[str, str | None]] = []

        def start(tag, attributes):
            if local(tag) == "sheet":
                sheets.append((attributes.get("name", ""), relationship_id(attributes)))
                if len(sheets) > self.limits.sheets:
                    limit = grouped(self.limits.sheets)
                    raise Refused(_("The workbook has more than %(limit)s sheets.") % {"limit": limit})

        self.parse(part, start)
        targets: dict[str, str] = {}
        folder, name = posixpath.split(part)
        relationships = posixpath.join(folder, "_rels", name + ".rels")
        if relationships in self.archive.NameToInfo:

            def relationship(tag, attributes):
                if local(tag) == "Relationship" and "Id" in attributes and "Target" in attributes:
                    target = attributes["Target"]
                    path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                    targets[attributes["Id"]] = posixpath.normpath(path)

            self.parse(relationships, relationship)
        return {targets[rid]: sheet for sheet, rid in sheets if rid in targets}

    def parse(self, part: str, start, *, end=None, text=None, parser=None) -> int:
        parser = parser or expat.ParserCreate()
        parser.StartElementHandler = start
        if end is not None:
            parser.EndElementHandler = end
        if text is not None:
            parser.CharacterDataHandler = text
        parser.StartDoctypeDeclHandler = refuse_doctype(part)
        try:
            size = self.feed(part, parser)
            parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise unreadable(f"{part}: {error}") from error
        return size

    def scan(self, part: str, make: Callable[[bool], Scan]) -> Scan:
        """One pass that bounds every text by the bytes it spans; a second, counting characters,
        only when a span is longer than a cell may be (rare: a cell near the limit, or a long
        formula) or when the sheet may show one of the long shared strings."""
        for exact in (False, True) if not self.long_strings else (True,):
            scan = make(exact)
            parser = expat.ParserCreate()
            parser.buffer_text = True
            scan.parser = parser
            if exact:
                size = self.parse(part, scan.start, end=scan.end, text=scan.text, parser=parser)
            else:
                size = self.parse(part, scan.start, parser=parser)
            if scan.finish(size):
                break
        return scan


def local(tag: str) -> str:
    """`row` of `row` and of `x:row`: parts may bind the spreadsheet namespace to any prefix."""
    return tag.rpartition(":")[2]


def relationship_id(attributes: dict[str, str]) -> str | None:
    for name, value in attributes.items():
        if local(name) == "id":
            return value
    return None


def refuse_doctype(part: str):
    """Workbooks never declare a document type; one that does may define entities that expand."""

    def refuse(*_arguments):
        raise unreadable(_("%(part)s declares a document type.") % {"part": part})

    return refuse


class Scan:
    """A pass over one part. Fast (`exact` False), it reads start tags only and bounds the
    characters of each item by the bytes between its start and the next item's: a character
    takes at least one byte, and an entity more. Exact, it counts the characters of the text."""

    def __init__(self, limits: Limits, *, exact: bool):
        self.limits = limits
        self.exact = exact
        self.parser = None
        self.names: dict[str, str] = {}
        self.item_at: int | None = None
        self.spans_fit = True
        self.in_text = False
        self.length = 0

    def name(self, tag: str) -> str:
        name = self.names.get(tag)
        if name is None:
            name = self.names[tag] = local(tag)
        return name

    def item_starts(self) -> None:
        """Where an item (a cell, a shared string) begins: the one before it ends."""
        at = self.parser.CurrentByteIndex
        self.item_ends(at)
        self.item_at = at

    def item_ends(self, at: int) -> None:
        if self.item_at is not None and at - self.item_at > self.limits.cell_chars:
            self.spans_fit = False
        self.item_at = None

    def text(self, data: str) -> None:
        if self.in_text:
            self.length += len(data)

    def finish(self, size: int) -> bool:
        """True when the pass settled every text; False when an exact pass must follow."""
        self.item_ends(size)
        return self.exact or self.spans_fit


class SharedStrings(Scan):
    """The workbook's table of strings: which are longer than a cell may hold."""

    def __init__(self, package: Package, *, exact: bool):
        super().__init__(package.limits, exact=exact)
        self.package = package
        self.index = -1

    def start(self, tag, _attributes):
        name = self.name(tag)
        if name == "si":
            self.index += 1
            self.length = 0
            if not self.exact:
                self.item_starts()
        elif name == "t":
            self.in_text = True

    def end(self, tag):
        name = self.name(tag)
        if name == "t":
            self.in_text = False
        elif name == "si" and self.length > self.limits.cell_chars:
            self.package.long_strings.add(self.index)


class Worksheet(Scan):
    """One sheet, row by row and cell by cell, numbered as readers number them."""

    def __init__(self, package: Package, name: str, *, exact: bool):
        super().__init__(package.limits, exact=exact)
        self.package = package
        self.sheet = name
        self.row = 0
        self.column = 0
        self.in_cell = False
        self.shared = False
        self.value: list[str] = []
        self.columns: dict[str, int] = {}
        self.cells = 0
        self.last_row = 0
        self.last_column = 0

    def start(self, tag, attributes):
        name = self.name(tag)
        if name == "c":
            self.cells += 1
            if not self.exact:
                self.item_starts()
            reference = attributes.get("r")
            self.column = self.column_of(reference) if reference else self.column + 1
            if self.column > self.limits.columns:
                raise self.too_many_columns()
            if self.column > self.last_column:
                self.last_column = self.column
            if self.row > self.last_row:
                self.last_row = self.row
            self.in_cell = True
            self.shared = attributes.get("t") == "s"
            self.length = 0
            self.value.clear()
        elif name == "v" or name == "t":
            self.in_text = self.in_cell
        elif name == "row":
            if not self.exact:
                self.item_ends(self.parser.CurrentByteIndex)
            reference = attributes.get("r")
            self.row = self.number(reference) if reference else self.row + 1
            self.column = 0
            if self.row > self.limits.rows:
                raise self.too_many_rows()
        elif name == "dimension":
            self.dimension(attributes.get("ref", ""))

    def end(self, tag):
        name = self.name(tag)
        if name == "v" or name == "t":
            self.in_text = False
        elif name == "c":
            self.in_cell = False
            if self.length > self.limits.cell_chars or (
                self.shared and self.package.long_strings and self.shared_index() in self.package.long_strings
            ):
                raise Refused(cell_too_long(self.sheet, self.row, self.column, self.limits))

    def text(self, data: str):
        if self.in_text:
            self.length += len(data)
            if self.shared:
                self.value.append(data)

    def shared_index(self) -> int | None:
        try:
            return int("".join(self.value))
        except ValueError:
            return None

    def dimension(self, reference: str) -> None:
        """A reader may pad every row to the width, and add rows to the height, the sheet declares."""
        last = reference.rpartition(":")[2].replace("$", "")
        letters = last.rstrip("0123456789")
        digits = last[len(letters) :]
        if not letters.isalpha() or not digits.isdigit():
            return
        if int(digits) > self.limits.rows:
            raise self.too_many_rows()
        if self.column_of(letters) > self.limits.columns:
            raise self.too_many_columns()

    def column_of(self, reference: str) -> int:
        letters = reference.rstrip("0123456789")
        column = self.columns.get(letters)
        if column is None:
            plain = letters.replace("$", "").upper()
            if not plain.isalpha() or not plain.isascii():
                raise unreadable(f"{self.sheet}: {reference}")
            column = 0
            for letter in plain:
                column = column * 26 + ord(letter) - 64
            self.columns[letters] = column
        return column

    def number(self, reference: str) -> int:
        try:
            return int(reference)
        except ValueError as error:
            raise unreadable(f"{self.sheet}: {reference}") from error

    def finish(self, size: int) -> bool:
        if self.last_row * self.last_column > self.limits.cells:
            raise Refused(
                f"{self.sheet}: "
                + _(
                    "The sheet's cells span %(rows)s rows by %(columns)s columns, more than the "
                    "%(limit)s cells a sheet may span. Delete the cells far below or right of the data."
                )
                % {
                    "rows": grouped(self.last_row),
                    "columns": grouped(self.last_column),
                    "limit": grouped(self.limits.cells),
                }
            )
        return super().finish(size)

    def too_many_rows(self) -> Refused:
        return Refused(too_many_rows(self.sheet, self.limits))

    def too_many_columns(self) -> Refused:
        return Refused(too_many_columns(self.sheet, self.limits))


# The tags of a sheet as spreadsheet programs write them: no prefix, the reference first.
CELL_REFERENCE = re.compile(rb'<c r="([A-Z]{1,3})[1-9]')
ROW_REFERENCE = re.compile(rb'<row r="([1-9][0-9]{0,8})"')
DIMENSION_REFERENCE = re.compile(rb'<dimension ref="([^"<>]*)"')
PREFIXED = re.compile(rb"<[^\s<>/!?=:]+:")
# Where an item's text may end, as `Scan.item_ends` has it: a cell's end, or the next cell or row.
ITEM_EDGES = (b'<c r="', b"</c>", b"<row ")
TAG_ENDS = (b" ", b">", b"/", b"\t", b"\n", b"\r")


class SheetBytes:
    """A worksheet's counts from its bytes, fed chunk by chunk, with `bytes.count` and searches
    for literal tags: rows, cells, the last row and column, the declared dimension, and a bound
    of every cell's characters. Sound only for a part where every `<` opens a tag written as
    spreadsheet programs write it, so any other part is left to the exact pass (`feed` answers
    False): one with a comment, a CDATA section, a processing instruction or a document type
    (`<!`, `<?` past the declaration), a prefixed element, a cell or row tag whose `r` is not
    its first attribute (or is missing, or not plain letters and digits), a dimension not
    written `<dimension ref="…"`; and one that comes near a limit: a row or column past its
    limit, rows × columns past the cells, a dimension past either, a stretch of the sheet's
    cells without a cell's start or end longer than a cell's characters may be.
    """

    def __init__(self, limits: Limits, name: str):
        self.limits = limits
        self.sheet = Worksheet.__new__(Worksheet)
        self.sheet.sheet, self.sheet.limits, self.sheet.columns = name, limits, {}
        self.carry = b""
        self.started = False
        self.cells = 0
        self.last_row = 0
        self.letters: set[bytes] = set()
        self.last_column = 0
        # Blocks this long: a stretch without an edge longer than a cell may be spans one whole.
        self.block = max(limits.cell_chars // 4, 1)
        # From the first cell's start to the last edge seen, and bytes since that edge.
        self.in_cells = False
        self.since_edge = 0

    def feed(self, chunk: bytes) -> bool:
        window = self.carry + chunk
        cut = window.rfind(b"<")
        if cut <= 0:
            self.carry = window
            return len(window) <= self.limits.cell_chars
        self.carry = window[cut:]
        return self.counted(window[:cut])

    def finish(self) -> int | None:
        if not self.counted(self.carry):
            return None
        return self.cells

    def counted(self, text: bytes) -> bool:
        if b"<!" in text or (b"<?" in text and (self.started or text.count(b"<?") > 1)):
            return False
        if not self.started and b"<?" in text and not text.startswith(b"<?"):
            return False
        self.started = True
        if b":" in text and PREFIXED.search(text):
            return False
        references = CELL_REFERENCE.findall(text)
        if not tags_referenced(text, b"<c", len(references)):
            return False
        self.cells += len(references)
        new = set(references) - self.letters
        if new:
            self.letters |= new
            self.last_column = max(
                self.last_column, *(self.sheet.column_of(letters.decode()) for letters in new)
            )
            if self.last_column > self.limits.columns:
                return False
        numbers = ROW_REFERENCE.findall(text)
        if not tags_referenced(text, b"<row", len(numbers)):
            return False
        if numbers:
            self.last_row = max(self.last_row, max(map(int, numbers)))
            if self.last_row > self.limits.rows:
                return False
        if self.last_row * self.last_column > self.limits.cells:
            return False
        if b"<dimension" in text:
            declared = DIMENSION_REFERENCE.findall(text)
            if len(declared) != text.count(b"<dimension"):
                return False
            try:
                for reference in declared:
                    self.sheet.dimension(reference.decode())
            except (Refused, UnicodeDecodeError):
                return False
        return self.spans_fit(text)

    def spans_fit(self, text: bytes) -> bool:
        """Whether every stretch without an edge, from the first cell on, is shorter than a
        cell may be (one that is not — a long text, or a long end of the sheet after its
        cells — goes through the exact pass, as `Scan` sends it there)."""
        start = 0
        if not self.in_cells:
            start = text.find(b'<c r="')
            if start < 0:
                return True
            self.in_cells = True
        block = self.block
        for at in range(start, len(text), block):
            piece = text[at : at + block]
            last_edge = max(piece.rfind(edge) for edge in ITEM_EDGES)
            if last_edge >= 0:
                self.since_edge = len(piece) - last_edge
            else:
                self.since_edge += len(piece)
                # The next edge may come up to a block later.
                if self.since_edge + block > self.limits.cell_chars:
                    return False
        return True


def tags_referenced(text: bytes, tag: bytes, references: int) -> bool:
    """Whether every `tag` element of `text` is one of the `references` found with their
    reference first: at once when no other name starts as the tag does (one count), else
    counting the tag's own starts."""
    starts = text.count(tag)
    if starts == references:
        return True
    return sum(text.count(tag + end) for end in TAG_ENDS) == references


def too_many_rows(sheet: str, limits: Limits) -> str:
    return f"{sheet}: " + _(
        "The sheet has more than %(limit)s rows (empty rows that were formatted count too). "
        "Delete the rows below the data, or split the workbook."
    ) % {"limit": grouped(limits.rows)}


def too_many_columns(sheet: str, limits: Limits) -> str:
    return f"{sheet}: " + _(
        "The sheet has more than %(limit)s columns (empty cells that were formatted count too). "
        "Delete the columns right of the data."
    ) % {"limit": grouped(limits.columns)}


def cell_too_long(sheet: str, row: int, column: int, limits: Limits) -> str:
    """As every problem of a cell: `SHEET!ROW COLUMN: message`, the column by its letters."""
    return f"{sheet}!{row} {column_letters(column)}: " + _(
        "The cell holds more than %(limit)s characters."
    ) % {"limit": grouped(limits.cell_chars)}


def csv_limits_check(text: str, *, sheet: str, limits: Limits | None = None) -> list[str]:
    """The limits of a sheet, for a CSV file of one sheet's rows (the admin site takes both)."""
    limits = limits or Limits.from_settings()
    try:
        for row, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
            if row > limits.rows:
                return [too_many_rows(sheet, limits)]
            if len(cells) > limits.columns:
                return [too_many_columns(sheet, limits)]
            for column, cell in enumerate(cells, start=1):
                if len(cell) > limits.cell_chars:
                    return [cell_too_long(sheet, row, column, limits)]
    except csv.Error as error:
        return [_("The file cannot be read as CSV: %(error)s") % {"error": error}]
    return []


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
