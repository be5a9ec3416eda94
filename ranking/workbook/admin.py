"""The admin site's imports and exports of the year workbook's sheets.

Imports read the year workbook by sheet name, not the sheet that happens to be open, and only
after the file has kept the import's limits (`ranking.workbook.limits`), as the command and the
browser job do. Exports are .xlsx files written as `workbook_export` writes the year workbook
(`ranking.cells`): text as text, never a formula, numbers as numbers. CSV and the other text
formats are not offered for export: a spreadsheet opening them takes text that begins with =,
+, - or @ for a formula, and the only way to stop it (a leading apostrophe) would change the
text users read back.
"""

from dataclasses import dataclass
from io import BytesIO
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from import_export.admin import ExportMixin, ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm, SelectableFieldsExportForm
from import_export.results import Result, RowResult

from ranking.cells import dataset_xlsx, sheet_title
from ranking.workbook.importer import workbook_sheet_read
from ranking.workbook.limits import csv_limits_check, file_size_problem, workbook_limits_check
from ranking.workbook.resources import SheetResource


class WorkbookRefused(ValueError):
    """A file refused before or while it was read, with the lines that say why."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def sheet_format(resource_class: type[SheetResource]) -> type[XLSX]:
    """An xlsx format that takes the sheet of `resource_class` from a whole year workbook, or a
    one-sheet file as is."""

    class SheetXLSX(XLSX):
        def create_dataset(self, in_stream):
            problems = workbook_limits_check(BytesIO(in_stream))
            if not problems:
                sheet, problems = workbook_sheet_read(BytesIO(in_stream), resource_class=resource_class)
            if problems:
                raise WorkbookRefused(problems)
            return sheet.dataset

    return SheetXLSX


class SheetExportForm(SelectableFieldsExportForm):
    """Names each column as the file heads it (the workbook's Vietnamese header), or else by
    the model field's name, instead of the code's attribute name in English."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        if field is not None and field.column_name != field_name:
            return field.column_name
        try:
            return capfirst(resource._meta.model._meta.get_field(field_name).verbose_name)
        except FieldDoesNotExist:
            return field_name


class TextSafeExportMixin(ExportMixin):
    """Exports as .xlsx only, every text cell written as text."""

    export_form_class = SheetExportForm

    def get_export_formats(self):
        return [XLSX]

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        # Numbers and dates as themselves, as import-export gives them to its own xlsx format.
        dataset = self.get_data_for_export(request, queryset, force_native_type=True, **kwargs)
        return dataset_xlsx(title=self.export_sheet_title(), dataset=dataset)

    def export_sheet_title(self) -> str:
        # A sheet of the year workbook keeps its name, so the file imports back as it is.
        sheet = getattr(self.resource_classes[0], "sheet", None) if self.resource_classes else None
        return sheet or sheet_title(str(self.model._meta.verbose_name_plural), taken=set())


def sheet_csv(resource_class: type[SheetResource]) -> type[CSV]:
    """CSV, within the same limits of rows, columns and cell length as a workbook's sheet."""

    class SheetCSV(CSV):
        def create_dataset(self, in_stream):
            problems = csv_limits_check(in_stream, sheet=resource_class.sheet)
            if problems:
                raise WorkbookRefused(problems)
            return super().create_dataset(in_stream)

    return SheetCSV


class SheetImportForm(ImportForm):
    """Refuses a file over the size limit before the admin reads it into memory."""

    def clean_import_file(self):
        file = self.cleaned_data["import_file"]
        problem = file_size_problem(file.size)
        if problem:
            raise forms.ValidationError(problem)
        return file


# Rows of the import preview on one page.
PREVIEW_ROWS = 100


@dataclass(frozen=True)
class PreviewSummary:
    """What an import would do to a sheet's rows."""

    sheet: str
    new: int
    changed: int
    unchanged: int
    refused: int


def preview_summary(sheet: str, result: Result) -> PreviewSummary:
    totals = result.totals
    return PreviewSummary(
        sheet=sheet,
        new=totals[RowResult.IMPORT_TYPE_NEW],
        changed=totals[RowResult.IMPORT_TYPE_UPDATE] + totals[RowResult.IMPORT_TYPE_DELETE],
        unchanged=totals[RowResult.IMPORT_TYPE_SKIP],
        refused=totals[RowResult.IMPORT_TYPE_ERROR] + totals[RowResult.IMPORT_TYPE_INVALID],
    )


def preview_rows(result: Result) -> list:
    """The rows the preview lists: those refused, or else those the import would change.

    Rows left as they are (thousands, when a year is imported again) are only counted.
    """
    if result.has_errors():
        return [(line, error) for line, errors in result.row_errors() for error in errors]
    if result.has_validation_errors():
        return result.invalid_rows
    return [row for row in result.valid_rows() if not row.is_skip()]


class WorkbookSheetAdmin(TextSafeExportMixin, ImportExportModelAdmin):
    """Import/export of one sheet of the year workbook (WORKBOOK.md), with the preview.

    The preview sums up the sheet (new, changed, unchanged, refused rows) and lists only the
    rows refused or changed, a page at a time: a later page reads the uploaded file again,
    within the same limits, as a dry run.
    """

    import_form_class = SheetImportForm
    # A refused row says why in one line, never with Python's traceback.
    import_error_display = ("message",)

    def import_action(self, request, **kwargs):
        if request.method == "GET" and "import_file_name" in request.GET:
            return self.preview_page(request, **kwargs)
        response = super().import_action(request, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        stored = getattr(form, "cleaned_data", {}).get("import_file") if form is not None else None
        if stored is not None and hasattr(stored, "tmp_storage_name"):
            query = {
                "import_file_name": stored.tmp_storage_name,
                "original_file_name": stored.name,
                "format": form.cleaned_data["format"],
                "resource": form.cleaned_data.get("resource", ""),
            }
            self.preview_context(response, query=query, page=1)
        return response

    def preview_context(self, response: TemplateResponse, *, query: dict, page) -> None:
        result = response.context_data.get("result")
        if result is None:
            return
        response.context_data["preview_summary"] = preview_summary(self.resource_classes[0].sheet, result)
        response.context_data["preview_page"] = Paginator(preview_rows(result), PREVIEW_ROWS).get_page(page)
        response.context_data["preview_query"] = urlencode(query)

    def preview_page(self, request, **kwargs):
        """Another page of the preview of a file uploaded for import."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        again = redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))
        confirm_form = self.get_confirm_form_class(request)(data=request.GET)
        formats = self.get_import_formats()
        known = [str(index) for index in range(len(formats))]
        if not confirm_form.is_valid() or confirm_form.cleaned_data["format"] not in known:
            return again
        input_format = formats[int(confirm_form.cleaned_data["format"])](encoding=self.from_encoding)
        storage = self.get_tmp_storage_class()(
            name=confirm_form.cleaned_data["import_file_name"],
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        try:
            dataset = input_format.create_dataset(storage.read())
        except FileNotFoundError:
            gone = _("The uploaded file is no longer kept: choose it again.")
            self.message_user(request, gone, messages.ERROR)
            return again
        except WorkbookRefused as refused:
            for line in refused.problems:
                self.message_user(request, line, messages.ERROR)
            return again
        resource = self.choose_import_resource_class(confirm_form, request)(
            **self.get_import_resource_kwargs(request, form=confirm_form, **kwargs)
        )
        result = resource.import_data(
            dataset,
            dry_run=True,
            raise_errors=False,
            file_name=confirm_form.cleaned_data["original_file_name"],
            user=request.user,
        )
        context = self.get_import_context_data()
        context.update(self.admin_site.each_context(request))
        context.update(
            {
                "title": _("Import"),
                "opts": opts,
                "result": result,
                "import_error_display": self.import_error_display,
                "form": self.create_import_form(request),
            }
        )
        if not result.has_errors() and not result.has_validation_errors():
            context["confirm_form"] = confirm_form
        request.current_app = self.admin_site.name
        response = TemplateResponse(request, [self.import_template_name], context)
        self.preview_context(response, query=confirm_form.cleaned_data, page=request.GET.get("page"))
        return response

    def get_import_formats(self):
        resource_class = self.resource_classes[0]
        return [sheet_format(resource_class), sheet_csv(resource_class)]

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, WorkbookRefused):
            for line in e.problems:
                form.add_error("import_file", line)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def process_import(self, request, **kwargs):
        """The confirmed import reads the stored file again: were it refused now (the limits
        were lowered meanwhile), say so on the import page instead of failing."""
        try:
            return super().process_import(request, **kwargs)
        except WorkbookRefused as refused:
            for line in refused.problems:
                self.message_user(request, line, messages.ERROR)
            opts = self.model._meta
            return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))
