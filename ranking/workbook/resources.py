"""The year workbook (WORKBOOK.md): one django-import-export resource per sheet.

Each resource reads its sheet's exact Vietnamese headers, checks every cell and reports
problems per column in the user's language, so the same file imports through the admin
site (with its preview) and through `import_workbook`. Lookups are loaded once per sheet
(`before_import`), never once per row.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from import_export import fields, resources, widgets
from import_export.results import RowResult
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import Agency, AgencyGroup
from ranking import scoring
from ranking.bulk import bulk_insert_with_history
from ranking.enums import Method, Phase, Subject
from ranking.errors import recorded
from ranking.models import Assessment, Criterion, Demotion, HistoricalResult, Period, Score, Tier
from ranking.numbers import MAX_ABS_SCORE, excerpt, parse_decimal, plain, shown, too_large
from ranking.periods.criteria import applies, highest_scores, maximum_problem, score_problem
from ranking.periods.outdated import inputs_changed, periods_after, periods_with_agency, results_outdated
from ranking.text import clean_text

FLAG_TRUE = {"x", "có", "co", "1", "true", "yes"}
# The reviewer's word that a leaf arises after all, against the agency's "does not arise".
FLAG_FALSE = {"không", "khong", "0", "false", "no"}
ARISES = "không"


class Cells:
    """Typed reading of one row's cells; problems go to `errors` keyed by column."""

    def __init__(self, row: dict, errors: dict[str, str]):
        self.row = row
        self.errors = errors

    def raw(self, column: str):
        return self.row.get(column)

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.row.get(column)
        if value is None:
            text = ""
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            # As the forms store text: no NUL (PostgreSQL refuses it), one kind of line break.
            text = clean_text(str(value)).strip()
        if required and not text:
            self.errors.setdefault(column, _("This cell is required."))
        return text

    def decimal(self, column: str, *, required: bool = False) -> Decimal | None:
        value = self.row.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.errors.setdefault(column, _("This cell is required."))
            return None
        number = parse_decimal(value)
        if number is None:
            self.errors.setdefault(column, _("“%(value)s” is not a number.") % {"value": excerpt(value)})
            return None
        problem = too_large(number, value)
        if problem:
            self.errors.setdefault(column, problem)
            return None
        if number != number.quantize(Decimal("0.0001")):
            self.errors.setdefault(
                column, _("Write at most 4 decimals: %(value)s.") % {"value": excerpt(value)}
            )
            return None
        return number

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

    class Meta:
        skip_unchanged = True
        report_skipped = True

    # --- the import-export workflow ---------------------------------------------------

    def before_import(self, dataset, **kwargs):
        self.rows = [dict(zip(dataset.headers, values, strict=False)) for values in dataset]
        self.existing = self.load_existing(self.rows)
        self.seen: dict[tuple, int] = {}
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
        cells = Cells(row, errors)
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
        key = tuple(Cells(row, {}).text(column) for column in self.key_columns)
        self._key = (row, key)
        return key

    def load_existing(self, rows: list[dict]) -> dict[tuple, object]:
        raise NotImplementedError

    def fill(self, instance, cells: Cells, *, row_number: int | None) -> None:
        raise NotImplementedError

    @staticmethod
    def assign(instance, **values) -> None:
        """Set attributes, remembering whether anything changed (for "unchanged" counts) and what."""
        for name, value in values.items():
            if getattr(instance, name) != value:
                setattr(instance, name, value)
                SheetResource.changed(instance, name)

    @staticmethod
    def changed(instance, name: str) -> None:
        instance._import_changed = True
        instance.__dict__.setdefault("_import_fields", set()).add(name)

    def column_values(self, column: str) -> set[str]:
        return {Cells(row, {}).text(column) for row in self.rows} - {""}


# --- Khoi ------------------------------------------------------------------------------


class GroupResource(SheetResource):
    sheet = "Khoi"
    key_columns = ("Mã khối",)
    required_columns = ("Mã khối", "Tên khối")

    code = fields.Field(attribute="code", column_name="Mã khối")
    name = fields.Field(attribute="name", column_name="Tên khối")
    order = fields.Field(
        attribute="order", column_name="Thứ tự", widget=widgets.IntegerWidget(coerce_to_string=False)
    )

    class Meta(SheetResource.Meta):
        model = AgencyGroup
        fields = ("code", "name", "order")
        import_id_fields = ("code",)

    def load_existing(self, rows):
        return {(g.code,): g for g in AgencyGroup.objects.all()}

    def fill(self, instance, cells, *, row_number):
        code = cells.text("Mã khối", required=True)
        name = cells.text("Tên khối", required=True)
        order = cells.integer("Thứ tự", minimum=0)
        self.assign(instance, code=code, name=name)
        if order is not None:
            self.assign(instance, order=order)


