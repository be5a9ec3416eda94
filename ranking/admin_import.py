"""Admin imports read the year workbook by sheet name, not the sheet that happens to be open."""

from io import BytesIO

from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

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


class WorkbookSheetAdmin(ImportExportModelAdmin):
    """Import/export of one sheet of the year workbook (WORKBOOK.md), with the preview."""

    def get_import_formats(self):
        return [sheet_format(self.resource_classes[0].sheet), CSV]
