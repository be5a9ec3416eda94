"""What the council and the conference read: analyses, year-over-year comparisons, each
agency's report with what-if, and the formatted workbooks (`exports`)."""