# --- DonVi -----------------------------------------------------------------------------


class AgencyResource(SheetResource):
    sheet = "DonVi"
    key_columns = ("Mã đơn vị",)
    required_columns = ("Mã đơn vị", "Tên đơn vị", "Mã khối")

    code = fields.Field(attribute="code", column_name="Mã đơn vị")
    name = fields.Field(attribute="name", column_name="Tên đơn vị")
    group = fields.Field(attribute="group__code", column_name="Mã khối")

    class Meta(SheetResource.Meta):
        model = Agency
        fields = ("code", "name", "group")
        import_id_fields = ("code",)

    def get_queryset(self):
        return Agency.objects.select_related("group")

    def load_existing(self, rows):
        self.groups = {g.code: g for g in AgencyGroup.objects.all()}
        return {(a.code,): a for a in Agency.objects.all()}

    def fill(self, instance, cells, *, row_number):
        code = cells.text("Mã đơn vị", required=True)
        name = cells.text("Tên đơn vị", required=True)
        group_code = cells.text("Mã khối", required=True)
        group = self.groups.get(group_code)
        if group_code and group is None:
            cells.errors["Mã khối"] = _("Unknown group code “%(code)s”.") % {"code": group_code}
        self.assign(instance, code=code, name=name)
        if group is not None:
            self.assign(instance, group_id=group.id)

    def outdated_key(self, instance):
        return instance.pk

    def outdated_periods(self):
        return periods_with_agency(self.outdated_keys)


# --- KyDanhGia -------------------------------------------------------------------------


class PeriodResource(SheetResource):
    sheet = "KyDanhGia"
    key_columns = ("Mã kỳ",)
    required_columns = ("Mã kỳ", "Năm", "Lĩnh vực")

    code = fields.Field(attribute="code", column_name="Mã kỳ")
    year = fields.Field(
        attribute="year", column_name="Năm", widget=widgets.IntegerWidget(coerce_to_string=False)
    )
    subject = fields.Field(attribute="subject", column_name="Lĩnh vực")
    name = fields.Field(attribute="name", column_name="Tên kỳ")
    previous = fields.Field(attribute="previous__code", column_name="Kỳ trước")
    award_from_tier = fields.Field(attribute="award_from_tier", column_name="Khen thưởng từ xếp loại")
    award_max_per_group = fields.Field(
        attribute="award_max_per_group",
        column_name="Khen thưởng tối đa mỗi khối",
        widget=widgets.IntegerWidget(coerce_to_string=False),
    )

    class Meta(SheetResource.Meta):
        model = Period
        fields = ("code", "year", "subject", "name", "previous", "award_from_tier", "award_max_per_group")
        import_id_fields = ("code",)

    def get_queryset(self):
        return Period.objects.select_related("previous")

    def load_existing(self, rows):
        periods = {p.code: p for p in Period.objects.select_related("previous")}
        self.known = {code: (p.year, p.subject) for code, p in periods.items()}
        for row in rows:
            cells = Cells(row, {})
            year = parse_decimal(row.get("Năm")) if row.get("Năm") is not None else None
            self.known[cells.text("Mã kỳ")] = (year, cells.text("Lĩnh vực").upper())
        self.known_codes = set(self.known) - {""}
        self.year_subject = {(p.year, p.subject): p.code for p in periods.values()}
        self.pending_previous: list[tuple[Period, str]] = []
        return {(code,): p for code, p in periods.items()}

    def fill(self, instance, cells, *, row_number):
        self.refuse_if_published(instance if instance.pk else None, cells)
        code = cells.text("Mã kỳ", required=True)
        year = cells.integer("Năm", required=True, minimum=1990)
        subject = cells.text("Lĩnh vực", required=True).upper()
        if subject and subject not in Subject.values:
            cells.errors["Lĩnh vực"] = _("Write CCHC or VTLT, not “%(value)s”.") % {"value": subject}
        if year is not None and subject in Subject.values:
            other = self.year_subject.get((year, subject))
            if other not in (None, code):
                cells.errors["Năm"] = _("Period %(other)s already covers %(subject)s %(year)s.") % {
                    "other": other,
                    "subject": subject,
                    "year": year,
                }
            self.year_subject[(year, subject)] = code
        previous = cells.text("Kỳ trước")
        if previous and previous not in self.known_codes:
            cells.errors["Kỳ trước"] = _("Unknown period code “%(code)s”.") % {"code": previous}
        elif previous == code:
            cells.errors["Kỳ trước"] = _("A period cannot follow itself.")
        elif previous:
            before_year, before_subject = self.known[previous]
            if before_subject != subject:
                cells.errors["Kỳ trước"] = _("%(code)s is a period of another subject.") % {"code": previous}
            elif year is not None and before_year is not None and before_year >= year:
                cells.errors["Kỳ trước"] = _("The previous period must be of an earlier year.")
        award_max = cells.integer("Khen thưởng tối đa mỗi khối", minimum=0)
        self.assign(
            instance,
            code=code,
            year=year,
            subject=subject,
            name=cells.text("Tên kỳ") or instance.name or code,
            award_from_tier=cells.text("Khen thưởng từ xếp loại"),
            award_max_per_group=award_max,
        )
        current = instance.previous.code if instance.previous_id else ""
        if previous != current:
            self.changed(instance, "previous")
            self.pending_previous.append((instance, previous))

    def outdated_key(self, instance):
        return instance.pk

    def after_import(self, dataset, result, **kwargs):
        # Periods may name a previous period listed further down the sheet: link them last.
        if result.has_validation_errors() or result.has_errors():
            return
        codes = {p.code: p.id for p in Period.objects.all()}
        for period, previous in self.pending_previous:
            Period.objects.filter(pk=period.pk).update(previous_id=codes.get(previous))
        super().after_import(dataset, result, **kwargs)


