"""The pages, by audience: `agency` and `agency_steps` (the agency's assessment), `review` (the
reviewers), `council` and `council_results` (the appraisal council), `public`, `reports_*` (the
conference pack), `jobs`, `home`; `common` holds what they share, including `leaf_save`, the one
answer of every htmx leaf save. Views only handle requests: permissions live in `ranking.rules`,
writes in the concepts' services, reads, formatting and forms in their selectors and forms."""
