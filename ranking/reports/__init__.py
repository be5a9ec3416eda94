"""What the council and the conference read: analyses, year-over-year comparisons, each
agency's report with what-if, and the formatted workbooks (`exports`, and `agency_workbook`
for one agency's report); the loss table's columns (`loss_table`) and the pack's form
(`forms`, read by the views only)."""