# --- XepLoai ---------------------------------------------------------------------------


class TierResource(SheetResource):
    sheet = "XepLoai"
    key_columns = ("Mã kỳ", "Thứ tự")
    required_columns = ("Mã kỳ", "Thứ tự", "Xếp loại", "Chỉ số tối thiểu")

    period = fields.Field(attribute="period__code", column_name="Mã kỳ")
    order = fields.Field(
        attribute="order", column_name="Thứ tự", widget=widgets.IntegerWidget(coerce_to_string=False)
    )
    label = fields.Field(attribute="label", column_name="Xếp loại")
    min_index = fields.Field(attribute="min_index", column_name="Chỉ số tối thiểu", widget=NumberWidget())

    class Meta(SheetResource.Meta):
        model = Tier
        fields = ("period", "order", "label", "min_index")
        import_id_fields = ("period", "order")

    def get_queryset(self):
        return Tier.objects.select_related("period")

    def key(self, row):
        cells = Cells(row, {})
        order = parse_decimal(row.get("Thứ tự")) if row.get("Thứ tự") is not None else None
        whole = order is not None and abs(order) < MAX_ABS_SCORE and order == order.to_integral_value()
        return (cells.text("Mã kỳ"), int(order) if whole else None)

    def load_existing(self, rows):
        self.periods = {p.code: p for p in Period.objects.all()}
        self.row_numbers: dict[tuple[int, int], int] = {}
        tiers = list(Tier.objects.select_related("period"))
        # The scheme as it will stand after this sheet: labels must stay unique per period.
        labels: dict[tuple[int, int], str] = {(t.period_id, t.order): t.label for t in tiers}
        # Where each tier's label comes from: its data row in this sheet, or 0 if only in the database.
        sources: dict[tuple[int, int], int] = dict.fromkeys(labels, 0)
        for position, row in enumerate(rows, start=1):
            period = self.periods.get(Cells(row, {}).text("Mã kỳ"))
            _code, order = self.key(row)
            if period is not None and order is not None:
                labels[(period.id, order)] = Cells(row, {}).text("Xếp loại")
                sources[(period.id, order)] = position
        self.label_sources = sources
        self.final_labels = labels
        return {(t.period.code, t.order): t for t in tiers}

    def fill(self, instance, cells, *, row_number):
        period_code = cells.text("Mã kỳ", required=True)
        period = self.periods.get(period_code)
        if period_code and period is None:
            cells.errors["Mã kỳ"] = _("Unknown period code “%(code)s”.") % {"code": period_code}
        self.refuse_if_published(period, cells)
        order = cells.integer("Thứ tự", required=True, minimum=1)
        label = cells.text("Xếp loại", required=True)
        bound = cells.decimal("Chỉ số tối thiểu", required=True)
        if bound is not None and not Decimal(0) <= bound <= Decimal(100):
            cells.errors["Chỉ số tối thiểu"] = _("The lowest index must be between 0 and 100.")
        if period is not None and order is not None:
            self.row_numbers[(period.id, order)] = row_number
            # A repeated label is reported once, on the later of the two rows.
            twins = [
                other
                for (period_id, other), text in self.final_labels.items()
                if period_id == period.id
                and other != order
                and text == label
                and self.label_sources[(period_id, other)] < self.label_sources[(period_id, order)]
            ]
            if label and twins:
                cells.errors["Xếp loại"] = _("Tier %(order)d of this period is also named “%(label)s”.") % {
                    "order": min(twins),
                    "label": label,
                }
        if period is not None:
            self.assign(instance, period_id=period.id)
        self.assign(instance, order=order, label=label, min_index=bound)

    def outdated_key(self, instance):
        return instance.period_id

    def after_import(self, dataset, result, **kwargs):
        """A scheme reads top-down: each tier's bound below the one above, the last one 0."""
        if result.has_validation_errors() or result.has_errors():
            # Rows refused above are not in the database: the scheme cannot be judged yet.
            return
        touched = [self.periods[code].id for code in self.column_values("Mã kỳ") if code in self.periods]
        by_period = defaultdict(list)
        for tier in Tier.objects.filter(period_id__in=touched).order_by("period_id", "order"):
            by_period[tier.period_id].append(tier)
        for tiers in by_period.values():
            for upper, lower in zip(tiers, tiers[1:], strict=False):
                if lower.min_index >= upper.min_index:
                    self.report(
                        result,
                        lower,
                        _("The lowest index of “%(label)s” must be below that of “%(upper)s”.")
                        % {"label": lower.label, "upper": upper.label},
                    )
            if tiers and tiers[-1].min_index != 0:
                self.report(result, tiers[-1], _("The last tier's lowest index must be 0."))
        super().after_import(dataset, result, **kwargs)

    def report(self, result, tier, message):
        number = self.row_numbers.get((tier.period_id, tier.order))
        if number is not None:
            result.append_invalid_row(number, {}, ValidationError({"Chỉ số tối thiểu": [message]}))


