"""One agency's assessment in a period: self-assessment, evidence, appraisal, explanations, and
the sheet that adds its scores up."""
