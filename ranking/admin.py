from decimal import Decimal
from io import BytesIO

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.urls import path
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db import admin as tasks_admin
from simple_history.admin import SimpleHistoryAdmin

# Registers the decision templates' admin beside the evaluation's.
import ranking.documents.admin  # noqa: F401
from accounts.models import Agency, AgencyGroup
from ranking.admin_workflow import (
    FrozenInline,
    FrozenWhenPublished,
    WorkflowAdmin,
    WorkflowInline,
    period_of,
)
from ranking.enums import SurveySource
from ranking.errors import ServiceError
from ranking.models import (
    Assessment,
    AwardEntry,
    Criterion,
    Demotion,
    Evidence,
    HistoricalResult,
    Period,
    RespondentGroup,
    Result,
    Score,
    SurveyAnswer,
    SurveyQuestion,
    SurveyQuestionGroup,
    SurveyResponse,
    SurveyScale,
    TieBreaker,
    Tier,
)
from ranking.numbers import excerpt, parse_decimal, plain, shown, too_large
from ranking.periods.criteria import highest_scores, maximum_problem
from ranking.periods.groups import assessments_follow_usual_group
from ranking.periods.outdated import periods_after, periods_with_agency
from ranking.periods.services import period_copy
from ranking.results.finalization import award_change, results_compute_by
from ranking.rules import PERMISSION_MESSAGES
from ranking.workbook.admin import TextSafeExportMixin, WorkbookSheetAdmin
from ranking.workbook.importer import may_export_year, workbook_export
from ranking.workbook.resources import (
    AgencyResource,
    CriterionResource,
    DemotionResource,
    GroupResource,
    HistoricalResultResource,
    PaperAnswerResource,
    PeriodResource,
    ScoreResource,
    TierResource,
)


# The agencies and their groups belong to accounts, but their pages read and write the year
# workbook's sheets and follow the workflow, so they are registered here, above both.
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

    def save_model(self, request, obj, form, change):
        previous = (
            Agency.objects.filter(pk=obj.pk).values_list("group_id", flat=True).first() if change else None
        )
        super().save_model(request, obj, form, change)
        if previous is not None:
            assessments_follow_usual_group(agency=obj, previous_group_id=previous, user=request.user)


class TieBreakersWidget(forms.MultiWidget):
    def __init__(self, choices):
        places = range(1, len(TieBreaker) + 1)
        label = gettext("Tie-breaker %(number)d")
        super().__init__(
            [forms.Select(choices=choices, attrs={"aria-label": label % {"number": n}}) for n in places]
        )

    def decompress(self, value):
        chosen = list(value or [])
        return chosen + [""] * (len(self.widgets) - len(chosen))


class TieBreakersField(forms.MultiValueField):
    """The tie-breakers in the order they apply, one drop-down for each place."""

    def __init__(self, **kwargs):
        choices = [("", gettext("(none)")), *TieBreaker.choices]
        super().__init__(
            fields=[forms.ChoiceField(choices=choices, required=False) for _breaker in TieBreaker],
            widget=TieBreakersWidget(choices),
            require_all_fields=False,
            **kwargs,
        )

    def compress(self, data_list):
        chosen = [value for value in data_list if value]
        if len(set(chosen)) != len(chosen):
            raise ValidationError(gettext("Choose each tie-breaker once."))
        return chosen

    def has_changed(self, initial, data):
        return not self.disabled and [value for value in data or [] if value] != list(initial or [])


def shown_field(name: str) -> str:
    return "tie_breakers_shown" if name == "tie_breakers" else name


class TierInline(WorkflowInline):
    model = Tier
    extra = 0