# --- TieuChi ---------------------------------------------------------------------------


def parse_options(text: str) -> tuple[list[list[str]], str | None]:
    """`label=points; label=points` → [[label, "points"], …], or an error message."""
    options = []
    for part in text.split(";"):
        if not part.strip():
            continue
        label, sep, points = part.rpartition("=")
        number = parse_decimal(points) if sep else None
        if not sep or not label.strip() or number is None:
            return [], _("Write the options as “label=points; label=points”, not “%(part)s”.") % {
                "part": part.strip()
            }
        options.append([label.strip(), plain(number)])
    return options, None


class CriterionResource(SheetResource):
    sheet = "TieuChi"
    key_columns = ("Mã kỳ", "Mã tiêu chí")
    required_columns = ("Mã kỳ", "Mã tiêu chí", "Nội dung")

    period = fields.Field(attribute="period__code", column_name="Mã kỳ")
    code = fields.Field(attribute="code", column_name="Mã tiêu chí")
    title = fields.Field(attribute="title", column_name="Nội dung")
    max_points = fields.Field(attribute="max_points", column_name="Điểm tối đa", widget=NumberWidget())
    method = fields.Field(attribute="method", column_name="Phương thức")
    groups = fields.Field(
        attribute="groups",
        column_name="Áp dụng cho khối",
        widget=widgets.ManyToManyWidget(AgencyGroup, field="code", separator=", "),
    )
    allow_not_arising = fields.Field(
        attribute="allow_not_arising", column_name="Cho phép không phát sinh", widget=FlagWidget()
    )
    evidence_required = fields.Field(
        attribute="evidence_required", column_name="Yêu cầu kiểm chứng", widget=FlagWidget()
    )
    guidance = fields.Field(attribute="guidance", column_name="Hướng dẫn chấm")
    options = fields.Field(attribute="options", column_name="Lựa chọn")

    class Meta(SheetResource.Meta):
        model = Criterion
        fields = (
            "period",
            "code",
            "title",
            "max_points",
            "method",
            "groups",
            "allow_not_arising",
            "evidence_required",
            "guidance",
            "options",
        )
        import_id_fields = ("period", "code")

    def get_queryset(self):
        return Criterion.objects.select_related("period").prefetch_related("groups")

    def dehydrate_options(self, criterion):
        return "; ".join(f"{label}={points}" for label, points in criterion.options)

    def load_existing(self, rows):
        self.periods = {p.code: p for p in Period.objects.all()}
        self.groups = {g.code: g for g in AgencyGroup.objects.all()}
        existing = {
            (c.period.code, c.code): c
            for c in Criterion.objects.filter(period__code__in=self.column_values("Mã kỳ"))
            .select_related("period")
            .prefetch_related("groups")
        }
        self.codes = set(existing) | {self.key(row) for row in self.rows}
        self.parents = {(period, code.rpartition(".")[0]) for period, code in self.codes if "." in code}
        self.row_numbers: dict[tuple[str, str], int] = {}
        # A maximum is never set below the scores already given (read once for the sheet).
        self.highest = highest_scores(criterion_ids=[c.pk for c in existing.values()])
        return existing

    def fill(self, instance, cells, *, row_number):
        period_code = cells.text("Mã kỳ", required=True)
        period = self.periods.get(period_code)
        if period_code and period is None:
            cells.errors["Mã kỳ"] = _("Unknown period code “%(code)s”.") % {"code": period_code}
        self.refuse_if_published(period, cells)
        code = cells.text("Mã tiêu chí", required=True)
        parts = code.split(".")
        if code and not all(part.isascii() and part.isdigit() for part in parts):
            cells.errors["Mã tiêu chí"] = _("“%(code)s” is not a criterion code like 1, 1.2 or 1.2.3.") % {
                "code": code
            }
        elif "." in code and (period_code, code.rpartition(".")[0]) not in self.codes:
            cells.errors["Mã tiêu chí"] = _("The parent criterion “%(parent)s” is missing.") % {
                "parent": code.rpartition(".")[0]
            }
        is_leaf = (period_code, code) not in self.parents
        max_points = cells.decimal("Điểm tối đa", required=is_leaf)
        method = cells.text("Phương thức").lower() or Method.NUMBER
        if method not in Method.values:
            cells.errors["Phương thức"] = _(
                "Unknown scoring method “%(value)s”; write one of %(methods)s."
            ) % {
                "value": method,
                "methods": ", ".join(Method.values),
            }
        if is_leaf and max_points is not None and max_points <= 0:
            cells.errors["Điểm tối đa"] = _("The maximum must be above 0.")
        elif is_leaf and max_points is not None and max_points != instance.max_points:
            problem = maximum_problem(instance, max_points, self.highest.get(instance.pk))
            if problem:
                cells.errors["Điểm tối đa"] = problem
        group_codes = [c.strip() for c in cells.text("Áp dụng cho khối").split(",") if c.strip()]
        unknown = [c for c in group_codes if c not in self.groups]
        if unknown:
            cells.errors["Áp dụng cho khối"] = _("Unknown group code “%(code)s”.") % {"code": unknown[0]}
        options, problem = parse_options(cells.text("Lựa chọn"))
        if problem:
            cells.errors["Lựa chọn"] = problem
        elif is_leaf and method == Method.CHOICE and not options:
            cells.errors["Lựa chọn"] = _("A choice criterion needs its options.")
        elif options and max_points is not None:
            above = [points for _label, points in options if not 0 <= Decimal(points) <= max_points]
            if above:
                cells.errors["Lựa chọn"] = _("Option points %(points)s are outside 0 to %(max)s.") % {
                    "points": shown(Decimal(above[0])),
                    "max": shown(max_points),
                }
        if period is not None:
            self.assign(instance, period_id=period.id)
        if is_leaf or max_points is not None:
            # A parent left blank keeps the sum of its children, set after the sheet.
            self.assign(instance, max_points=max_points)
        self.assign(
            instance,
            code=code,
            title=cells.text("Nội dung", required=True),
            method=method if is_leaf else Method.NUMBER,
            allow_not_arising=cells.flag("Cho phép không phát sinh"),
            evidence_required=cells.flag("Yêu cầu kiểm chứng"),
            guidance=cells.text("Hướng dẫn chấm"),
            options=options,
        )
        new_groups = {self.groups[c].id for c in group_codes if c in self.groups}
        old_groups = set() if instance.pk is None else {g.id for g in instance.groups.all()}
        if new_groups != old_groups:
            self.changed(instance, "groups")
        instance._import_groups = new_groups
        self.row_numbers[(period_code, code)] = row_number

    def outdated_key(self, instance):
        return instance.period_id

    def save_m2m(self, instance, row, **kwargs):
        instance.groups.set(instance._import_groups)

    def after_import(self, dataset, result, **kwargs):
        """Link parents by code and give each parent the sum of its children's maxima."""
        period_ids = {self.periods[code].id for code in self.column_values("Mã kỳ") if code in self.periods}
        criteria = list(Criterion.objects.filter(period_id__in=period_ids).select_related("period"))
        by_key = {(c.period_id, c.code): c for c in criteria}
        for criterion in criteria:
            parent = by_key.get((criterion.period_id, criterion.parent_code)) if criterion.depth else None
            if criterion.parent_id != (parent.id if parent else None):
                criterion.parent = parent
                Criterion.objects.filter(pk=criterion.pk).update(parent=parent)
        parent_ids = {c.parent_id for c in criteria if c.parent_id}
        sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
        for period_id in {c.period_id for c in criteria}:
            sums[period_id] = scoring.parent_maxima(
                (c.code, c.method, c.max_points or Decimal(0))
                for c in criteria
                if c.period_id == period_id and c.id not in parent_ids
            )
        for criterion in criteria:
            if criterion.id not in parent_ids:
                continue
            total = sums[criterion.period_id].get(criterion.code, Decimal(0))
            number = self.row_numbers.get((criterion.period.code, criterion.code))
            given = parse_decimal(self.rows[number - 1].get("Điểm tối đa") or "") if number else None
            if given is not None and given != total:
                message = _("%(given)s differs from the sum of the sub-criteria, %(sum)s.") % {
                    "given": shown(given),
                    "sum": shown(total),
                }
                result.append_invalid_row(number, {}, ValidationError({"Điểm tối đa": [message]}))
            elif criterion.max_points != total:
                Criterion.objects.filter(pk=criterion.pk).update(max_points=total)
        super().after_import(dataset, result, **kwargs)


