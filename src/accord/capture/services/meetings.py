"""`accord import ics PATH`: meetings from iCalendar files onto the timeline of everyone
invited, once per occurrence; a later version (higher SEQUENCE) or a cancellation
updates the stored meeting instead of adding another."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction

from accord.capture.domain.addresses import AddressRules, is_own
from accord.capture.domain.meetings import MeetingOccurrence, parse_calendar
from accord.capture.services.email import resolve_party
from accord.capture.services.reports import CaptureReport, record_problem
from accord.interactions import selectors as interaction_selectors
from accord.interactions import services as interaction_services
from accord.platform import clock
from accord.platform.errors import InvalidInput

CALENDAR_SOURCE = "calendar"  # one (source, external_id) space for every calendar file
CANCELLED_PREFIX = "Cancelled: "


@dataclass
class CalendarReport(CaptureReport):
    updated: int = 0  # stored meetings moved, renamed or cancelled by a later version

    @property
    def seen(self) -> int:
        return super().seen + self.updated


def calendar_files(path: Path) -> Iterator[Path]:
    """``path`` itself, or every .ics file under it, in a stable order."""
    if path.is_dir():
        yield from sorted(p for p in path.rglob("*") if p.is_file()
                          and p.suffix.lower() in (".ics", ".ical", ".ifb", ".icalendar"))
    else:
        yield path


def import_calendar(*, actor: Any, path: Path, rules: AddressRules, unknown: str = "create",
                    window_days: int = 365, now: datetime | None = None,
                    progress: Callable[[int], None] = lambda _: None) -> CaptureReport:
    """Every meeting in the .ics file(s) at ``path``; recurring series are expanded
    ``window_days`` either side of ``now``. Re-running it adds nothing twice."""
    moment = clock.ensure_aware(now) if now is not None else clock.now()
    window = timedelta(days=window_days)
    report = CalendarReport()
    for file in calendar_files(path):
        origin = f"file:{file}"
        try:
            raw = file.read_bytes()
        except OSError as exc:
            report.reject(source_id=None, origin=origin, item=str(file),
                          reason=f"cannot read: {exc.strerror or exc}")
            continue
        meetings, problems = parse_calendar(raw, window_start=moment - window,
                                            window_end=moment + window)
        for problem in problems:
            report.reject(source_id=None, origin=origin, item=str(file), reason=problem)
        for meeting in meetings:
            _capture_one(report, actor=actor, meeting=meeting, origin=origin, rules=rules,
                         unknown=unknown)
            progress(1)
    return report


def _capture_one(report: CalendarReport, *, actor: Any, meeting: MeetingOccurrence,
                 origin: str, rules: AddressRules, unknown: str) -> None:
    item = f"{meeting.external_id}"[:500]

    def capture() -> tuple[str, int, list[str]]:
        with transaction.atomic():
            return capture_meeting(actor=actor, meeting=meeting, origin=origin, rules=rules,
                                   unknown=unknown)

    done = report.guarded(capture, source_id=None, origin=origin, item=item)
    if done is None:
        return
    status, created, notes = done
    if status == "captured":
        report.captured += 1
        report.created_customers += created
        report.captured_in_part(source_id=None, origin=origin, item=item, problems=notes)
    elif status == "updated":
        report.updated += 1
        if notes:
            record_problem(source_id=None, origin=origin, item=item,
                           reason="; ".join(notes), partial=True)
    else:
        report.present += 1


def capture_meeting(*, actor: Any, meeting: MeetingOccurrence, origin: str,
                    rules: AddressRules, unknown: str = "create") -> tuple[str, int, list[str]]:
    """Record one meeting occurrence, or bring the stored one up to date. Returns the
    status ("captured", "updated", "present"), customers created and notes."""
    external_id = meeting.external_id[:255]
    stored = interaction_selectors.recorded(CALENDAR_SOURCE, external_id) \
        .values("id", "metadata", "subject", "text").first()
    notes = list(meeting.problems)
    if stored is not None:
        old = stored["metadata"] if isinstance(stored["metadata"], dict) else {}
        newer = meeting.sequence > _int(old.get("sequence"))
        cancels = (meeting.cancelled and old.get("status") != "cancelled"
                   and meeting.sequence >= _int(old.get("sequence")))
        if not (newer or cancels):
            return "present", 0, []
        # A cancellation usually says no more than the UID: keep what the meeting said.
        summary = meeting.summary or str(stored["subject"]).removeprefix(CANCELLED_PREFIX)
        interaction_services.update_interaction_content(
            actor=actor, interaction_id=stored["id"], subject=_subject(meeting, summary),
            text=meeting.description or str(stored["text"]), occurred_at=meeting.start,
            metadata={**{k: v for k, v in old.items() if k != "problems"},
                      **_metadata(meeting, origin, notes)})
        return "updated", 0, notes
    participants: list[interaction_services.ParticipantInput] = []
    created: list[int] = []
    seen: set[str] = set()
    parties = [("organiser", *meeting.organiser)] if meeting.organiser else []
    parties += [("attendee", name, address) for name, address, _ in meeting.attendees]
    for role, name, address in parties:
        party = resolve_party(actor=actor, role=role, name=name, address=address,
                              rules=rules, unknown=unknown, seen=seen,
                              source=CALENDAR_SOURCE)
        if party.problem:
            notes.append(party.problem)
        if party.created_customer is not None:
            created.append(party.created_customer)
        if party.participant is not None:
            participants.append(party.participant)
    if not participants:
        raise InvalidInput("No organiser or attendee address could be read.",
                           field="attendees")
    own_organiser = meeting.organiser is not None and is_own(meeting.organiser[1], rules)
    interaction_services.record_interaction(
        actor=actor, channel="meeting", direction="outbound" if own_organiser else "inbound",
        occurred_at=meeting.start, participants=participants,
        subject=_subject(meeting, meeting.summary), text=meeting.description,
        source=CALENDAR_SOURCE, external_id=external_id,
        metadata=_metadata(meeting, origin, notes))
    return "captured", len(created), notes


def _subject(meeting: MeetingOccurrence, summary: str) -> str:
    summary = summary or "Meeting"
    if meeting.cancelled and not summary.startswith(CANCELLED_PREFIX):
        summary = CANCELLED_PREFIX + summary
    return summary[:500]


def _metadata(meeting: MeetingOccurrence, origin: str, notes: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "uid": meeting.uid, "sequence": meeting.sequence,
        "recurrence_id": meeting.recurrence_id, "location": meeting.location,
        "start": meeting.start.isoformat(), "end": meeting.end.isoformat(),
        "all_day": meeting.all_day,
        "status": "cancelled" if meeting.cancelled else "confirmed",
        "organiser": ({"name": meeting.organiser[0], "address": meeting.organiser[1]}
                      if meeting.organiser else None),
        "attendees": [{"name": name, "address": address, "partstat": partstat}
                      for name, address, partstat in meeting.attendees],
        "origin": origin,
    }
    if notes:
        data["problems"] = notes
    return data


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
