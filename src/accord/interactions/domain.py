"""Pure rules of the timeline: channels, directions, roles, and the 24-hour banner."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from accord.platform.errors import InvalidInput


class Channel(enum.StrEnum):
    EMAIL = "email"
    MEETING = "meeting"
    CALL = "call"
    SMS = "sms"
    LETTER = "letter"
    FAX = "fax"
    WEB_VISIT = "web_visit"
    CAMPAIGN_RESPONSE = "campaign_response"
    NOTE = "note"
    CHAT = "chat"
    SURVEY = "survey"


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


class Role(enum.StrEnum):
    FROM = "from"
    TO = "to"
    CC = "cc"
    BCC = "bcc"
    REPLY_TO = "reply_to"
    ATTENDEE = "attendee"
    ORGANISER = "organiser"
    CALLER = "caller"
    CALLEE = "callee"
    SENDER = "sender"
    RECIPIENT = "recipient"
    VISITOR = "visitor"
    RESPONDENT = "respondent"
    SUBJECT = "subject"  # the customer a note or letter is about


def parse_enum(enum_cls: type[enum.StrEnum], raw: str, *, field: str) -> str:
    try:
        return enum_cls(raw).value
    except ValueError as exc:
        allowed = ", ".join(m.value for m in enum_cls)
        raise InvalidInput(f"{raw!r} is not one of: {allowed}.", field=field) from exc


# How the banner and compact timeline rows speak of each channel and direction.
_VERBS: dict[tuple[str, str], str] = {
    ("email", "inbound"): "email received",
    ("email", "outbound"): "email sent",
    ("sms", "inbound"): "SMS received",
    ("sms", "outbound"): "SMS sent",
    ("call", "inbound"): "call received",
    ("call", "outbound"): "call made",
    ("letter", "inbound"): "letter received",
    ("letter", "outbound"): "letter sent",
    ("fax", "inbound"): "fax received",
    ("fax", "outbound"): "fax sent",
    ("chat", "inbound"): "chat started",
    ("web_visit", "inbound"): "website visit",
    ("campaign_response", "inbound"): "campaign response",
    ("survey", "inbound"): "survey answered",
}


def describe(channel: str, direction: str) -> str:
    """'email sent', 'call received', 'meeting' ..."""
    verb = _VERBS.get((channel, direction))
    if verb:
        return verb
    return Channel(channel).value.replace("_", " ") if channel in Channel.__members__.values() \
        else channel


@dataclass(frozen=True)
class BannerItem:
    text: str  # e.g. "email sent 09:12"
    channel: str
    occurred_at: datetime


def recent_banner(events: Iterable[tuple[str, str, datetime]], *, now: datetime,
                  tz: tzinfo, hours: int = 24) -> list[BannerItem]:
    """Everything in the last ``hours`` across channels, oldest first, for whoever picks
    up the phone: [("email", "outbound", t), ...] -> ["email sent 09:12", ...]."""
    since = now - timedelta(hours=hours)
    items = [
        BannerItem(f"{describe(ch, d)} {at.astimezone(tz):%H:%M}", ch, at)
        for ch, d, at in events
        if since <= at <= now
    ]
    return sorted(items, key=lambda item: item.occurred_at)