# --- Diem ------------------------------------------------------------------------------


REVIEWER_NOT_ARISING = "Không phát sinh (thẩm định)"


class ScoreResource(SheetResource):
    sheet = "Diem"
    key_columns = ("Mã kỳ", "Mã đơn vị", "Mã tiêu chí")
    required_columns = ("Mã kỳ", "Mã đơn vị", "Mã tiêu chí")

    period = fields.Field(attribute="assessment__period__code", column_name="Mã kỳ")
    agency = fields.Field(attribute="assessment__agency__code", column_name="Mã đơn vị")
    criterion = fields.Field(attribute="criterion__code", column_name="Mã tiêu chí")
    self_score = fields.Field(attribute="self_score", column_name="Điểm tự đánh giá", widget=NumberWidget())
    reviewed_score = fields.Field(
        attribute="reviewed_score", column_name="Điểm thẩm định", widget=NumberWidget()
    )
    not_arising = fields.Field(attribute="not_arising", column_name="Không phát sinh", widget=FlagWidget())
    note = fields.Field(attribute="note", column_name="Ghi chú")
    # Added after the contract's columns, optional: the reviewer's word on "does not arise",
    # which decides the final figures (x: does not arise; không: it arises; empty: as the agency).
    reviewer_not_arising = fields.Field(
        attribute="reviewer_not_arising", column_name=REVIEWER_NOT_ARISING, widget=YesNoWidget()
    )

    class Meta(SheetResource.Meta):
        model = Score
        fields = (
            "period",
            "agency",
            "criterion",
            "self_score",
            "reviewed_score",
            "not_arising",
            "note",
            "reviewer_not_arising",
        )
        import_id_fields = ("period", "agency", "criterion")
        use_bulk = True
        batch_size = 2000
        skip_diff = True

    UPDATED_FIELDS = (
        "self_score",
        "reviewed_score",
        "final_score",
        "not_arising",
        "reviewer_not_arising",
        "note",
    )

    def dehydrate_reviewed_score(self, score: Score):
        # "An imported Điểm thẩm định counts as the final score": export the final one.
        return score.final_score if score.decision else score.reviewed_score

    def get_queryset(self):
        return Score.objects.select_related("assessment__period", "assessment__agency", "criterion")

    def load_existing(self, rows):
        period_codes = self.column_values("Mã kỳ")
        self.periods = {p.code: p for p in Period.objects.filter(code__in=period_codes)}
        self.agencies = {a.code: a for a in Agency.objects.select_related("group")}
        criteria = list(Criterion.objects.filter(period__in=self.periods.values()).prefetch_related("groups"))
        parent_ids = {c.parent_id for c in criteria if c.parent_id}
        self.criteria = {(c.period_id, c.code): c for c in criteria}
        self.leaf_ids = {c.id for c in criteria} - parent_ids
        self.criterion_groups = {c.id: {g.id for g in c.groups.all()} for c in criteria}
        self.problems: dict[tuple[int, Decimal], str | None] = {}
        self.assessments = {
            (a.period_id, a.agency_id): a for a in Assessment.objects.filter(period__in=self.periods.values())
        }
        existing = {}
        scores = Score.objects.filter(assessment__period__in=self.periods.values()).select_related(
            "assessment", "criterion"
        )
        codes = {a.id: a.code for a in self.agencies.values()}
        period_codes_by_id = {p.id: code for code, p in self.periods.items()}
        for score in scores:
            key = (
                period_codes_by_id[score.assessment.period_id],
                codes[score.assessment.agency_id],
                score.criterion.code,
            )
            existing[key] = score
        return existing

    def fill(self, instance, cells, *, row_number):
        period_code = cells.text("Mã kỳ", required=True)
        period = self.periods.get(period_code)
        if period_code and period is None:
            cells.errors["Mã kỳ"] = _("Unknown period code “%(code)s”.") % {"code": period_code}
        self.refuse_if_published(period, cells)
        agency_code = cells.text("Mã đơn vị", required=True)
        agency = self.agencies.get(agency_code)
        if agency_code and agency is None:
            cells.errors["Mã đơn vị"] = _("Unknown agency code “%(code)s”.") % {"code": agency_code}
        code = cells.text("Mã tiêu chí", required=True)
        criterion = self.criteria.get((period.id, code)) if period else None
        if period and code and criterion is None:
            cells.errors["Mã tiêu chí"] = _("Period %(period)s has no criterion “%(code)s”.") % {
                "period": period_code,
                "code": code,
            }
        elif criterion is not None and criterion.id not in self.leaf_ids:
            cells.errors["Mã tiêu chí"] = _("Criterion %(code)s has sub-criteria: score its leaves.") % {
                "code": code
            }
            criterion = None
        elif (
            criterion is not None
            and agency is not None
            and not applies(self.criterion_groups[criterion.id], agency.group_id)
        ):
            cells.errors["Mã tiêu chí"] = _("Criterion %(code)s does not apply to %(group)s.") % {
                "code": code,
                "group": agency.group.name,
            }
        self_score = cells.decimal("Điểm tự đánh giá")
        reviewed = cells.decimal("Điểm thẩm định")
        not_arising = cells.flag("Không phát sinh")
        # A file without the column means what it always did: the agency's flag decides.
        overruled = cells.yes_no(REVIEWER_NOT_ARISING)
        if criterion is not None:
            for column, value in (("Điểm tự đánh giá", self_score), ("Điểm thẩm định", reviewed)):
                problem = value is not None and self.score_problem(criterion, value)
                if problem:
                    cells.errors.setdefault(column, problem)
            for column, flag in (("Không phát sinh", not_arising), (REVIEWER_NOT_ARISING, overruled)):
                if flag and not criterion.allow_not_arising:
                    cells.errors[column] = _("Criterion %(code)s does not allow “does not arise”.") % {
                        "code": code
                    }
        if cells.errors:
            return
        if instance.pk is None:
            instance.assessment = self.assessment_for(period, agency)
            instance.criterion = criterion
        final = reviewed
        if criterion.method == Method.SURVEY and final is None:
            # A survey result is the agency's score as measured: either column carries it.
            final = self_score
        if instance.decision and reviewed is not None and reviewed == instance.final_score:
            # The column carries the final score; where an explanation changed it, the
            # reviewed score before the explanation stays as it was.
            reviewed = instance.reviewed_score
        self.assign(
            instance,
            self_score=self_score,
            reviewed_score=reviewed,
            final_score=final,
            not_arising=not_arising,
            reviewer_not_arising=overruled,
            note=cells.text("Ghi chú"),
        )

    def outdated_key(self, instance):
        return instance.assessment.period_id

    def import_row(self, row, instance_loader, **kwargs):
        """import-export's `import_row` without the steps this sheet does not use.

        A national year's scores sheet has hundreds of thousands of rows: this keeps what
        the rows need — find or create the score, read the cells (`import_instance`), skip
        unchanged rows, queue the rest for the bulk writes — and leaves out the per-row
        hooks, deletion, diffs and many-to-many fields, none of which this sheet has
        (`skip_diff`), and the instance's text unless the admin keeps it for its log.
        Results and counts are those of `import_row`.
        """
        row_result = self.get_row_result_class()()
        try:
            instance = self.get_instance(instance_loader, row)
            new = instance is None
            if new:
                instance = self.init_instance(row)
            row_result.import_type = RowResult.IMPORT_TYPE_NEW if new else RowResult.IMPORT_TYPE_UPDATE
            self.import_instance(instance, row, **kwargs)
            if self.skip_row(instance, None, row):
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            else:
                self.save_instance(instance, new, row, **kwargs)
            if self._meta.store_instance or kwargs.get("retain_instance_in_row_result"):
                # The admin's confirmation logs every row with the instance and its text.
                row_result.add_instance_info(instance)
                row_result.instance = instance
            else:
                row_result.object_id = instance.pk
        except ValidationError as error:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = error
        except Exception as error:  # as import_row: reported with its row, the import rolls back
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(
                self.get_error_result_class()(error, row=row, number=kwargs["row_number"])
            )
        return row_result

    def score_problem(self, criterion: Criterion, value: Decimal) -> str | None:
        """`score_problem`, once per leaf and value (a sheet repeats the same few values)."""
        key = (criterion.id, value)
        if key not in self.problems:
            self.problems[key] = score_problem(criterion, value)
        return self.problems[key]

    def assessment_for(self, period: Period, agency: Agency) -> Assessment:
        """An agency takes part in a period once it has an assessment: a score row creates it
        (with the scores, in one statement for all new assessments — see `bulk_create`)."""
        key = (period.id, agency.id)
        if key not in self.assessments:
            self.assessments[key] = Assessment(period=period, agency=agency)
        return self.assessments[key]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.create_instances:
            try:
                new = [a for a in {id(s.assessment): s.assessment for s in self.create_instances}.values()]
                new = [a for a in new if a.pk is None]
                if new:
                    bulk_create_with_history(new, Assessment)
                for score in self.create_instances:
                    score.assessment_id = score.assessment.pk
                bulk_insert_with_history(self.create_instances, Score)
            except Exception as error:  # reported per sheet; the whole import rolls back
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances:
            try:
                bulk_update_with_history(
                    self.update_instances, Score, list(self.UPDATED_FIELDS), batch_size=batch_size
                )
            except Exception as error:  # reported per sheet; the whole import rolls back
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.update_instances.clear()


