"""The demonstration city year that `make run` loads: its data (`data`) and the builder that
plays the year through the services (`builder`)."""
