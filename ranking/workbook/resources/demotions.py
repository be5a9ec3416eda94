"""The sheet HaBac: the council's demotions."""

from __future__ import annotations

from import_export import fields, widgets

from accounts.models import Agency
from ranking.models import Demotion, Period
from ranking.workbook.resources.base import (
    SheetResource,
    period_and_agency,
)


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
