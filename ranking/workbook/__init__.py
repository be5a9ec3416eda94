"""The year workbook, the public Excel contract of docs/workbook.md: its sheets as django-import-export
resources, the limits a file must keep, the importer, the empty template and the admin's imports."""
