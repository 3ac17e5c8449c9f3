"""What a capture source is and when it runs next: pure rules, time passed in."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class SourceKind(StrEnum):
    IMAP = "imap"  # a mailbox: INBOX and Sent by default
    CALDAV = "caldav"  # calendars on a CalDAV server
    TWILIO = "twilio"  # a Twilio account posting voice and SMS webhooks
    DOCUMENTS = "documents"  # a watched folder of scanned letters and faxes
    WEBSITE = "website"  # a site sending page views from Accord's script


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
