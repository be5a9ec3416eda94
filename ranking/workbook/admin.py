"""The admin site's imports and exports of the year workbook's sheets.

Imports read the year workbook by sheet name, not the sheet that happens to be open, and only
after the file has kept the import's limits (`ranking.workbook.limits`), as the command and the
browser job do. Exports are .xlsx files written as `workbook_export` writes the year workbook
(`ranking.cells`): text as text, never a formula, numbers as numbers. CSV and the other text
formats are not offered for export: a spreadsheet opening them takes text that begins with =,
+, - or @ for a formula, and the only way to stop it (a leading apostrophe) would change the
text users read back.
"""

from io import BytesIO

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from import_export.admin import ExportMixin, ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm

from ranking.cells import dataset_xlsx
from ranking.reports.exports.styles import sheet_title
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


class TextSafeExportMixin(ExportMixin):
    """Exports as .xlsx only, every text cell written as text."""

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


class WorkbookSheetAdmin(TextSafeExportMixin, ImportExportModelAdmin):
    """Import/export of one sheet of the year workbook (WORKBOOK.md), with the preview."""

    import_form_class = SheetImportForm

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
