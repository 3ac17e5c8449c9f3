"""The one source of 'now', so tests and the demo generator can pin time."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


def ensure_aware(value: datetime, *, field: str = "occurred_at") -> datetime:
    """Naive datetimes are taken as UTC: imports rarely carry an offset."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
