"""Background work of the customers app: thin wrappers over its services."""

from __future__ import annotations

from accord.customers.services.duplicates import find_duplicates_if_due


def find_duplicates_when_due() -> int:
    """The worker's periodic job: look for duplicates among customers changed since the
    last look, at most every ``SCAN_EVERY``."""
    return find_duplicates_if_due()
