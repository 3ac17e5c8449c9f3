"""Meetings out of an iCalendar file: each VEVENT (each occurrence of a recurring one,
within a window) as a plain value. Pure: broken fields are reported, never raised."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import icalendar
import recurring_ical_events

MAX_RECURRING = 5_000  # occurrences of one series kept: a runaway RRULE stops here


@dataclass(frozen=True)
class MeetingOccurrence:
    uid: str
    external_id: str  # uid, or "uid/occurrence start" for a recurring series
    recurrence_id: str  # ISO start of the occurrence in its series, "" when not recurring
    sequence: int
    summary: str
    description: str
    location: str
    start: datetime  # aware, UTC
    end: datetime
    organiser: tuple[str, str] | None  # (name, address)
    attendees: tuple[tuple[str, str, str], ...]  # (name, address, partstat)
    cancelled: bool
    all_day: bool = False
    problems: tuple[str, ...] = ()  # fields that could not be read; the meeting stands


def parse_calendar(raw: bytes, *, window_start: datetime,
                   window_end: datetime) -> tuple[list[MeetingOccurrence], list[str]]:
    """Every meeting in ``raw`` (one or more VCALENDARs) and the events that had to be
    skipped, with why (a meeting kept with an unreadable field lists it in ``problems``).
    A recurring series is expanded between ``window_start`` and ``window_end``; a
    single meeting is kept whenever it took place."""
    try:
        calendars = icalendar.Calendar.from_ical(raw, multiple=True)
    except Exception as exc:  # icalendar raises ValueError and friends on garbage
        return [], [f"not a calendar: {exc}"[:300]]
    meetings: list[MeetingOccurrence] = []
    problems: list[str] = []
    for calendar in calendars:
        method_cancel = str(calendar.get("METHOD", "")).upper() == "CANCEL"
        series: dict[str, list[Any]] = {}
        singles: list[Any] = []
        for event in calendar.walk("VEVENT"):
            uid = str(event.get("UID", "")).strip()
            label = f"event {uid!r}" if uid else f"event {str(event.get('SUMMARY', ''))!r}"
            if not uid:
                problems.append(f"{label}: no UID, skipped")
                continue
            if _moment(event, "DTSTART") is None:
                problems.append(f"{label}: no readable DTSTART, skipped")
                continue
            if "RRULE" in event or "RDATE" in event or "RECURRENCE-ID" in event:
                series.setdefault(uid, []).append(event)
            else:
                singles.append(event)
        for event in singles:
            meetings.append(_occurrence(event, method_cancel, recurring=False))
        for uid, events in series.items():
            meetings += _expand(uid, events, calendar, method_cancel, window_start,
                                window_end, problems)
    return meetings, problems


def _expand(uid: str, events: list[Any], calendar: Any, method_cancel: bool,
            window_start: datetime, window_end: datetime,
            problems: list[str]) -> list[MeetingOccurrence]:
    if not any("RRULE" in e or "RDATE" in e for e in events):
        # Only overrides of a series this file does not hold: each stands alone.
        return [_occurrence(e, method_cancel, recurring=True) for e in events]
    one = icalendar.Calendar()
    for timezone in calendar.walk("VTIMEZONE"):
        one.add_component(timezone)
    for event in events:
        one.add_component(event)
    found: list[MeetingOccurrence] = []
    try:
        for event in recurring_ical_events.of(one).between(window_start, window_end):
            found.append(_occurrence(event, method_cancel, recurring=True))
            if len(found) >= MAX_RECURRING:
                problems.append(f"event {uid!r}: more than {MAX_RECURRING} occurrences, "
                                "the rest left out")
                break
    except Exception as exc:  # a rule the expander cannot follow
        problems.append(f"event {uid!r}: recurrence could not be expanded: {exc}"[:300])
    return found


def _occurrence(event: Any, method_cancel: bool, *, recurring: bool) -> MeetingOccurrence:
    uid = str(event.get("UID", "")).strip()
    start = _moment(event, "DTSTART")
    assert start is not None  # checked by the caller; recurring_ical_events keeps it
    end = _moment(event, "DTEND")
    if end is None or end < start:
        end = start + _duration(event)
    recurrence_id = ""
    if recurring:
        original = _moment(event, "RECURRENCE-ID")
        recurrence_id = (original or start).isoformat()
    problems = tuple(f"{name}: {reason}" for name, reason in getattr(event, "errors", ()))
    organiser = None
    if "ORGANIZER" in event:
        prop = event["ORGANIZER"]
        organiser = (_name(prop), _address(prop))
    return MeetingOccurrence(
        uid=uid, external_id=f"{uid}/{recurrence_id}" if recurring else uid,
        recurrence_id=recurrence_id, sequence=_int(event.get("SEQUENCE")),
        summary=_text(event.get("SUMMARY")), description=_text(event.get("DESCRIPTION")),
        location=_text(event.get("LOCATION")), start=start, end=end, organiser=organiser,
        attendees=tuple((_name(a), _address(a), str(a.params.get("PARTSTAT", "")).upper()
                         or "NEEDS-ACTION") for a in _many(event.get("ATTENDEE"))),
        cancelled=method_cancel or str(event.get("STATUS", "")).upper() == "CANCELLED",
        all_day=_is_date(event, "DTSTART"), problems=problems)


def _moment(event: Any, name: str) -> datetime | None:
    """The property as an aware UTC datetime (a date is its midnight, a floating time is
    read as UTC); None when missing or unreadable."""
    if name not in event:
        return None
    try:
        value = event.decoded(name)
    except Exception:
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=UTC)
    return None


def _is_date(event: Any, name: str) -> bool:
    try:
        value = event.decoded(name)
    except Exception:
        return False
    return isinstance(value, date) and not isinstance(value, datetime)


def _duration(event: Any) -> timedelta:
    try:
        value = event.decoded("DURATION") if "DURATION" in event else None
    except Exception:
        value = None
    if isinstance(value, timedelta) and value >= timedelta(0):
        return value
    return timedelta(days=1) if _is_date(event, "DTSTART") else timedelta(0)


def _many(value: Any) -> Iterable[Any]:
    if value is None:
        return ()
    return value if isinstance(value, list) else (value,)


def _address(prop: Any) -> str:
    value = str(prop).strip()
    if value[:7].lower() == "mailto:":
        value = value[7:]
    return value.strip()


def _name(prop: Any) -> str:
    params = getattr(prop, "params", None)
    return str(params.get("CN", "")).strip().strip('"') if params is not None else ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):  # a repeated property: keep them all
        return "\n".join(str(v) for v in value).strip()
    return str(value).strip()


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
