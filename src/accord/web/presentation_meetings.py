"""A meeting as the Customer View shows it: when (a time range in the site's zone),
where, whether it was cancelled or is one occurrence of a series, and who took part:
the organiser and each attendee with their answer, customers marked.

Which attendee is which customer: the meeting's participant rows say which customers
took part, and carry the address when the match came from it; for customers recorded
without one (capture matched them before recording), one identity lookup per meeting
finds which address is theirs. Only customers who are participants are ever marked."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from accord.customers import selectors as customer_selectors
from accord.customers.domain.identities import normalise_identity
from accord.customers.domain.kinds import IdentityKind
from accord.platform.errors import InvalidInput

CANCELLED_PREFIX = "Cancelled: "  # what capture puts before a cancelled meeting's subject
DASH = "\u2013"  # an en dash between the ends of a range
SHOWN = 12  # people listed before "+N more"
ANSWERS = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "maybe",
           "DELEGATED": "delegated"}  # NEEDS-ACTION: no answer yet, nothing shown


@dataclass(frozen=True)
class MeetingPerson:
    label: str  # the name, else the address
    address: str
    organiser: bool
    answer: str  # "accepted", "declined", "maybe", "delegated" or ""
    customer: bool


@dataclass(frozen=True)
class MeetingView:
    title: str
    cancelled: bool
    recurring: bool
    when: str  # "Mon 5 Jan 2026, 10:00-10:30" (an en dash); "" when the metadata has no times
    location: str
    length: str  # for meetings recorded with a duration only (demo data, other sources)
    people: list[MeetingPerson]
    more: int  # people beyond SHOWN


def meeting_view(item: Any) -> MeetingView:
    """Everything meeting.html prints, from the interaction and its participants (already
    loaded by the timeline selector); tolerates metadata of any shape."""
    data = item.metadata if isinstance(getattr(item, "metadata", None), dict) else {}
    cancelled = data.get("status") == "cancelled"
    title = str(item.subject or "")
    if cancelled:
        title = title.removeprefix(CANCELLED_PREFIX)
    people = _people(item, data)
    return MeetingView(
        title=title or "Meeting", cancelled=cancelled, recurring=bool(data.get("recurrence_id")),
        when=time_range(data.get("start"), data.get("end"), bool(data.get("all_day"))),
        location=_text(data.get("location")), length=_length(data), people=people[:SHOWN],
        more=max(0, len(people) - SHOWN))


def time_range(start: Any, end: Any, all_day: bool = False) -> str:
    """'Mon 5 Jan 2026, 10:00-10:30' (an en dash) in the site's time zone; a meeting
    over midnight names both days; an all-day one says so (its end is exclusive)."""
    begin, finish = _moment(start), _moment(end)
    if begin is None:
        return ""
    if all_day:
        first = begin.date()
        last = (finish - timedelta(days=1)).date() if finish and finish > begin else first
        days = _day(first) if last == first else f"{_day(first)} {DASH} {_day(last)}"
        return f"{days}, all day"
    begin = timezone.localtime(begin)
    text = f"{_day(begin.date())}, {begin:%H:%M}"
    if finish is None or finish <= begin:
        return text
    finish = timezone.localtime(finish)
    if finish.date() == begin.date():
        return f"{text}{DASH}{finish:%H:%M}"
    return f"{text} {DASH} {_day(finish.date())}, {finish:%H:%M}"


def _day(day: Any) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _people(item: Any, data: dict[str, Any]) -> list[MeetingPerson]:
    listed: list[tuple[str, str, bool, str]] = []  # (name, address, organiser, partstat)
    organiser = data.get("organiser")
    if isinstance(organiser, dict) and (organiser.get("address") or organiser.get("name")):
        listed.append((_text(organiser.get("name")), _text(organiser.get("address")), True,
                       ""))
    attendees = data.get("attendees")
    for a in attendees if isinstance(attendees, list) else [attendees] if attendees else []:
        if isinstance(a, dict):
            listed.append((_text(a.get("name") or a.get("label")),
                           _text(a.get("address") or a.get("email")), False,
                           _text(a.get("partstat")).upper()))
        else:
            listed.append((_text(a), "", False, ""))
    participants = list(getattr(item, "participant_list", None) or [])
    if not listed:  # nothing in the metadata: the participants' addresses
        listed = [(p.address, p.address, p.role == "organiser", "") for p in participants
                  if p.address]
    customers = _customer_addresses(participants, [a for _, a, _, _ in listed if a])
    people: list[MeetingPerson] = []
    seen: set[tuple[str, bool]] = set()
    for name, address, is_organiser, partstat in listed:
        key = (address.lower() or name, is_organiser)
        if key in seen:
            continue
        seen.add(key)
        # An organiser who is also listed as attendee is shown once, as organiser, with
        # the answer the attendee entry gives.
        if not is_organiser and address and (address.lower(), True) in seen:
            people = [replace(p, answer=p.answer or ANSWERS.get(partstat, ""))
                      if p.organiser and p.address.lower() == address.lower() else p
                      for p in people]
            continue
        people.append(MeetingPerson(label=name or address, address=address,
                                    organiser=is_organiser, answer=ANSWERS.get(partstat, ""),
                                    customer=address.lower() in customers))
    return people


def _customer_addresses(participants: list[Any], addresses: list[str]) -> set[str]:
    """The addresses (lowercased) that belong to customers taking part."""
    taking_part = {p.customer_id for p in participants if p.customer_id}
    if not taking_part:
        return set()
    found = {p.address.lower() for p in participants if p.customer_id and p.address}
    unplaced = taking_part - {p.customer_id for p in participants
                              if p.customer_id and p.address}
    wanted = [a for a in addresses if a.lower() not in found]
    if not unplaced or not wanted:
        return found
    identities = {}
    for address in wanted:
        try:
            identities[address.lower()] = normalise_identity(
                IdentityKind.EMAIL, address, default_region=settings.DEFAULT_PHONE_REGION)
        except InvalidInput:
            continue
    owners = customer_selectors.find_by_identities(identities.values())
    for address, identity in identities.items():
        if owners.get((identity.kind.value, identity.value)) in unplaced:
            found.add(address)
    return found


def _length(data: dict[str, Any]) -> str:
    if data.get("start"):
        return ""  # the time range says it
    for key, unit in (("duration_seconds", 1), ("duration_minutes", 60)):
        try:
            seconds = int(float(data[key])) * unit
        except (KeyError, TypeError, ValueError):
            continue
        hours, minutes = divmod(seconds // 60, 60)
        if hours:
            return f"{hours}h {minutes}m" if minutes else f"{hours}h"
        return f"{minutes} min" if minutes else f"{seconds}s"
    return ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        for key in ("name", "title", "label", "address"):
            if value.get(key):
                return str(value[key]).strip()
    return str(value).strip()
