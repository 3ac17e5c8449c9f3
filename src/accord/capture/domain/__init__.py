"""Pure capture rules: parsing, matching, schedules."""
