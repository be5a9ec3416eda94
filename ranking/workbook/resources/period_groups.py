"""The sheet KhoiTheoKy: the group each agency is ranked in, period by period.

An agency's usual group (`DonVi`) is the default of every period it takes part in; a row
here puts it in another group for one period (a department grouped one way for CCHC and
another for VTLT). A file without the sheet leaves every assessment's group as it is.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from import_export import fields

from accounts.models import AgencyGroup
from ranking.models import Assessment
from ranking.workbook.resources.base import PeriodAgencyResource, period_and_agency

GROUP_COLUMN = "Mã khối"


class PeriodGroupResource(PeriodAgencyResource):
    sheet = "KhoiTheoKy"
    required_columns = ("Mã kỳ", "Mã đơn vị", GROUP_COLUMN)

    period = fields.Field(attribute="period__code", column_name="Mã kỳ")
    agency = fields.Field(attribute="agency__code", column_name="Mã đơn vị")
    group = fields.Field(attribute="group__code", column_name=GROUP_COLUMN)

    class Meta(PeriodAgencyResource.Meta):
        model = Assessment
        fields = ("period", "agency", "group")
        import_id_fields = ("period", "agency")

    def get_queryset(self):
        return Assessment.objects.select_related("period", "agency", "group").order_by(
            "period__year", "period__subject", "group__order", "group__code", "agency__code"
        )

    def load_existing(self, rows):
        self.groups = {g.code: g for g in AgencyGroup.objects.all()}
        return super().load_existing(rows)

    def fill(self, instance, cells, *, row_number):
        period, agency = period_and_agency(self, cells)
        self.refuse_if_published(period, cells)
        code = cells.text(GROUP_COLUMN)
        group = self.groups.get(code)
        if code and group is None:
            cells.errors[GROUP_COLUMN] = _("Unknown group code “%(code)s”.") % {"code": code}
        if period is not None:
            self.assign(instance, period_id=period.id)
        if agency is None or (code and group is None):
            return
        self.assign(instance, agency_id=agency.id)
        # A blank cell: the agency's usual group.
        group_id = group.id if group is not None else agency.group_id
        moved = instance.pk is not None and instance.group_id != group_id
        self.assign(instance, group_id=group_id)
        if moved and period is not None and period.awards_approved_at is not None:
            cells.errors[GROUP_COLUMN] = _(
                "The award list of period %(code)s is approved: an agency's group can no longer change there."
            ) % {"code": period.code}

    def outdated_key(self, instance):
        return instance.period_id