# --- HaBac -----------------------------------------------------------------------------


class DemotionResource(SheetResource):
    sheet = "HaBac"
    key_columns = ("Mã kỳ", "Mã đơn vị")
    required_columns = ("Mã kỳ", "Mã đơn vị", "Số bậc hạ", "Lý do")

    period = fields.Field(attribute="period__code", column_name="Mã kỳ")
    agency = fields.Field(attribute="agency__code", column_name="Mã đơn vị")
    steps = fields.Field(
        attribute="steps", column_name="Số bậc hạ", widget=widgets.IntegerWidget(coerce_to_string=False)
    )
    reason = fields.Field(attribute="reason", column_name="Lý do")

    class Meta(SheetResource.Meta):
        model = Demotion
        fields = ("period", "agency", "steps", "reason")
        import_id_fields = ("period", "agency")

    def get_queryset(self):
        return Demotion.objects.select_related("period", "agency")

    def load_existing(self, rows):
        self.periods = {p.code: p for p in Period.objects.all()}
        self.agencies = {a.code: a for a in Agency.objects.all()}
        return {(d.period.code, d.agency.code): d for d in self.get_queryset()}

    def fill(self, instance, cells, *, row_number):
        period, agency = period_and_agency(self, cells)
        self.refuse_if_published(period, cells)
        steps = cells.integer("Số bậc hạ", required=True, minimum=1)
        reason = cells.text("Lý do", required=True)
        if period is not None:
            self.assign(instance, period_id=period.id)
        if agency is not None:
            self.assign(instance, agency_id=agency.id)
        self.assign(instance, steps=steps, reason=reason)

    def outdated_key(self, instance):
        return instance.period_id


