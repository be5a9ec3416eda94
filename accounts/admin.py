from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ranking.admin_workflow import WorkflowAdmin
from ranking.periods.outdated import periods_with_agency
from ranking.workbook.admin import WorkbookSheetAdmin
from ranking.workbook.resources import AgencyResource, GroupResource

from .models import Agency, AgencyGroup, User
from .permissions import permission_label


@admin.register(AgencyGroup)
class AgencyGroupAdmin(WorkbookSheetAdmin, SimpleHistoryAdmin):
    resource_classes = [GroupResource]
    list_display = ["code", "name", "order"]
    list_editable = ["order"]
    search_fields = ["code", "name"]


@admin.register(Agency)
class AgencyAdmin(WorkflowAdmin, WorkbookSheetAdmin, SimpleHistoryAdmin):
    resource_classes = [AgencyResource]
    list_display = ["code", "name", "group", "is_active"]
    list_filter = ["group", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["group"]

    def outdated_periods(self, obj):
        # An agency is ranked within its group in every period it takes part in.
        return list(periods_with_agency([obj.pk]))


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "agency", "is_active"]
    list_filter = ["role", "is_active", "agency__group"]
    search_fields = ["username", "first_name", "last_name", "email", "agency__name"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role in the evaluation"), {"fields": ("role", "agency", "position")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role in the evaluation"), {"fields": ("first_name", "last_name", "email", "role", "agency")}),
    )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "user_permissions":
            field.label_from_instance = permission_label
        return field

    @admin.display(description=_("full name"), ordering="last_name")
    def full_name(self, user: User) -> str:
        return user.get_full_name()
