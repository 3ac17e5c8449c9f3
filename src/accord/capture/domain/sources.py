"""What a capture source is and when it runs next: pure rules, time passed in."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class SourceKind(StrEnum):
    IMAP = "imap"  # a mailbox: INBOX and Sent by default


class UnknownSenders(StrEnum):
    """What happens to an address that matches no customer."""

    CREATE = "create"  # a new customer with that identity
    QUEUE = "queue"  # recorded unmatched, waiting in the review queue
    IGNORE = "ignore"  # recorded unmatched, nobody is created


class SourceStatus(StrEnum):
    NEW = "new"
    OK = "ok"
    FAILING = "failing"
    PAUSED = "paused"


BACKOFF_CAP = timedelta(hours=6)


def next_sync_after(*, now: datetime, every: timedelta, failures: int) -> datetime:
    """When a source runs again: on its schedule while it works; after failures, backing
    off 1, 2, 4, 8 ... minutes, at most six hours, so a broken server is not hammered and
    a short outage is soon over."""
    if failures <= 0:
        return now + every
    delay = timedelta(minutes=2 ** min(failures - 1, 16))
    return now + min(delay, BACKOFF_CAP)