@admin.register(Period)
class PeriodAdmin(WorkflowAdmin, WorkbookSheetAdmin, SimpleHistoryAdmin):
    resource_classes = [PeriodResource]
    list_display = [
        "code",
        "name",
        "year",
        "subject",
        "phase",
        "self_assessment_deadline",
        "published_at",
    ]
    list_filter = ["subject", "phase"]
    search_fields = ["code", "name"]
    inlines = [TierInline]
    actions = ["copy_to_next_year", "compute"]
    import_export_change_list_template = "admin/ranking/period/change_list.html"
    # The phase moves through the council's pages (phases, publication, reopening), never here.
    readonly_fields = [
        "phase",
        "results_computed_at",
        "results_outdated_reason",
        "awards_approved_at",
        "published_at",
        "version",
    ]
    fieldsets = (
        (None, {"fields": ("code", "name", "year", "subject", "previous", "phase")}),
        (
            _("Deadlines"),
            {"fields": ("self_assessment_deadline", "appraisal_deadline", "explanation_deadline")},
        ),
        (
            _("Ranking and awards"),
            {
                "fields": (
                    "tie_breakers",
                    "award_from_tier",
                    "award_max_per_group",
                    "award_exclude_demoted",
                    "late_rule",
                    "late_deduction",
                )
            },
        ),
        (
            _("State"),
            {
                "fields": (
                    "results_computed_at",
                    "results_outdated_reason",
                    "awards_approved_at",
                    "published_at",
                    "version",
                )
            },
        ),
    )

    def get_urls(self):
        year = path(
            "du-lieu-nam.xlsx",
            self.admin_site.admin_view(self.year_workbook_view),
            name="ranking_period_year_workbook",
        )
        return [year, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_export_year": may_export_year(request.user)}
        return super().changelist_view(request, extra_context)

    def year_workbook_view(self, request):
        """The whole year workbook (every sheet of WORKBOOK.md), as `import_workbook` reads it back."""
        if not may_export_year(request.user):
            raise PermissionDenied
        file = BytesIO()
        workbook_export().save(file)
        response = HttpResponse(
            file.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="du-lieu-nam.xlsx"'
        return response

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "tie_breakers":
            return TieBreakersField(label=capfirst(db_field.verbose_name), help_text=db_field.help_text)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Shown, not edited: by their names, in order.
        return [
            (name, {**options, "fields": tuple(shown_field(field) for field in options["fields"])})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "tie_breakers_shown"]

    @admin.display(description=_("tie-breakers"))
    def tie_breakers_shown(self, period: Period) -> str:
        labels = dict(TieBreaker.choices)
        return "; ".join(f"{n}. {labels.get(key, key)}" for n, key in enumerate(period.tie_breakers, 1))

    @admin.action(description=_("Copy the criteria set into the next year"))
    def copy_to_next_year(self, request, queryset):
        for period in queryset:
            try:
                copy = period_copy(source=period, year=period.year + 1)
            except ServiceError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("Created %(period)s.") % {"period": copy.code}, messages.SUCCESS)

    @admin.action(description=_("Compute results"))
    def compute(self, request, queryset):
        for period in queryset:
            try:
                summary = results_compute_by(user=request.user, period=period)
            except PermissionDenied as error:
                self.message_user(request, f"{period.code}: {error}", messages.ERROR)
            except ServiceError as error:
                for line in error.messages:
                    self.message_user(request, line, messages.ERROR)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(period)s: %(count)d agency ranked.",
                        "%(period)s: %(count)d agencies ranked.",
                        summary.agencies,
                    )
                    % {"period": period.code, "count": summary.agencies},
                    messages.SUCCESS,
                )


@admin.register(Tier)
class TierAdmin(WorkflowAdmin, WorkbookSheetAdmin, SimpleHistoryAdmin):
    resource_classes = [TierResource]
    list_display = ["period", "order", "label", "min_index"]
    list_filter = ["period"]


class CriterionForm(forms.ModelForm):
    """Options as the pages read them: a list of [label, points], each points a number in range.

    The admin builds the form's fields from the model (as for every model it edits).
    """

    def clean_options(self) -> list[list[str]]:
        options = self.cleaned_data.get("options") or []
        shape = _('Write the options as [["label", "points"], …].')
        if not isinstance(options, list):
            raise forms.ValidationError(shape)
        cleaned = []
        for option in options:
            if not (isinstance(option, list) and len(option) == 2 and isinstance(option[0], str)):
                raise forms.ValidationError(shape)
            label, points = option
            number = None if isinstance(points, bool) else parse_decimal(points)
            if number is None:
                raise forms.ValidationError(_("“%(value)s” is not a number.") % {"value": excerpt(points)})
            problem = too_large(number, points)
            if problem:
                raise forms.ValidationError(problem)
            cleaned.append([label.strip(), plain(number)])
        return cleaned

    def clean(self):
        cleaned = super().clean()
        max_points = cleaned.get("max_points")
        # The instance still holds the stored maximum here: only a change is checked.
        criterion = self.instance
        if max_points is not None and criterion.pk is not None and max_points != criterion.max_points:
            highest = highest_scores(criterion_ids=[criterion.pk]).get(criterion.pk)
            problem = maximum_problem(criterion, max_points, highest)
            if problem:
                self.add_error("max_points", problem)
        outside = [
            points
            for _label, points in cleaned.get("options") or []
            if max_points is not None and not 0 <= Decimal(points) <= max_points
        ]
        if outside:
            self.add_error(
                "options",
                _("Option points %(points)s are outside 0 to %(max)s.")
                % {"points": shown(Decimal(outside[0])), "max": shown(max_points)},
            )
        return cleaned


