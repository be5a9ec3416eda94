"""The sheet TieuChi: the criteria tree of each period."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets

from accounts.models import AgencyGroup
from ranking import scoring
from ranking.enums import Method
from ranking.models import Criterion, Period
from ranking.numbers import parse_decimal, plain, shown
from ranking.periods.criteria import highest_scores, maximum_problem
from ranking.workbook.resources.base import FlagWidget, NumberWidget, SheetResource, period_of_row


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
        period = period_of_row(self, cells)
        self.refuse_if_published(period, cells)
        # The codes of the sheet's rows are keyed by the period code as written, known or not.
        period_code = cells.text("Mã kỳ")
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
