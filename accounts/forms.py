from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import User


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, with the current password checked as a sign-in is.

    Through `authenticate`, django-axes counts a wrong current password as a failed sign-in of
    this user from this address and refuses once they are locked out: an open session cannot
    be used to guess the password without limit.
    """

    def __init__(self, user, *args, request: HttpRequest, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        signed_in = authenticate(self.request, username=self.user.get_username(), password=old_password)
        if signed_in is None or signed_in.pk != self.user.pk:
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class NotificationSettingsForm(forms.ModelForm):
    daily_digest = forms.TypedChoiceField(
        label=_("E-mails about submissions, explanations and completed appraisals"),
        choices=[
            (False, _("One e-mail each, as it happens")),
            (True, _("One digest e-mail a day")),
        ],
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = User
        fields = ["daily_digest"]
