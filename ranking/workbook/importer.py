"""Importing the year workbook: every sheet in order, in one transaction, all or nothing."""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree
from xml.parsers import expat

import tablib
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import column_index_from_string
from python_calamine import CalamineWorkbook, SheetTypeEnum

from ranking.bulk import collector_paused
from ranking.cells import dataset_sheet
from ranking.workbook.limits import workbook_limits_check
from ranking.workbook.resources import SHEET_RESOURCES, SheetResource


@dataclass(frozen=True)
class SheetCounts:
    sheet: str
    new: int
    updated: int
    unchanged: int


@dataclass
class ImportReport:
    sheets: list[SheetCounts] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Sheet:
    """A sheet's rows as a tablib Dataset, with the Excel row number of every data row."""

    name: str
    dataset: tablib.Dataset
    row_numbers: list[int]


def problem_line(sheet: str, row: int, column: str, message: str) -> str:
    return f"{sheet}!{row} {column}: {message}"


def first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else error.__class__.__name__


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def workbook_read(
    file: str | BinaryIO, *, checkpoint: Callable[[], None] | None = None
) -> tuple[dict[str, Sheet], list[str]]:
    """Read the sheets `import_workbook` knows; other sheets and unnamed columns are ignored.
    A workbook without any of them is refused.

    Run `workbook_limits_check` first: this reads every cell of the known sheets.
    `checkpoint()`, if given, is called after every row read and may raise to stop.
    """
    try:
        book = book_open(file)
    except Exception as error:  # the reader raises many kinds for a file that is not a workbook
        return {}, [unreadable(error)]
    known = {resource.sheet for resource in SHEET_RESOURCES}
    try:
        sheets = {
            title.strip(): sheet_read(book, title, title.strip(), checkpoint=checkpoint)
            for title in book.titles
            if title.strip() in known
        }
    except StoppedReading as stopped:
        raise stopped.__cause__ from None
    except Exception as error:  # a damaged sheet: one clear line, as for a damaged file
        return {}, [unreadable(error)]
    if not sheets:
        return {}, [unrecognised_workbook(book.sheet_names)]
    return sheets, []


def workbook_sheet_read(
    file: str | BinaryIO, *, resource_class: type[SheetResource]
) -> tuple[Sheet | None, list[str]]:
    """The one sheet of `resource_class`, as the admin site imports it: the sheet of that name
    in a whole year workbook, or else the sheet open when the file was saved, if it has the
    sheet's key columns (a one-sheet file, such as the admin's own export)."""
    try:
        book = book_open(file)
    except Exception as error:
        return None, [unreadable(error)]
    named = [title for title in book.titles if title.strip() == resource_class.sheet]
    title = named[0] if named else book.active
    try:
        sheet = sheet_read(book, title, resource_class.sheet) if title is not None else None
    except Exception as error:
        return None, [unreadable(error)]
    headers = set(sheet.dataset.headers or ()) if sheet is not None else set()
    if not named and not set(resource_class.key_columns) <= headers:
        return None, [
            _(
                "The workbook has no sheet “%(sheet)s”, the sheet imported here. "
                "Its sheets are named: %(found)s."
            )
            % {"sheet": resource_class.sheet, "found": sheet_titles(book.sheet_names)}
        ]
    return sheet, []


def sheet_titles(titles: list[str]) -> str:
    return ", ".join(f"“{title}”" for title in titles) or "—"


# What openpyxl reads as a workbook; a .csv or an .ods file is refused, not read by another format.
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
ACTIVE_TAB = re.compile(rb"<(?:\w+:)?workbookView\b[^>]*?\bactiveTab=\"(\d+)\"")


@dataclass
class Book:
    workbook: CalamineWorkbook
    file: str | BinaryIO
    # The part holding each sheet, by its name.
    parts: dict[str, str]
    # Every sheet's name, and those of the worksheets (not charts) in the file's order.
    sheet_names: list[str]
    titles: list[str]
    # The worksheet open when the file was saved.
    active: str | None


