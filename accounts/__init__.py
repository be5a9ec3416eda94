"""People and organisations: agency groups, agencies, users and their roles, signing in, and
the role predicates (`accounts.rules`) every permission of the application is built from."""
