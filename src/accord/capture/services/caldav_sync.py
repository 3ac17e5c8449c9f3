"""CalDAV sources: settings, and a sync of the user's calendars (or the configured ones)
by sync-token or etags, each batch of events committed with the calendar's checkpoint.

Events go through the same capture path as `accord import ics` (``capture_meeting``),
under the same (source, external id): the UID, or "UID/occurrence start" for each
occurrence of a series. A UID names one meeting wherever it is found, so the invitation
imported from a file and the copy on the calendar server are one timeline entry, and
SEQUENCE decides which version wins whichever arrives first.

An event deleted from the server cancels its meetings on the timeline (they stay, marked
cancelled, like an explicit cancellation). An occurrence that drops out of a series
(an EXDATE added, the rule shortened) is cancelled the same way. To know what a deleted
resource held, the checkpoint keeps, per resource, its UID and the occurrences captured
from it. A recurring series is read again (changed or not) once the expansion window has
moved a month past where it stood, so its later occurrences arrive too.

Events with neither organiser nor attendees (a private appointment) are skipped, not
reported: a calendar is full of them, and they involve no customer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from django.db import transaction

from accord.capture.connectors.caldav import (
    CaldavAccount,
    CaldavSettings,
    CalendarBatch,
    CalendarInfo,
    CalendarObject,
    CalendarState,
)
from accord.capture.domain.addresses import AddressRules
from accord.capture.domain.meetings import parse_calendar
from accord.capture.models import Source
from accord.capture.services.email import address_rules
from accord.capture.services.imap_sync import as_list, save_progress
from accord.capture.services.meetings import (
    CALENDAR_SOURCE,
    CANCELLED_PREFIX,
    CalendarReport,
    capture_meeting,
)
from accord.capture.services.reports import record_problem
from accord.interactions import selectors as interaction_selectors
from accord.interactions import services as interaction_services
from accord.platform import clock, sealed
from accord.platform.errors import InvalidInput

# The settings a CalDAV source accepts (never secrets: those go through ``secrets``).
CALDAV_SETTINGS = {"url", "username", "calendars", "own_domains", "own_addresses",
                   "window_days", "batch"}
CALDAV_SECRETS = {"password"}
T = TypeVar("T")
# A recurring series is expanded again once the window has moved on this far.
EXTEND_AFTER = timedelta(days=30)
DEFAULT_WINDOW_DAYS = 365  # recurring series are expanded this far either side of now


def clean_settings(values: dict[str, Any], secrets: dict[str, Any]) -> dict[str, Any]:
    """The settings to store for a CalDAV source, or InvalidInput naming the field."""
    unknown = set(values) - CALDAV_SETTINGS
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(f"Unknown CalDAV setting {name!r}.", field=f"settings.{name}")
    if set(secrets) - CALDAV_SECRETS:
        raise InvalidInput("CalDAV sources keep only a password secret.", field="secrets")
    url = str(values.get("url") or "").strip()
    if not url:
        raise InvalidInput("A CalDAV source needs the server's URL.", field="settings.url")
    try:
        window = values.get("window_days")
        window_days = DEFAULT_WINDOW_DAYS if window in (None, "") else int(window)
        batch = int(values.get("batch") or 100)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("window_days and batch must be numbers.",
                           field="settings.window_days") from exc
    if not 1 <= window_days <= 3650:
        raise InvalidInput("window_days must be between 1 and 3650.",
                           field="settings.window_days")
    cleaned = {"url": url, "username": str(values.get("username") or ""),
               "calendars": as_list(values.get("calendars"), "calendars"),
               "own_domains": as_list(values.get("own_domains"), "own_domains"),
               "own_addresses": as_list(values.get("own_addresses"), "own_addresses"),
               "window_days": window_days, "batch": max(1, min(batch, 500))}
    try:
        CaldavSettings(url=url)  # refuses http off loopback, credentials in the URL
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="settings.url") from None
    return cleaned


def where(source: Source) -> str:
    """The server, for messages about it."""
    return str(source.settings.get("url", ""))


def _caldav_settings(source: Source) -> CaldavSettings:
    values = source.settings
    secrets = sealed.unseal(source.sealed_secrets, field="password")
    return CaldavSettings(url=values["url"], username=values.get("username", ""),
                          password=str(secrets.get("password", "")),
                          calendars=tuple(values.get("calendars") or ()),
                          batch=int(values.get("batch") or 100))


def sync(actor: Any, source: Source, *, now: datetime | None = None) -> CalendarReport:
    """Read what changed in each calendar since its checkpoint; see the module's
    docstring. Raises CaldavError when the server cannot be used at all."""
    values = source.settings
    rules = address_rules(values.get("own_domains", []), values.get("own_addresses", []))
    moment = clock.ensure_aware(now) if now is not None else clock.now()
    window = timedelta(days=int(values.get("window_days") or DEFAULT_WINDOW_DAYS))
    report = CalendarReport()
    with CaldavAccount(_caldav_settings(source)) as account:
        for calendar in account.calendars_to_sync():
            saved = (source.checkpoint or {}).get(calendar.url)
            state = CalendarState.from_json(saved)
            tracked = dict(saved.get("events") or {}) if isinstance(saved, dict) else {}
            run = _CalendarRun(actor=actor, source=source, calendar=calendar, rules=rules,
                               window=(moment - window, moment + window), tracked=tracked)
            for batch in account.fetch_changes(calendar.url, state,
                                               refetch=run.series_to_extend()):
                part = CalendarReport()
                with transaction.atomic():
                    run.apply(part, batch)
                    source.checkpoint = {**(source.checkpoint or {}), calendar.url: {
                        **batch.state.as_json(), "events": run.tracked}}
                    save_progress(source, part)
                report.add(part)
                report.updated += part.updated
    return report


class _CalendarRun:
    """One calendar's sync: captures what a batch brings, cancels what it takes away,
    and keeps ``tracked`` (resource path -> its UID and occurrences) up to date."""

    def __init__(self, *, actor: Any, source: Source, calendar: CalendarInfo,
                 rules: AddressRules, window: tuple[datetime, datetime],
                 tracked: dict[str, Any]) -> None:
        self.actor, self.source, self.rules, self.window = actor, source, rules, window
        self.tracked = tracked
        self.origin = f"caldav:{source.name}/{calendar.name or calendar.url}"[:300]

    def series_to_extend(self) -> list[str]:
        """Recurring series last expanded to well before the window's end now: read
        again so that their later occurrences come onto the timeline (a series that
        never changes would otherwise stop where the window stood at its last edit)."""
        due = self.window[1] - EXTEND_AFTER
        return [href for href, entry in self.tracked.items() if isinstance(entry, dict)
                and (until := _moment(entry.get("until"))) is not None and until < due]

    def apply(self, part: CalendarReport, batch: CalendarBatch) -> None:
        for obj in batch.changed:
            self._capture_object(part, obj)
        for href in batch.deleted:
            entry = self.tracked.pop(href, None)
            if isinstance(entry, dict):
                for external_id in entry.get("ids") or {}:
                    self._cancel(part, external_id, href, "deleted from the calendar")
        for href, reason in batch.failed:
            part.reject(source_id=self.source.pk, origin=self.origin, item=href,
                        reason=f"not read this time, tried again next sync: {reason}")

    def _capture_object(self, part: CalendarReport, obj: CalendarObject) -> None:
        meetings, problems = parse_calendar(obj.raw, window_start=self.window[0],
                                            window_end=self.window[1])
        for problem in problems:
            part.reject(source_id=self.source.pk, origin=self.origin, item=obj.href,
                        reason=problem)
        if not meetings:
            if not problems:
                part.skipped += 1  # a task, a journal, or a series with nothing in the window
            return
        seen: dict[str, str] = {}
        for meeting in meetings:
            external_id = meeting.external_id[:255]
            seen[external_id] = meeting.start.isoformat()
            if meeting.organiser is None and not meeting.attendees:
                part.skipped += 1  # a private appointment: nobody to put it in front of
                continue
            item = f"{obj.href} {external_id}"[:500]
            done = part.guarded(self._guarded(partial(
                capture_meeting, actor=self.actor, meeting=meeting, origin=self.origin,
                rules=self.rules, unknown=self.source.unknown_senders)),
                source_id=self.source.pk, origin=self.origin, item=item)
            if done is None:
                continue
            status, created, notes = done
            if status == "captured":
                part.captured += 1
                part.created_customers += created
                part.captured_in_part(source_id=self.source.pk, origin=self.origin,
                                      item=item, problems=notes)
            elif status == "updated":
                part.updated += 1
                if notes:
                    record_problem(source_id=self.source.pk, origin=self.origin, item=item,
                                   reason="; ".join(notes), partial=True)
            else:
                part.present += 1
        self._drop_vanished(part, obj.href, seen)
        entry: dict[str, Any] = {"uid": meetings[0].uid, "ids": seen}
        if any(m.recurrence_id for m in meetings):
            entry["until"] = self.window[1].isoformat()
        self.tracked[obj.href] = entry

    def _drop_vanished(self, part: CalendarReport, href: str, seen: dict[str, str]) -> None:
        """Cancel the occurrences this resource held before and holds no more, if they
        fall in the window (outside it they were merely expanded no further)."""
        before = self.tracked.get(href)
        if not isinstance(before, dict):
            return
        for external_id, start in (before.get("ids") or {}).items():
            if external_id in seen:
                continue
            moment = _moment(start)
            if moment is not None and self.window[0] <= moment <= self.window[1]:
                self._cancel(part, external_id, href, "no longer in its series")

    def _cancel(self, part: CalendarReport, external_id: str, href: str, why: str) -> None:
        item = f"{href} {external_id}"[:500]
        done = part.guarded(self._guarded(partial(
            cancel_meeting, actor=self.actor, external_id=external_id, origin=self.origin,
            why=why)), source_id=self.source.pk, origin=self.origin, item=item)
        if done:
            part.updated += 1

    @staticmethod
    def _guarded(capture: Callable[[], T]) -> Callable[[], T]:
        """Run one item in a savepoint, so a failure undoes only that item."""
        def run() -> T:
            with transaction.atomic():
                return capture()
        return run


def cancel_meeting(*, actor: Any, external_id: str, origin: str, why: str) -> bool:
    """Mark the stored meeting cancelled (keeping what it said); False when there is
    none or it is cancelled already."""
    stored = interaction_selectors.recorded(CALENDAR_SOURCE, external_id) \
        .values("id", "metadata", "subject", "text", "occurred_at").first()
    if stored is None:
        return False
    metadata = dict(stored["metadata"]) if isinstance(stored["metadata"], dict) else {}
    if metadata.get("status") == "cancelled":
        return False
    subject = str(stored["subject"]) or "Meeting"
    if not subject.startswith(CANCELLED_PREFIX):
        subject = CANCELLED_PREFIX + subject
    metadata.update(status="cancelled", cancelled_because=why, origin=origin)
    interaction_services.update_interaction_content(
        actor=actor, interaction_id=stored["id"], subject=subject[:500],
        text=str(stored["text"]), occurred_at=stored["occurred_at"], metadata=metadata)
    return True


def _moment(value: Any) -> datetime | None:
    """An aware datetime from the ISO text kept in the checkpoint; None if unreadable."""
    try:
        return clock.ensure_aware(datetime.fromisoformat(str(value)))
    except (TypeError, ValueError):
        return None