def book_open(file: str | BinaryIO) -> Book:
    """The workbook in `file`, opened with calamine (a Rust reader, several times faster than
    openpyxl; openpyxl stays for writing). Only an .xlsx package is read: calamine alone would
    take any format it knows."""
    if isinstance(file, str | Path) and not str(file).lower().endswith(XLSX_SUFFIXES):
        raise ValueError(
            _("a %(suffix)s file is not an .xlsx workbook; save it as .xlsx first.")
            % {"suffix": Path(file).suffix or _("(no extension)")}
        )
    with zipfile.ZipFile(file) as archive:
        # The package's main part, where the active sheet is named; calamine finds it there too.
        main = archive.read("xl/workbook.xml")
        parts = sheet_parts(main, archive.read("xl/_rels/workbook.xml.rels"))
    active = ACTIVE_TAB.search(main)
    if isinstance(file, str | Path):
        workbook = CalamineWorkbook.from_path(str(file))
    else:
        file.seek(0)
        workbook = CalamineWorkbook.from_filelike(file)
    titles = [sheet.name for sheet in workbook.sheets_metadata if sheet.typ == SheetTypeEnum.WorkSheet]
    index = int(active.group(1)) if active else 0
    return Book(
        workbook=workbook,
        file=file,
        parts=parts,
        sheet_names=workbook.sheet_names,
        titles=titles,
        active=workbook.sheet_names[index] if index < len(workbook.sheet_names) else None,
    )


class StoppedReading(Exception):
    """What the checkpoint raised (a cancellation, the time limit), as its cause: it stops the
    reading as it is, while only what the reader raises says the file is damaged."""


def sheet_read(book: Book, title: str, name: str, *, checkpoint: Callable[[], None] | None = None) -> Sheet:
    """The rows of one sheet under its named columns, blank rows left out; each cell as
    `cell_value` gives it. The one way every import reads a sheet."""
    # From A1 whatever the sheet's first cell: row and column numbers are Excel's.
    table = book.workbook.get_sheet_by_name(title).to_python(skip_empty_area=False)
    part = book.parts.get(title)
    for (row, column), error in (error_cells(book.file, part) if part else {}).items():
        if row < len(table) and column < len(table[row]):
            table[row][column] = error
    rows = iter(table)
    header = next(rows, ())
    columns: dict[str, int] = {}
    for position, title_cell in enumerate(header):
        heading = cell_value(title_cell)
        heading = str(heading).strip() if heading is not None else ""
        if heading and heading not in columns:
            columns[heading] = position
    kept = []
    numbers = []
    positions = list(columns.values())
    for number, values in enumerate(rows, start=2):
        if checkpoint is not None:
            try:
                checkpoint()
            except Exception as error:
                raise StoppedReading from error
        # Most cells are text: taken as they are, without a call each.
        picked = [v if type(v) is str and v else cell_value(v) for v in map(values.__getitem__, positions)]
        if all(is_blank(v) for v in picked):
            continue
        kept.append(picked)
        numbers.append(number)
    # Given whole, the rows are not checked one by one: they all have the header's width.
    dataset = tablib.Dataset(*kept, headers=list(columns))
    return Sheet(name=name, dataset=dataset, row_numbers=numbers)


RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"


def sheet_parts(main: bytes, relations: bytes) -> dict[str, str]:
    """The archive's part of each sheet, by the sheet's name, from the workbook's main part and
    its relationships (both checked by the limits: small, without a DOCTYPE)."""
    targets = {
        relation.get("Id"): relation.get("Target", "")
        for relation in ElementTree.fromstring(relations).iter(f"{{{PACKAGE_RELATIONSHIPS}}}Relationship")
    }
    parts = {}
    for sheet in ElementTree.fromstring(main).iter():
        if sheet.tag.endswith("}sheet") and sheet.get("name") is not None:
            target = targets.get(sheet.get(f"{{{RELATIONSHIPS}}}id"), "")
            parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


ERROR_CELL = re.compile(rb"""\bt\s*=\s*["']e["']""")


