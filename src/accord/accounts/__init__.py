"""Staff users, teams, roles, API tokens and record-level access."""
