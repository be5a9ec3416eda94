"""The parts every sheet of the year workbook shares: reading cells, widgets and `SheetResource`."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from import_export import resources, widgets

from accounts.models import Agency
from ranking.enums import Phase
from ranking.errors import recorded
from ranking.models import Period
from ranking.numbers import excerpt, parse_decimal, plain, shown, too_large
from ranking.periods.outdated import inputs_changed, results_outdated
from ranking.text import clean_text

FLAG_TRUE = {"x", "có", "co", "1", "true", "yes"}
# The reviewer's word that a leaf arises after all, against the agency's "does not arise".
FLAG_FALSE = {"không", "khong", "0", "false", "no"}
ARISES = "không"


@functools.lru_cache(maxsize=1 << 16)
def plain_text(value: str) -> str:
    """A text cell as stored: no NUL (PostgreSQL refuses it), one kind of line break, trimmed.
    Once per text: a sheet repeats the same codes on every row."""
    return clean_text(value).strip()


def cell_text(value) -> str:
    """A cell's value as text ("" for an empty cell; a whole number without its ".0")."""
    if type(value) is str:
        return plain_text(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # As the forms store text: no NUL (PostgreSQL refuses it), one kind of line break.
    return clean_text(str(value)).strip()


def number_read(value) -> tuple[Decimal | None, str | None]:
    """A cell's number, or None and the problem with it ("" for an empty cell: a problem only
    if the cell is required)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ""
    number = parse_decimal(value)
    if number is None:
        return None, _("“%(value)s” is not a number.") % {"value": excerpt(value)}
    problem = too_large(number, value)
    if problem:
        return None, problem
    if number != number.quantize(Decimal("0.0001")):
        return None, _("Write at most 4 decimals: %(value)s.") % {"value": excerpt(value)}
    return number, None


class Cells:
    """Typed reading of one row's cells; problems go to `errors` keyed by column."""

    def __init__(self, row: dict, errors: dict[str, str], numbers: dict | None = None):
        self.row = row
        self.errors = errors
        # What `decimal` made of each value already read (`numbers_read`), if given: a sheet
        # repeats the same few scores over many rows.
        self.numbers = numbers

    def raw(self, column: str):
        return self.row.get(column)

    def text(self, column: str, *, required: bool = False) -> str:
        text = cell_text(self.row.get(column))
        if required and not text:
            self.errors.setdefault(column, _("This cell is required."))
        return text

    def decimal(self, column: str, *, required: bool = False) -> Decimal | None:
        value = self.row.get(column)
        numbers = self.numbers
        kind = type(value)
        if numbers is not None and (kind is str or kind is int or (kind is float and value)):
            # By type as well: 1, 1.0 and "1" are one key to a dict, not one cell.
            key = value if kind is str else (kind, value)
            read = numbers.get(key)
            if read is None:
                read = numbers[key] = number_read(value)
        else:
            read = number_read(value)
        number, problem = read
        if problem is None:
            return number
        if problem:
            self.errors.setdefault(column, problem)
        elif required:
            self.errors.setdefault(column, _("This cell is required."))
        return None

    def integer(self, column: str, *, required: bool = False, minimum: int | None = None) -> int | None:
        number = self.decimal(column, required=required)
        if number is None:
            return None
        if number != number.to_integral_value():
            self.errors.setdefault(column, _("%(value)s is not a whole number.") % {"value": shown(number)})
            return None
        if minimum is not None and number < minimum:
            self.errors.setdefault(
                column, _("%(value)s is below %(minimum)s.") % {"value": plain(number), "minimum": minimum}
            )
            return None
        return int(number)

    def flag(self, column: str) -> bool:
        if self.row.get(column) is None:
            return False
        text = self.text(column).lower()
        if not text:
            return False
        if text in FLAG_TRUE:
            return True
        self.errors.setdefault(
            column, _("“%(value)s”: write x, or leave the cell empty.") % {"value": self.raw(column)}
        )
        return False

    def yes_no(self, column: str) -> bool | None:
        """x (yes), không (no), or None for an empty cell."""
        if self.row.get(column) is None:
            return None
        text = self.text(column).lower()
        if not text:
            return None
        if text in FLAG_TRUE:
            return True
        if text in FLAG_FALSE:
            return False
        self.errors.setdefault(
            column,
            _("“%(value)s”: write x, không, or leave the cell empty.") % {"value": self.raw(column)},
        )
        return None


class NumberWidget(widgets.DecimalWidget):
    """Exports numbers as numbers (Excel formats them), not as localised text."""

    def __init__(self):
        super().__init__(coerce_to_string=False)


class FlagWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return "x" if value else ""


class YesNoWidget(widgets.Widget):
    """x for yes, không for no, empty for not said."""

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "x" if value else ARISES


class SheetResource(resources.ModelResource):
    """A sheet of the year workbook.

    Subclasses name their sheet, the columns that identify a row (`key_columns`), the
    columns that must be present, and implement `load_existing` (instances by key) and
    `fill` (read the cells into the instance, recording problems per column).
    """

    sheet: ClassVar[str]
    key_columns: ClassVar[tuple[str, ...]]
    required_columns: ClassVar[tuple[str, ...]] = ()
    # Imported by the command and the browser job without import-export's loop of rows
    # (`ranking.workbook.importer.rows_import`): for a sheet written in bulk, whose rows need
    # nothing of import-export but the resource's own steps.
    direct_import: ClassVar[bool] = False

    class Meta:
        skip_unchanged = True
        report_skipped = True

    # --- the import-export workflow ---------------------------------------------------

    def before_import(self, dataset, **kwargs):
        self.rows = [dict(zip(dataset.headers, values, strict=False)) for values in dataset]
        self.existing = self.load_existing(self.rows)
        self.seen: dict[tuple, int] = {}
        # What the sheet's number cells read as, by value (see `Cells.decimal`).
        self.numbers_read: dict = {}
        # What `outdated_key` gives for the rows that changed an input of some results.
        self.outdated_keys: set[int] = set()

    def get_instance(self, instance_loader, row):
        return self.existing.get(self.key(row))

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, str] = {}
        instance._import_changed = instance.pk is None
        number = kwargs.get("row_number")
        key = self.key(row)
        if all(key) and key in self.seen:
            errors[self.key_columns[-1]] = _("Row %(row)d already has these codes.") % {
                "row": self.excel_row(self.seen[key])
            }
        elif all(key):
            self.seen[key] = number
        cells = Cells(row, errors, self.__dict__.get("numbers_read"))
        self.fill(instance, cells, row_number=number)
        self.check_limits(instance, errors)
        frozen = getattr(cells, "frozen_period", None)
        if frozen is not None and instance._import_changed:
            errors["Mã kỳ"] = _(
                "Period %(code)s is published and frozen: reopen it for a correction first."
            ) % {"code": frozen.code}
        if errors:
            raise ValidationError({column: [message] for column, message in errors.items()})
        if instance._import_changed and (
            instance.pk is None or inputs_changed(type(instance), getattr(instance, "_import_fields", ()))
        ):
            key = self.outdated_key(instance)
            if key is not None:
                self.outdated_keys.add(key)

    def after_import(self, dataset, result, **kwargs):
        """Withdraw the results whose inputs this sheet changed (the whole import rolls back
        on any problem, or in a dry run, and the withdrawal with it)."""
        if result.has_validation_errors() or result.has_errors() or not self.outdated_keys:
            return
        results_outdated(
            periods=self.outdated_periods(),
            user=kwargs.get("user"),
            reason=recorded(gettext_noop("year workbook import, sheet %(sheet)s"), {"sheet": self.sheet}),
        )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        return not instance._import_changed

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # Cells are read by `fill`; the declared fields serve the export and the preview.
        return None

    # --- results follow their inputs -------------------------------------------------

    def outdated_key(self, instance) -> int | None:
        """For a row changed in what results are computed from: the id `outdated_periods` reads
        (the row's period, unless a sheet says otherwise); None if no results depend on it."""
        return None

    def outdated_periods(self):
        """The periods whose results the changed rows are inputs of."""
        return Period.objects.filter(pk__in=self.outdated_keys)

    # --- helpers for subclasses -------------------------------------------------------

    def check_limits(self, instance, errors: dict[str, str]) -> None:
        """Text longer than its column, or a whole number beyond it, is a problem of its cell."""
        for field, column in self.limited_fields(type(instance)):
            value = getattr(instance, field.attname, None)
            if value is None:
                continue
            if isinstance(field, models.CharField) and len(str(value)) > field.max_length:
                errors.setdefault(column, _("Write at most %(max)d characters.") % {"max": field.max_length})
            elif isinstance(field, models.IntegerField) and not isinstance(value, bool):
                limit = (
                    32767
                    if isinstance(field, models.SmallIntegerField | models.PositiveSmallIntegerField)
                    else 2**31 - 1
                )
                if abs(value) > limit:
                    errors.setdefault(column, _("%(value)s is too large.") % {"value": excerpt(value)})

    def limited_fields(self, model) -> list[tuple[models.Field, str]]:
        """The model's fields that have a column in the sheet, with the column (once per sheet)."""
        cache = self.__dict__.setdefault("_limited_fields", {})
        if model not in cache:
            columns = {field.attribute: field.column_name for field in self.get_export_fields()}
            cache[model] = [
                (field, columns[field.name])
                for field in model._meta.concrete_fields
                if field.name in columns and isinstance(field, models.CharField | models.IntegerField)
            ]
        return cache[model]

    def excel_row(self, number: int) -> int:
        """The spreadsheet row of data row `number` (`excel_rows` is set by the workbook
        import, which skips blank rows; otherwise the header is row 1)."""
        rows = getattr(self, "excel_rows", None)
        return rows[number - 1] if rows else number + 1

    def refuse_if_published(self, period: Period | None, cells: Cells) -> None:
        """Rows of a published period may be read again unchanged, never change it."""
        cells.frozen_period = period if period is not None and period.phase == Phase.PUBLISHED else None

    def key(self, row: dict) -> tuple:
        # Asked twice per row (to find the instance, then to check duplicates): read once.
        cached = getattr(self, "_key", None)
        if cached is not None and cached[0] is row:
            return cached[1]
        key = tuple([cell_text(row.get(column)) for column in self.key_columns])
        self._key = (row, key)
        return key

    def load_existing(self, rows: list[dict]) -> dict[tuple, object]:
        raise NotImplementedError

    def fill(self, instance, cells: Cells, *, row_number: int | None) -> None:
        raise NotImplementedError

    @staticmethod
    def assign(instance, **values) -> None:
        """Set attributes, remembering whether anything changed (for "unchanged" counts) and what."""
        fields = None
        for name, value in values.items():
            if getattr(instance, name) != value:
                setattr(instance, name, value)
                if fields is None:
                    # As `changed` does, once per row rather than once per value.
                    instance._import_changed = True
                    fields = instance.__dict__.setdefault("_import_fields", set())
                fields.add(name)

    @staticmethod
    def changed(instance, name: str) -> None:
        instance._import_changed = True
        instance.__dict__.setdefault("_import_fields", set()).add(name)

    def column_values(self, column: str) -> set[str]:
        return {Cells(row, {}).text(column) for row in self.rows} - {""}