def error_cells(file: str | BinaryIO, part: str) -> dict[tuple[int, int], str]:
    """The error cells of a sheet (#N/A, #DIV/0!…), by (row, column) from 0: calamine reads
    them as empty, and a score of #DIV/0! must be refused, not read as no score. Sheets seldom
    hold one: the part is searched as bytes first, and parsed only when it has one."""
    with zipfile.ZipFile(file) as archive:
        if part not in archive.namelist():
            return {}
        with archive.open(part) as stream:
            tail = b""
            while chunk := stream.read(1 << 20):
                window = tail + chunk
                # The quoted value alone first: a plain search, much faster than the pattern.
                if (b'"e"' in window or b"'e'" in window) and ERROR_CELL.search(window):
                    break
                tail = chunk[-16:]
            else:
                return {}
        errors: dict[tuple[int, int], str] = {}
        position = {"row": -1, "column": -1, "error": False, "value": None}

        def start(tag, attributes):
            tag = tag.rsplit("}", 1)[-1]
            if tag == "row":
                number = attributes.get("r")
                position["row"] = int(number) - 1 if number else position["row"] + 1
                position["column"] = -1
            elif tag == "c":
                reference = attributes.get("r")
                if reference:
                    letters = reference.rstrip("0123456789")
                    position["column"] = column_index_from_string(letters) - 1
                else:
                    position["column"] += 1
                position["error"] = attributes.get("t") == "e"
                position["value"] = None
            elif tag == "v" and position["error"]:
                position["value"] = ""

        def text(data):
            if position["value"] is not None:
                position["value"] += data

        def end(tag):
            if tag.rsplit("}", 1)[-1] == "c" and position["error"] and position["value"] is not None:
                errors[(position["row"], position["column"])] = position["value"]
                position["error"] = False

        parser = expat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = start
        parser.CharacterDataHandler = text
        parser.EndElementHandler = end
        with archive.open(part) as stream:
            parser.ParseFile(stream)
    return errors


# Beyond this a whole number is written with an exponent (1e+16), which openpyxl read as a float.
WHOLE_LIMIT = 1e16


def cell_value(value):
    """A cell's value as the sheets read it (and their messages quote it): None for an empty
    cell, a whole number as an int, a date as a datetime at midnight — as openpyxl gave them."""
    kind = type(value)
    if kind is float:
        return int(value) if value.is_integer() and -WHOLE_LIMIT < value < WHOLE_LIMIT else value
    if kind is str:
        return value if value else None
    if kind is datetime.date:
        return datetime.datetime(value.year, value.month, value.day)
    return value


def unreadable(error: Exception) -> str:
    return _("The file cannot be read as an Excel workbook (.xlsx): %(error)s") % {"error": error}


def unrecognised_workbook(titles: list[str]) -> str:
    """A workbook without any sheet of WORKBOOK.md is not a year workbook: say which are read."""
    return _(
        "The workbook has none of the sheets the import reads: %(expected)s. Its sheets are named: %(found)s."
    ) % {
        "expected": ", ".join(f"“{resource.sheet}”" for resource in SHEET_RESOURCES),
        "found": sheet_titles(titles),
    }


def sheet_import(
    resource: SheetResource, sheet: Sheet, report: ImportReport, *, user=None, rows: RowProgress | None = None
) -> None:
    headers = set(sheet.dataset.headers or ())
    missing = [column for column in resource.required_columns if column not in headers]
    if missing:
        report.problems.extend(
            problem_line(sheet.name, 1, column, _("The column “%(column)s” is missing.") % {"column": column})
            for column in missing
        )
        return
    resource.excel_rows = sheet.row_numbers
    if resource.direct_import:
        result = rows_import(resource, sheet.dataset, user=user, rows=rows)
    else:
        if rows is not None:
            rows.watch(resource)
        result = resource.import_data(
            sheet.dataset,
            dry_run=False,
            use_transactions=True,
            raise_errors=False,
            rollback_on_validation_errors=False,
            user=user,
        )
    order = {column: i for i, column in enumerate(sheet.dataset.headers)}
    found: list[tuple[int, int, str]] = []
    for invalid in result.invalid_rows:
        row = sheet.row_numbers[invalid.number - 1]
        for column, messages in invalid.error_dict.items():
            column = resource.key_columns[0] if column == NON_FIELD_ERRORS else column
            found.extend(
                (row, order.get(column, 0), problem_line(sheet.name, row, column, m)) for m in messages
            )
    for number, errors in result.row_errors():
        row = sheet.row_numbers[number - 1]
        for error in errors:
            message = _("Unexpected error: %(error)s") % {"error": first_line(error.error)}
            found.append((row, 0, problem_line(sheet.name, row, resource.key_columns[0], message)))
    found.sort()
    report.problems.extend(line for _row, _col, line in found)
    report.problems.extend(
        f"{sheet.name}: " + _("Unexpected error: %(error)s") % {"error": first_line(error.error)}
        for error in result.base_errors
    )
    report.sheets.append(
        SheetCounts(
            sheet=sheet.name,
            new=result.totals["new"],
            updated=result.totals["update"],
            unchanged=result.totals["skip"],
        )
    )


