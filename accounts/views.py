from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import UpdateView

from .forms import NotificationSettingsForm, PasswordChangeForm


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}


class NotificationSettingsView(LoginRequiredMixin, UpdateView):
    """How the signed-in person receives the e-mails of the year's steps: their own setting only."""

    form_class = NotificationSettingsForm
    template_name = "registration/notification_settings.html"
    success_url = reverse_lazy("notification_settings")

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.cleaned_data["daily_digest"]:
            messages.success(self.request, _("You will receive one digest e-mail a day."))
        else:
            messages.success(self.request, _("You will receive an e-mail for each step."))
        return response