class PeriodAgencyResource(SheetResource):
    """A sheet with one row per period and agency, keyed by their codes (HaBac, KetQua)."""

    key_columns = ("Mã kỳ", "Mã đơn vị")

    def get_queryset(self):
        return self._meta.model.objects.select_related("period", "agency")

    def load_existing(self, rows):
        self.periods = {p.code: p for p in Period.objects.all()}
        self.agencies = {a.code: a for a in Agency.objects.all()}
        return {(row.period.code, row.agency.code): row for row in self.get_queryset()}


def period_of_row(resource, cells: Cells) -> Period | None:
    """The period the row's "Mã kỳ" names, among those `resource` loaded; None (and the
    column's problem) if there is none."""
    period_code = cells.text("Mã kỳ", required=True)
    period = resource.periods.get(period_code)
    if period_code and period is None:
        cells.errors["Mã kỳ"] = _("Unknown period code “%(code)s”.") % {"code": period_code}
    return period


def period_and_agency(resource, cells: Cells) -> tuple[Period | None, Agency | None]:
    period = period_of_row(resource, cells)
    agency_code = cells.text("Mã đơn vị", required=True)
    agency = resource.agencies.get(agency_code)
    if agency_code and agency is None:
        cells.errors["Mã đơn vị"] = _("Unknown agency code “%(code)s”.") % {"code": agency_code}
    return period, agency