@admin.register(Criterion)
class CriterionAdmin(WorkflowAdmin, WorkbookSheetAdmin, SimpleHistoryAdmin):
    form = CriterionForm
    resource_classes = [CriterionResource]
    list_display = [
        "code",
        "short_title",
        "period",
        "max_points",
        "method",
        "allow_not_arising",
        "evidence_required",
    ]
    list_filter = ["period", "method", "evidence_required", "allow_not_arising"]
    search_fields = ["code", "title"]
    list_select_related = ["period"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["groups"]

    @admin.display(description=_("content"))
    def short_title(self, criterion: Criterion) -> str:
        return criterion.title if len(criterion.title) <= 80 else criterion.title[:79] + "…"


class ScoreInline(WorkflowInline):
    model = Score
    extra = 0
    fields = [
        "criterion",
        "self_score",
        "not_arising",
        "reviewer_not_arising",
        "reviewed_score",
        "final_score",
        "review_comment",
    ]
    raw_id_fields = ["criterion"]


@admin.register(Assessment)
class AssessmentAdmin(WorkflowAdmin, SimpleHistoryAdmin):
    list_display = ["agency", "period", "group", "status", "reviewer", "submitted_at"]
    # The standing and the late record are the council's, set on the results page with a reason;
    # so is the group in the period, on the period's page (a new assessment: the usual group).
    readonly_fields = (
        *Assessment.WORKFLOW_FIELDS,
        "group",
        "standing",
        "standing_reason",
        "late",
        "late_reason",
    )
    list_filter = ["period", "status", "group"]
    search_fields = ["agency__code", "agency__name"]
    list_select_related = ["agency", "period", "group", "reviewer"]
    autocomplete_fields = ["agency", "reviewer"]
    inlines = [ScoreInline]


@admin.register(Score)
class ScoreAdmin(WorkflowAdmin, WorkbookSheetAdmin, SimpleHistoryAdmin):
    resource_classes = [ScoreResource]
    list_display = [
        "assessment",
        "criterion_code",
        "self_score",
        "reviewed_score",
        "final_score",
        "not_arising",
        "reviewer_not_arising",
    ]
    list_filter = ["assessment__period", "assessment__group"]
    search_fields = ["assessment__agency__code", "assessment__agency__name", "criterion__code"]
    list_select_related = ["assessment__agency", "assessment__period", "criterion"]
    raw_id_fields = ["assessment", "criterion"]
    readonly_fields = ["version"]

    @admin.display(description=_("criterion"), ordering="criterion__sort_key")
    def criterion_code(self, score: Score) -> str:
        return score.criterion.code


@admin.register(Evidence)
class EvidenceAdmin(WorkflowAdmin, SimpleHistoryAdmin):
    list_display = ["original_name", "score", "purpose", "size", "uploaded_by", "uploaded_at"]
    list_select_related = [
        "score__assessment__agency",
        "score__assessment__period",
        "score__criterion",
        "uploaded_by",
    ]
    raw_id_fields = ["score"]
    readonly_fields = ["file", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(Demotion)
class DemotionAdmin(WorkflowAdmin, WorkbookSheetAdmin, SimpleHistoryAdmin):
    resource_classes = [DemotionResource]
    list_display = ["agency", "period", "steps", "cap_tier", "reason"]
    list_filter = ["period"]
    autocomplete_fields = ["agency"]


@admin.register(Result)
class ResultAdmin(TextSafeExportMixin, admin.ModelAdmin):
    list_display = [
        "period",
        "group",
        "rank",
        "agency",
        "total",
        "maximum",
        "index_shown",
        "tier",
        "previous_rank",
    ]
    list_filter = ["period", "group", "tier__label"]
    search_fields = ["agency__code", "agency__name"]
    list_select_related = ["period", "group", "agency", "tier"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Results are computed, never typed in.
        return False

    def has_delete_permission(self, request, obj=None):
        # Nor taken out: computing again replaces them, and publishing reads them.
        return False

    @admin.display(description=_("index (%)"), ordering="index")
    def index_shown(self, result: Result) -> str:
        return number_format(result.index, 2)


@admin.register(HistoricalResult)
class HistoricalResultAdmin(WorkflowAdmin, WorkbookSheetAdmin):
    resource_classes = [HistoricalResultResource]
    list_display = ["period", "agency", "rank", "tier_label", "index", "total"]
    list_filter = ["period"]
    search_fields = ["agency__code", "agency__name"]
    list_select_related = ["period", "agency"]

    def outdated_periods(self, obj):
        # Past ranks are the previous ranks of the periods that follow.
        return list(periods_after([obj.period_id]))


# The background queue's own records show Python tracebacks and untranslatable names; the
# import and export jobs are followed on the application's job pages instead.
admin.site.unregister(tasks_admin.DBTaskResult)


class AwardEntryForm(forms.ModelForm):
    """An entry of the certificate list, changed as on the results page: by the council,
    during finalization, with a reason."""

    user = None

    class Meta:
        model = AwardEntry
        fields = ["period", "agency", "included", "reason"]

    def clean(self):
        data = super().clean()
        period = data.get("period") or period_of(self.instance if self.instance.pk else None)
        if period is None:
            return data
        if not self.user.has_perm("ranking.finalize_period", period):
            raise ValidationError(str(PERMISSION_MESSAGES["ranking.finalize_period"]))
        if period.results_computed_at is None:
            raise ValidationError(gettext("Compute the results first."))
        if not (data.get("reason") or "").strip():
            self.add_error("reason", gettext("Write the reason for changing the list."))
        return data


@admin.register(AwardEntry)
class AwardEntryAdmin(FrozenWhenPublished, SimpleHistoryAdmin):
    list_display = ["agency", "period", "proposed", "included", "reason"]
    list_filter = ["period", "proposed", "included"]
    list_select_related = ["agency", "period"]
    form = AwardEntryForm
    fields = ["period", "agency", "proposed", "included", "reason", "changed_by"]

    def get_readonly_fields(self, request, obj=None):
        return ["proposed", "changed_by"] + (["period", "agency"] if obj is not None else [])

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def has_delete_permission(self, request, obj=None):
        # Entries are kept, so that their history stays whole: take an agency off the list instead.
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        entry = award_change(
            user=request.user, period=obj.period, agency=obj.agency, included=obj.included, reason=obj.reason
        )
        obj.pk = entry.pk


# --- the survey's set-up: respondent groups, answer scales, questions ------------------------
# Invitations are handed out from the council's survey page; responses are read here, never
# written (they come from the public form and the paper-answers sheet).


@admin.register(RespondentGroup)
class RespondentGroupAdmin(FrozenWhenPublished, SimpleHistoryAdmin):
    list_display = ["name", "code", "period", "weight", "quota", "order"]
    list_filter = ["period"]
    list_select_related = ["period"]
    ordering = ["period", "order", "code"]


@admin.register(SurveyScale)
class SurveyScaleAdmin(FrozenWhenPublished, SimpleHistoryAdmin):
    list_display = ["name", "code", "period", "kind", "conversion_shown"]
    list_filter = ["period", "kind"]
    list_select_related = ["period"]

    @admin.display(description=_("options and conversion"))
    def conversion_shown(self, obj: SurveyScale) -> str:
        return " · ".join(f"{code} = {shown(percent)}%" for code, percent in obj.conversion.items())


class SurveyQuestionGroupInline(FrozenInline, admin.TabularInline):
    model = SurveyQuestionGroup
    extra = 1
    verbose_name = _("answered by")
    verbose_name_plural = _("answered by")


@admin.register(SurveyQuestion)
class SurveyQuestionAdmin(FrozenWhenPublished, SimpleHistoryAdmin):
    inlines = [SurveyQuestionGroupInline]
    list_display = ["code", "text", "period", "criterion", "scale", "order"]
    list_filter = ["period", "scale__kind", "groups"]
    list_select_related = ["period", "criterion", "scale"]
    ordering = ["period", "order", "code"]


class SurveyAnswerInline(admin.TabularInline):
    model = SurveyAnswer
    fields = ["question", "option"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["agency", "group", "period", "source", "reference", "submitted_on"]
    list_filter = ["period", "group", "source"]
    list_select_related = ["agency", "group", "period"]
    inlines = [SurveyAnswerInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in SurveyResponse._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SurveyAnswer)
class PaperAnswerAdmin(WorkbookSheetAdmin):
    """The answers of the survey's paper forms: imported (with the preview) and exported as the
    sheet PhieuKhaoSat of the year workbook. Read here, never typed: an answer comes from a
    form, and answers given on the web are not listed (they have no form number)."""

    resource_classes = [PaperAnswerResource]
    list_display = ["response", "question", "option"]
    list_filter = ["response__period", "response__group"]
    list_select_related = ["response__agency", "response__group", "response__period", "question"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(response__source=SurveySource.PAPER)

    def get_readonly_fields(self, request, obj=None):
        return ["response", "question", "option"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
