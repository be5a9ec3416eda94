"""The forms of the assessment pages; views read them, nothing below the views does."""

from django import forms
from django.utils.translation import gettext_lazy

from accounts.models import AgencyGroup
from ranking.enums import AssessmentStatus
from ranking.models import Period


class QueueFilter(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Agency name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
    period = forms.ModelChoiceField(
        label=gettext_lazy("Period"),
        queryset=Period.objects.order_by("-year", "subject"),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("Periods not yet published"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    group = forms.ModelChoiceField(
        label=gettext_lazy("Group"),
        queryset=AgencyGroup.objects.order_by("order", "code"),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("All groups"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All statuses")), *AssessmentStatus.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class PeriodGroupForm(forms.Form):
    """The group an agency is ranked in for one period, with the reason for the change."""

    group = forms.ModelChoiceField(
        label=gettext_lazy("Group in this period"),
        queryset=AgencyGroup.objects.order_by("order", "code"),
        to_field_name="code",
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
