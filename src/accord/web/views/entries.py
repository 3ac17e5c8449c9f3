"""Timeline entries ready to print: one pass in Python over a page of interactions.

A template pays per node and per filter call, even compiled Jinja2 (ADR 0007); doing the
per-entry work here (local time, who was on which side, which include renders the
channel) keeps a page of entries to a millisecond or two of rendering."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from accord.interactions.domain import Channel, describe

_CHANNELS = {c.value for c in Channel}
# Which participant roles read as which side of the conversation.
_SENDERS = {"from", "sender", "reply_to", "caller"}
_RECIPIENTS = {"to", "recipient", "callee"}
_COPIED = {"cc"}
_ATTENDEES = {"attendee", "organiser"}
SNIPPET = 240  # characters of text shown before "Show all"
FULL = 6000  # a captured email can be megabytes; the page shows this much of it


@dataclass(frozen=True)
class Entry:
    item: Any  # the Interaction, with participants and attachments prefetched
    day: str | None  # a heading, only where the day changes
    time: str  # "14:41", site time zone
    when: str  # "Monday 23 November 2026, 14:41"
    iso: str
    what: str  # "Email sent"
    template: str  # the channel's compact rendering
    snippet: str = ""  # the start of the text
    full: str = ""  # the text up to FULL characters, only when the snippet cut it
    senders: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)
    attendees: list[str] = field(default_factory=list)
    attachments: list[Any] = field(default_factory=list)
    # Older messages of the same email thread on this page, folded under the newest.
    earlier: list[Entry] = field(default_factory=list)

    @property
    def numbers(self) -> list[str]:
        """Both ends of a call, SMS or fax."""
        return self.senders + self.recipients


def day_label(day: date, today: date) -> str:
    if day == today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    if day.year == today.year:
        return f"{day:%a} {day.day} {day:%b}"
    return f"{day:%a} {day.day} {day:%b %Y}"


def build_entries(items: Iterable[Any], previous_day: date | None) -> tuple[list[Entry],
                                                                          date | None]:
    """Entries for one page, and the last day shown (the next page continues from it
    without repeating its heading)."""
    today = timezone.localdate()
    entries: list[Entry] = []
    threads: dict[str, Entry] = {}  # thread key -> the newest entry of it on this page
    for item in items:
        local = timezone.localtime(item.occurred_at)
        day = local.date()
        sides: dict[str, list[str]] = {"s": [], "r": [], "c": [], "a": []}
        for p in item.participant_list:  # loaded by the selector: no query
            if not p.address:
                continue
            if p.role in _SENDERS:
                sides["s"].append(p.address)
            elif p.role in _RECIPIENTS:
                sides["r"].append(p.address)
            elif p.role in _COPIED:
                sides["c"].append(p.address)
            elif p.role in _ATTENDEES:
                sides["a"].append(p.address)
        text = item.text or ""
        cut = len(text) > SNIPPET
        verb = describe(item.channel, item.direction)
        channel = item.channel if item.channel in _CHANNELS else "generic"
        entry = Entry(
            item=item,
            day=day_label(day, today) if day != previous_day else None,
            time=f"{local:%H:%M}",
            when=f"{local:%A} {local.day} {local:%B %Y, %H:%M}",
            iso=local.isoformat(),
            what=verb[:1].upper() + verb[1:],
            template=f"web/timeline/channels/{channel}.html",
            snippet=text[:SNIPPET - 1].rstrip() + "…" if cut else text,
            full=text[:FULL] if cut else "",
            senders=sides["s"], recipients=sides["r"], copied=sides["c"],
            attendees=sides["a"], attachments=list(item.attachment_list),
        )
        head = threads.get(item.thread_key) if channel == "email" and item.thread_key else None
        if head is not None:
            head.earlier.append(entry)  # the thread collapses under its newest message
            continue
        if channel == "email" and item.thread_key:
            threads[item.thread_key] = entry
        entries.append(entry)
        previous_day = day
    return entries, previous_day
