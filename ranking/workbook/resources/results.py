"""The sheet KetQua: the published results of past years."""

from __future__ import annotations

from django.utils.translation import gettext as _
from import_export import fields, widgets

from ranking.models import HistoricalResult
from ranking.periods.outdated import periods_after
from ranking.workbook.resources.base import NumberWidget, PeriodAgencyResource, period_and_agency


class HistoricalResultResource(PeriodAgencyResource):
    sheet = "KetQua"
    required_columns = ("Mã kỳ", "Mã đơn vị", "Xếp hạng")

    period = fields.Field(attribute="period__code", column_name="Mã kỳ")
    agency = fields.Field(attribute="agency__code", column_name="Mã đơn vị")
    total = fields.Field(attribute="total", column_name="Tổng điểm", widget=NumberWidget())
    index = fields.Field(attribute="index", column_name="Chỉ số", widget=NumberWidget())
    tier_label = fields.Field(attribute="tier_label", column_name="Xếp loại")
    rank = fields.Field(
        attribute="rank", column_name="Xếp hạng", widget=widgets.IntegerWidget(coerce_to_string=False)
    )

    class Meta(PeriodAgencyResource.Meta):
        model = HistoricalResult
        fields = ("period", "agency", "total", "index", "tier_label", "rank")
        import_id_fields = ("period", "agency")

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
