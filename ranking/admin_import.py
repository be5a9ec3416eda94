"""The admin site's imports and exports of the year workbook's sheets.

Imports read the year workbook by sheet name, not the sheet that happens to be open. Exports
are .xlsx files written as `workbook_export` writes the year workbook (`ranking.cells`): text
as text, never a formula, numbers as numbers. CSV and the other text formats are not offered
for export: a spreadsheet opening them takes text that begins with =, +, - or @ for a formula,
and the only way to stop it (a leading apostrophe) would change the text users read back.
"""

from io import BytesIO

from django.core.exceptions import PermissionDenied
from import_export.admin import ExportMixin, ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from .cells import dataset_xlsx
from .exports import sheet_title
from .services.workbook import workbook_read


def sheet_format(sheet: str) -> type[XLSX]:
    """An xlsx format that takes `sheet` from a whole year workbook, or a one-sheet file as is."""

    class SheetXLSX(XLSX):
        def create_dataset(self, in_stream):
            sheets, problems = workbook_read(BytesIO(in_stream))
            if not problems and sheet in sheets:
                return sheets[sheet].dataset
            return super().create_dataset(in_stream)

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


class WorkbookSheetAdmin(TextSafeExportMixin, ImportExportModelAdmin):
    """Import/export of one sheet of the year workbook (WORKBOOK.md), with the preview."""

    def get_import_formats(self):
        return [sheet_format(self.resource_classes[0].sheet), CSV]
