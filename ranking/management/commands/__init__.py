"""The commands themselves, one module each (`import_workbook`, `compute_results`, `export_results`, …)."""