def period_and_agency(resource, cells: Cells) -> tuple[Period | None, Agency | None]:
    period_code = cells.text("Mã kỳ", required=True)
    period = resource.periods.get(period_code)
    if period_code and period is None:
        cells.errors["Mã kỳ"] = _("Unknown period code “%(code)s”.") % {"code": period_code}
    agency_code = cells.text("Mã đơn vị", required=True)
    agency = resource.agencies.get(agency_code)
    if agency_code and agency is None:
        cells.errors["Mã đơn vị"] = _("Unknown agency code “%(code)s”.") % {"code": agency_code}
    return period, agency


# --- KetQua ----------------------------------------------------------------------------


class HistoricalResultResource(SheetResource):
    sheet = "KetQua"
    key_columns = ("Mã kỳ", "Mã đơn vị")
    required_columns = ("Mã kỳ", "Mã đơn vị", "Xếp hạng")

    period = fields.Field(attribute="period__code", column_name="Mã kỳ")
    agency = fields.Field(attribute="agency__code", column_name="Mã đơn vị")
    total = fields.Field(attribute="total", column_name="Tổng điểm", widget=NumberWidget())
    index = fields.Field(attribute="index", column_name="Chỉ số", widget=NumberWidget())
    tier_label = fields.Field(attribute="tier_label", column_name="Xếp loại")
    rank = fields.Field(
        attribute="rank", column_name="Xếp hạng", widget=widgets.IntegerWidget(coerce_to_string=False)
    )

    class Meta(SheetResource.Meta):
        model = HistoricalResult
        fields = ("period", "agency", "total", "index", "tier_label", "rank")
        import_id_fields = ("period", "agency")

    def get_queryset(self):
        return HistoricalResult.objects.select_related("period", "agency")

    def load_existing(self, rows):
        self.periods = {p.code: p for p in Period.objects.all()}
        self.agencies = {a.code: a for a in Agency.objects.all()}
        return {(r.period.code, r.agency.code): r for r in self.get_queryset()}

    def fill(self, instance, cells, *, row_number):
        period, agency = period_and_agency(self, cells)
        total = cells.decimal("Tổng điểm")
        index = cells.decimal("Chỉ số")
        if index is not None and index < 0:
            cells.errors["Chỉ số"] = _("The index cannot be negative.")
        rank = cells.integer("Xếp hạng", required=True, minimum=1)
        if period is not None:
            self.assign(instance, period_id=period.id)
        if agency is not None:
            self.assign(instance, agency_id=agency.id)
        self.assign(instance, total=total, index=index, tier_label=cells.text("Xếp loại"), rank=rank)

    def outdated_key(self, instance):
        return instance.period_id

    def outdated_periods(self):
        return periods_after(self.outdated_keys)


# The order `import_workbook` follows: each sheet may refer to the ones before it.
SHEET_RESOURCES: tuple[type[SheetResource], ...] = (
    GroupResource,
    AgencyResource,
    PeriodResource,
    TierResource,
    CriterionResource,
    ScoreResource,
    DemotionResource,
    HistoricalResultResource,
)


def sheet_columns(resource_class: type[SheetResource]) -> list[str]:
    return [field.column_name for field in resource_class().get_export_fields()]
