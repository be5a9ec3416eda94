"""The evaluation, one Django app laid out by concept in the order of the year: `periods`,
`assessments`, `results`, `reports`, `workbook`, with `views` and `urls` by audience, `demo`,
and the base modules every concept shares (`scoring`, `enums`, `models`, `rules`, …)."""
