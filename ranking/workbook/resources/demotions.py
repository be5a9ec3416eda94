"""The sheet HaBac: the council's demotions."""

from __future__ import annotations

from import_export import fields, widgets

from ranking.models import Demotion
from ranking.workbook.resources.base import PeriodAgencyResource, period_and_agency


class DemotionResource(PeriodAgencyResource):
    sheet = "HaBac"
    required_columns = ("Mã kỳ", "Mã đơn vị", "Số bậc hạ", "Lý do")

    period = fields.Field(attribute="period__code", column_name="Mã kỳ")
    agency = fields.Field(attribute="agency__code", column_name="Mã đơn vị")
    steps = fields.Field(
        attribute="steps", column_name="Số bậc hạ", widget=widgets.IntegerWidget(coerce_to_string=False)
    )
    reason = fields.Field(attribute="reason", column_name="Lý do")

    class Meta(PeriodAgencyResource.Meta):
        model = Demotion
        fields = ("period", "agency", "steps", "reason")
        import_id_fields = ("period", "agency")

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
