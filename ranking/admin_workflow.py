"""The admin site within the workflow's rules.

Rows of a published period are read-only: they are what was announced, and a correction goes
through reopening the period. Every other write of a row that results are computed from
withdraws those results (`results_outdated`) and is recorded with who and why; fields that
only the workflow's services write (a period's phase, an assessment's status) are shown, never
edited, not even by reverting to an older version from the history page.
"""

from functools import reduce

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_noop

from ranking.enums import Phase
from ranking.errors import recorded
from ranking.models import (
    Assessment,
    AwardEntry,
    Criterion,
    Demotion,
    Evidence,
    Period,
    RespondentGroup,
    Result,
    Score,
    SurveyQuestion,
    SurveyQuestionGroup,
    SurveyScale,
    Tier,
)
from ranking.periods.outdated import changed_fields, field_values, inputs_changed, results_outdated

# How a row reaches its period.
PERIOD_PATHS: dict[type, str] = {
    Period: "",
    Tier: "period",
    Criterion: "period",
    Assessment: "period",
    Score: "assessment__period",
    Evidence: "score__assessment__period",
    Demotion: "period",
    Result: "period",
    AwardEntry: "period",
    RespondentGroup: "period",
    SurveyScale: "period",
    SurveyQuestion: "period",
    SurveyQuestionGroup: "question__period",
}


def period_of(obj) -> Period | None:
    path = PERIOD_PATHS.get(type(obj))
    if obj is None or path is None:
        return None
    return reduce(getattr, path.split("__"), obj) if path else obj


def frozen(obj) -> bool:
    """Whether `obj` belongs to a published period."""
    period = period_of(obj)
    return period is not None and period.phase == Phase.PUBLISHED


def open_rows(model):
    """The rows of `model` a form may point to: none of a published period."""
    path = PERIOD_PATHS[model]
    return model._default_manager.exclude(**{f"{path}__phase" if path else "phase": Phase.PUBLISHED})


class FrozenWhenPublished:
    """Read-only under a published period; forms offer only rows of unpublished periods."""

    def has_change_permission(self, request, obj=None):
        return not frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not frozen(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Rows under a period point only to rows of unpublished periods. (A period's previous
        # period, or an imported past result's, may well be published.)
        if db_field.related_model in PERIOD_PATHS and self.model in PERIOD_PATHS and self.model is not Period:
            kwargs.setdefault("queryset", open_rows(db_field.related_model))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FrozenInline(FrozenWhenPublished):
    """An inline of a parent row: read-only, with nothing to add, under a published period."""

    def has_add_permission(self, request, obj=None):
        return not frozen(obj) and super().has_add_permission(request, obj)


class WorkflowAdmin(FrozenWhenPublished):
    """Writes of the admin site, recorded with who and why, withdrawing the results they outdate."""

    def outdated_periods(self, obj) -> list[Period]:
        """The periods whose results `obj` is an input of."""
        period = period_of(obj)
        return [period] if period is not None else []

    def withdraw(self, request, periods, obj) -> None:
        results_outdated(
            periods=[p for p in periods if p is not None],
            user=request.user,
            reason=recorded(gettext_noop("%(object)s, changed on the admin site"), {"object": str(obj)}),
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a revert without asking for the right to change the row.
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if current is None or not self.has_change_permission(request, current):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        before = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        if before is not None:
            # What this form does not edit stays as it is; a revert from the history page
            # would otherwise bring back an old phase, status or computation with the rest.
            for field in type(obj)._meta.concrete_fields:
                if field.name not in form.fields and not field.primary_key:
                    setattr(obj, field.attname, getattr(before, field.attname))
            if isinstance(obj, Score):
                # A page showing the score before this change cannot save over it.
                obj.version = before.version + 1
        obj._history_user = request.user
        obj._change_reason = recorded(gettext_noop("Changed on the admin site"))
        super().save_model(request, obj, form, change)
        if inputs_changed(type(obj), changed_fields(field_values(before) if before else None, obj)):
            previous = self.outdated_periods(before) if before is not None else []
            self.withdraw(request, [*previous, *self.outdated_periods(obj)], obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        many = {field.name for field in type(form.instance)._meta.many_to_many}
        if inputs_changed(type(form.instance), set(form.changed_data) & many):
            self.withdraw(request, self.outdated_periods(form.instance), form.instance)

    def save_formset(self, request, form, formset, change):
        outdated = False
        deleted = formset.deleted_forms if formset.can_delete else []
        every_field = [field.name for field in formset.model._meta.concrete_fields]
        for inline in formset.forms:
            instance = inline.instance
            instance._history_user = request.user
            instance._change_reason = recorded(gettext_noop("Changed on the admin site"))
            if inline in deleted:
                outdated |= instance.pk is not None and inputs_changed(formset.model, every_field)
            elif inline.has_changed():
                outdated |= inputs_changed(formset.model, inline.changed_data)
                if isinstance(instance, Score) and instance.pk is not None:
                    instance.version += 1
        super().save_formset(request, form, formset, change)
        if outdated:
            self.withdraw(request, self.outdated_periods(form.instance), form.instance)

    def delete_model(self, request, obj):
        periods = self.outdated_periods(obj)
        obj._history_user = request.user
        obj._change_reason = recorded(gettext_noop("Deleted on the admin site"))
        super().delete_model(request, obj)
        if inputs_changed(type(obj), [field.name for field in type(obj)._meta.concrete_fields]):
            self.withdraw(request, periods, obj)

    def delete_queryset(self, request, queryset):
        doomed = list(queryset)
        periods = {p.pk: p for obj in doomed for p in self.outdated_periods(obj)}
        for obj in doomed:
            obj._history_user = request.user
            obj._change_reason = recorded(gettext_noop("Deleted on the admin site"))
            obj.delete()
        if doomed and inputs_changed(self.model, [field.name for field in self.model._meta.concrete_fields]):
            self.withdraw(request, periods.values(), self.model._meta.verbose_name_plural)


class WorkflowInline(FrozenInline, admin.TabularInline):
    pass
