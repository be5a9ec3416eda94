"""The sheet Khoi: the groups of agencies."""

from __future__ import annotations

from import_export import fields, widgets

from accounts.models import AgencyGroup
from ranking.workbook.resources.base import SheetResource


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