def rows_import(
    resource: SheetResource, dataset: tablib.Dataset, *, user=None, rows: RowProgress | None = None
):
    """What `resource.import_data` does for the workbook import, without its machinery per row.

    The same steps in the same order, through the resource's own methods — `before_import`,
    each row found or created, read and checked (`import_instance`: the same cells, the same
    messages), unchanged rows skipped, the rest written in batches by `bulk_create` and
    `bulk_update`, then `after_import` — and the same result: counts, invalid rows with their
    messages, a row's unexpected error, a batch's or the sheet's. Left out: a row result and
    an ordered copy of each row, and the admin's needs (diffs, instances kept for its log),
    for the command and the browser job only; the admin site's import keeps `import_data`.
    Runs in a savepoint, rolled back on an error, as `import_data` with transactions.
    """
    result = resource.get_result_class()()
    result.total_rows = len(dataset)
    totals = {"new": 0, "update": 0, "skip": 0, "invalid": 0, "error": 0}
    try:
        with transaction.atomic():
            _rows_import(resource, dataset, result, totals, user=user, rows=rows)
            if result.has_errors():
                transaction.set_rollback(True)
    finally:
        for kind, count in totals.items():
            result.totals[kind] += count
    return result


def _rows_import(resource, dataset, result, totals, *, user, rows: RowProgress | None) -> None:
    try:
        with transaction.atomic():
            resource.before_import(dataset, user=user)
        resource._check_import_id_fields(dataset.headers)
    except Exception as error:
        resource.handle_import_error(result, error)
    batch = resource._meta.batch_size
    created = resource.create_instances
    updated = resource.update_instances
    get_instance = resource.get_instance
    import_instance = resource.import_instance
    init_instance = resource.init_instance
    # The rows as `before_import` gave them; if it failed, as import-export gives them, and
    # every row fails as it would there.
    headers = dataset.headers
    data = getattr(resource, "rows", None) or [dict(zip(headers, values, strict=False)) for values in dataset]
    for number, row in enumerate(data, start=1):
        try:
            instance = get_instance(None, row)
            new = instance is None
            if new:
                instance = init_instance(row)
            import_instance(instance, row, row_number=number, user=user)
            if not instance._import_changed:
                totals["skip"] += 1
            elif new:
                totals["new"] += 1
                created.append(instance)
            else:
                totals["update"] += 1
                updated.append(instance)
        except ValidationError as error:
            totals["invalid"] += 1
            result.append_invalid_row(number, row, error)
        except Exception as error:  # as import_row: reported with its row, the import rolls back
            totals["error"] += 1
            result.append_error_row(
                number, row, [resource.get_error_result_class()(error, row=row, number=number)]
            )
        if len(created) == batch:
            with transaction.atomic():
                resource.bulk_create(True, False, False, batch_size=batch, result=result)
        if len(updated) == batch:
            with transaction.atomic():
                resource.bulk_update(True, False, False, batch_size=batch, result=result)
        if rows is not None:
            rows.row_done()
    with transaction.atomic():
        resource.bulk_create(True, False, False, result=result)
        resource.bulk_update(True, False, False, result=result)
    try:
        with transaction.atomic():
            resource.after_import(dataset, result, user=user)
    except Exception as error:
        resource.handle_import_error(result, error)


class RowProgress:
    """Tells `progress(done, total)` of every data row imported, over all the sheets of a
    workbook, and calls `checkpoint()` after each."""

    def __init__(
        self,
        progress: Callable[[int, int], None] | None,
        *,
        total: int,
        checkpoint: Callable[[], None] | None = None,
    ):
        self.progress = progress
        self.checkpoint = checkpoint
        self.total = total
        self.done = 0
        if progress is not None:
            progress(0, total)

    def watch(self, resource: SheetResource) -> None:
        """Count the rows `resource` imports (import-export has no per-row hook to pass a callback)."""
        import_row = resource.import_row

        def import_row_counted(row, instance_loader, **kwargs):
            result = import_row(row, instance_loader, **kwargs)
            self.row_done()
            return result

        resource.import_row = import_row_counted

    def row_done(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)
        if self.checkpoint is not None:
            self.checkpoint()

    def sheet_done(self, sheet: Sheet, *, rows_before: int) -> None:
        """A sheet refused whole (a missing column) still counts as gone through."""
        end = rows_before + len(sheet.row_numbers)
        if self.done < end:
            self.done = end
            if self.progress is not None:
                self.progress(self.done, self.total)


