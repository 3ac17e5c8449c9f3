"""Background work of the capture app: thin wrappers over its services."""

from __future__ import annotations

from accord.capture.services.sources import sync_due


def sync_due_sources() -> int:
    """The worker's periodic job: sync every source whose time has come."""
    return len(sync_due())
