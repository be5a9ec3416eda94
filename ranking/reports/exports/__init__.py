"""The workbooks the reports are written to (openpyxl): `conference` (the conference workbook,
the public contract), `pack` (the complete conference pack, with a choice of sheets and columns),
`agency` (one agency's report) and `styles` (how all of them look).
"""
