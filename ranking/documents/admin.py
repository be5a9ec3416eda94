"""The admin site's page of decision templates: an administrator replaces the default one."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ranking.documents.decision import DOCX_CONTENT_TYPE, template_problem
from ranking.documents.default_template import default_template
from ranking.models import DecisionTemplate


class DecisionTemplateForm(forms.ModelForm):
    class Meta:
        model = DecisionTemplate
        fields = ["file", "description", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = format_html(
            '{} <a href="{}">{}</a>',
            _("A Word document (.docx) with the tags listed in docs/decision.md. Start from"),
            reverse("admin:ranking_decisiontemplate_default"),
            _("the default template"),
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # A new upload only: a file already stored was checked when it came.
        if isinstance(upload, UploadedFile):
            if not upload.name.lower().endswith(".docx"):
                raise forms.ValidationError(_("The file is not a Word document (.docx)."))
            upload.seek(0)
            # One byte past the limit is enough to tell that the file is too large.
            problem = template_problem(upload.read(settings.DECISION_TEMPLATE_MAX_BYTES + 1))
            upload.seek(0)
            if problem:
                raise forms.ValidationError(problem)
        return upload


@admin.register(DecisionTemplate)
class DecisionTemplateAdmin(admin.ModelAdmin):
    form = DecisionTemplateForm
    list_display = ["name", "active", "uploaded_at", "uploaded_by"]
    readonly_fields = ["uploaded_at", "uploaded_by"]

    @admin.display(description=_("decision template"))
    def name(self, template: DecisionTemplate) -> str:
        return str(template)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        default = path(
            "mac-dinh.docx",
            self.admin_site.admin_view(self.default_view),
            name="ranking_decisiontemplate_default",
        )
        return [default, *super().get_urls()]

    def default_view(self, request):
        response = HttpResponse(default_template(), content_type=DOCX_CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="mau-quyet-dinh.docx"'
        return response
