"""One agency's assessment in a period: self-assessment, evidence, appraisal, explanations, and
the sheet that adds its scores up.

Writes in `services` and `appraisal`, reads in `selectors`, `sheets` and `history`; how the
agency's and the appraisal pages show the sheet's rows in `display` and `appraisal_display`;
the forms of those pages in `forms` (read by the views only)."""
