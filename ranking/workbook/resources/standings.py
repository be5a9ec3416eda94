"""The sheet TinhTrang: per assessment, whether the agency is ranked and whether it was late."""

from __future__ import annotations

from django.utils.translation import gettext as _
from import_export import fields, widgets

from ranking.enums import Standing
from ranking.models import Assessment
from ranking.workbook.resources.base import FlagWidget, PeriodAgencyResource, period_and_agency

# The words of the column `Tình trạng`, as the users write them (any case); blank: ranked.
STANDING_WORDS = {
    "xếp hạng": Standing.RANKED,
    "không xếp hạng": Standing.NOT_RANKED,
    "không đánh giá": Standing.EXCLUDED,
}
STANDING_COLUMN = "Tình trạng"


class StandingWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return next(word for word, standing in STANDING_WORDS.items() if standing == value)


class StandingResource(PeriodAgencyResource):
    sheet = "TinhTrang"
    required_columns = ("Mã kỳ", "Mã đơn vị", STANDING_COLUMN)

    period = fields.Field(attribute="period__code", column_name="Mã kỳ")
    agency = fields.Field(attribute="agency__code", column_name="Mã đơn vị")
    standing = fields.Field(attribute="standing", column_name=STANDING_COLUMN, widget=StandingWidget())
    standing_reason = fields.Field(attribute="standing_reason", column_name="Lý do")
    late = fields.Field(attribute="late", column_name="Nộp muộn", widget=FlagWidget())
    late_reason = fields.Field(attribute="late_reason", column_name="Lý do nộp muộn")

    class Meta(PeriodAgencyResource.Meta):
        model = Assessment
        fields = ("period", "agency", "standing", "standing_reason", "late", "late_reason")
        import_id_fields = ("period", "agency")

    def fill(self, instance, cells, *, row_number):
        period, agency = period_and_agency(self, cells)
        self.refuse_if_published(period, cells)
        word = cells.text(STANDING_COLUMN).lower()
        standing = STANDING_WORDS.get(word or "xếp hạng")
        if standing is None:
            cells.errors[STANDING_COLUMN] = _(
                "“%(value)s”: write xếp hạng, không xếp hạng or không đánh giá."
            ) % {"value": cells.raw(STANDING_COLUMN)}
        reason = cells.text("Lý do")
        if standing not in (None, Standing.RANKED) and not reason:
            cells.errors["Lý do"] = _("Write the reason for an agency not ranked or not assessed.")
        late = cells.flag("Nộp muộn")
        late_reason = cells.text("Lý do nộp muộn")
        if period is not None:
            self.assign(instance, period_id=period.id)
        if agency is not None:
            self.assign(instance, agency_id=agency.id)
        if standing is not None:
            self.assign(instance, standing=standing)
        self.assign(instance, standing_reason=reason, late=late, late_reason=late_reason)

    def outdated_key(self, instance):
        return instance.period_id
