"""The sheet XepLoai: each period's tier scheme."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets

from ranking.models import Period, Tier
from ranking.numbers import MAX_ABS_SCORE, parse_decimal
from ranking.workbook.resources.base import Cells, NumberWidget, SheetResource, period_of_row


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
        period = period_of_row(self, cells)
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