@collector_paused()
def workbook_import(
    *,
    file: str | BinaryIO,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    checkpoint: Callable[[], None] | None = None,
    before_commit: Callable[[ImportReport], None] | None = None,
    user=None,
) -> ImportReport:
    """Import every sheet of the year workbook in WORKBOOK.md's order.

    The workbook's limits (`workbook_limits_check`) are checked before it is read. One
    transaction for the whole file: on any problem, or in a dry run, nothing is kept.
    Every problem is reported as `SHEET!ROW COLUMN: message`. `progress(done, total)`, if
    given, hears of the data rows of all sheets as they are imported, ending at the total.
    `checkpoint()`, if given, is called after every row read and every row imported, and
    `before_commit(report)` inside the transaction when the import is about to be kept:
    either may raise an exception, and then nothing is written.
    `user`, if known, is recorded as the author of the changes it causes (results withdrawn).
    """
    problems = workbook_limits_check(file)
    if problems:
        return ImportReport(problems=problems)
    sheets, problems = workbook_read(file, checkpoint=checkpoint)
    report = ImportReport(problems=problems)
    if problems:
        return report
    rows = None
    if progress is not None or checkpoint is not None:
        total = sum(len(sheet.row_numbers) for sheet in sheets.values())
        rows = RowProgress(progress, total=total, checkpoint=checkpoint)
    with transaction.atomic():
        for resource_class in SHEET_RESOURCES:
            sheet = sheets.get(resource_class.sheet)
            if sheet is not None:
                resource = resource_class()
                if rows is None:
                    sheet_import(resource, sheet, report, user=user)
                else:
                    before = rows.done
                    sheet_import(resource, sheet, report, user=user, rows=rows)
                    rows.sheet_done(sheet, rows_before=before)
        if dry_run or not report.ok:
            transaction.set_rollback(True)
        else:
            refresh_statistics(report)
            if before_commit is not None:
                before_commit(report)
    return report


# Rows a sheet must bring before the database's statistics of its table are refreshed.
MANY_ROWS = 10_000


def refresh_statistics(report: ImportReport) -> None:
    """ANALYZE the tables a large import wrote, as PostgreSQL advises after a bulk load.

    Without it the planner keeps the statistics of the table before the import until
    autovacuum comes by, and `compute_results` right after an import can choose a plan
    several times slower. SQLite keeps no statistics unless asked, and is left alone.
    """
    if connection.vendor != "postgresql":
        return
    written = {counts.sheet: counts.new + counts.updated for counts in report.sheets}
    with connection.cursor() as cursor:
        for resource_class in SHEET_RESOURCES:
            if written.get(resource_class.sheet, 0) >= MANY_ROWS:
                model = resource_class._meta.model
                tables = [model._meta.db_table]
                if hasattr(model, "history"):
                    tables.append(model.history.model._meta.db_table)
                for table in tables:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def workbook_export() -> Workbook:
    """Everything the year workbook can carry, as one file `workbook_import` reads back.

    Scores are exported for every period; results of computed periods go to `KetQua`, so
    another installation can use them as the previous year's ranks. Text is written as text
    (`ranking.cells`), so it imports back exactly as it was.
    """
    book = Workbook(write_only=True)
    for resource_class in SHEET_RESOURCES:
        dataset_sheet(book, title=resource_class.sheet, dataset=resource_class().export())
    return book


def may_export_year(user) -> bool:
    """Whether `user` may export the whole year workbook: it holds every sheet's rows, so only
    someone who may export each of them.

    Asked of the admin site's model permissions alone: `ranking.view_assessment` (the sheet
    TinhTrang) is also a rule of the workflow, which answers for one assessment at a time."""
    backend = ModelBackend()
    return all(
        backend.has_perm(user, f"{model._meta.app_label}.view_{model._meta.model_name}")
        for model in (resource._meta.model for resource in SHEET_RESOURCES)
    )
