"""The forms of the report pages; views read them, nothing below the views does."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ranking.reports.exports import conference, pack

SHEET_LABELS = {
    pack.SHEET_GROUPS: gettext_lazy("Ranking of each group (one sheet per group)"),
    pack.SHEET_SUMMARY: gettext_lazy("Tier counts per group"),
    pack.SHEET_AWARDS: gettext_lazy("Certificate-of-merit list"),
    pack.SHEET_CHART: gettext_lazy("Chart of the tiers per group"),
    pack.SHEET_DETAILS: gettext_lazy("Self, reviewed and final score of every criterion, per agency"),
    pack.SHEET_YEAR_OVER_YEAR: gettext_lazy("Rank and tier changes since the previous year"),
    pack.SHEET_TIERS_PER_YEAR: gettext_lazy("Tiers per year, with a chart"),
    pack.SHEET_LOSSES: gettext_lazy("Where points were lost, per criterion"),
    pack.SHEET_HEAT_MAP: gettext_lazy("Share of the maximum reached in each field, per agency"),
    pack.SHEET_SELF_ACCURACY: gettext_lazy("Self-assessment accuracy"),
    pack.SHEET_REVIEWERS: gettext_lazy("Reviewer consistency"),
}

GROUP_COLUMN_LABELS = {
    "rank": gettext_lazy("Rank"),
    "code": gettext_lazy("Agency code"),
    "name": gettext_lazy("Agency name"),
    "fields": gettext_lazy("Score of each field"),
    "components": gettext_lazy("Component index of each field (%)"),
    "total": gettext_lazy("Total"),
    "maximum": gettext_lazy("Maximum"),
    "index": gettext_lazy("Index (%)"),
    "tier": gettext_lazy("Tier"),
    "previous_rank": gettext_lazy("Previous rank"),
    "change": gettext_lazy("Change"),
}

DETAIL_COLUMN_LABELS = {
    "group": gettext_lazy("Group"),
    "rank": gettext_lazy("Rank"),
    "code": gettext_lazy("Agency code"),
    "name": gettext_lazy("Agency name"),
    "total": gettext_lazy("Total"),
    "index": gettext_lazy("Index (%)"),
    "tier": gettext_lazy("Tier"),
    "self": gettext_lazy("Self-score of each criterion"),
    "reviewed": gettext_lazy("Reviewed score of each criterion"),
    "final": gettext_lazy("Final score of each criterion"),
}


class PackForm(forms.Form):
    sheets = forms.MultipleChoiceField(
        label=gettext_lazy("Sheets"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": gettext_lazy("Choose at least one sheet.")},
    )
    group_columns = forms.MultipleChoiceField(
        label=gettext_lazy("Columns of the group sheets"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
        choices=[(key, GROUP_COLUMN_LABELS[key]) for key in conference.GROUP_COLUMN_KEYS],
    )
    detail_columns = forms.MultipleChoiceField(
        label=gettext_lazy("Columns of the sheet “Chi tiết”"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
        choices=[(key, DETAIL_COLUMN_LABELS[key]) for key in pack.DETAIL_COLUMN_KEYS],
    )

    def __init__(self, *args, sheet_keys: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheets"].choices = [(key, SHEET_LABELS[key]) for key in sheet_keys]

    def clean(self):
        data = super().clean()
        sheets = data.get("sheets") or []
        if pack.SHEET_GROUPS in sheets and not data.get("group_columns"):
            self.add_error("group_columns", _("Choose at least one column for the group sheets."))
        if pack.SHEET_DETAILS in sheets and not data.get("detail_columns"):
            self.add_error("detail_columns", _("Choose at least one column for the sheet “Chi tiết”."))
        return data
