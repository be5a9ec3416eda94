"""A period's results: computing totals, tiers and ranks, the year-end steps of the council
(survey results, demotions, awards, approval, publication) and the publications as announced."""
