"""The sheet DonVi: the agencies."""

from __future__ import annotations

from django.utils.translation import gettext as _
from import_export import fields

from accounts.models import Agency, AgencyGroup
from ranking.periods.groups import assessments_follow_usual_group
from ranking.periods.outdated import periods_with_agency
from ranking.workbook.resources.base import SheetResource


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
        instance._previous_group_id = instance.group_id if instance.pk is not None else None
        if group is not None:
            self.assign(instance, group_id=group.id)

    def after_save_instance(self, instance, row, **kwargs):
        previous = getattr(instance, "_previous_group_id", None)
        if previous is not None:
            assessments_follow_usual_group(
                agency=instance, previous_group_id=previous, user=kwargs.get("user")
            )

    def outdated_key(self, instance):
        return instance.pk

    def outdated_periods(self):
        return periods_with_agency(self.outdated_keys)
