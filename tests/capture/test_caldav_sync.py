"""CalDAV sources against a real radicale: meetings onto every attendee's timeline once,
updates by SEQUENCE, deletions shown cancelled, broken events reported, bad logins
failing the source with a clear error. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from accord.capture.connectors.caldav import CaldavAccount, CaldavError
from accord.capture.models import CaptureProblem, Source
from accord.capture.services import caldav_sync
from accord.capture.services.email import address_rules
from accord.capture.services.meetings import import_calendar
from accord.capture.services.sources import add_source, sync_source
from accord.customers.models import Customer
from accord.interactions.models import Interaction, Participant
from accord.platform.actors import SYSTEM
from accord.platform.errors import AccordError, InvalidInput
from tests.capture import radicale
from tests.capture.radicale import CaldavAccountFixture

radicale_server = radicale.radicale_server
caldav_account = radicale.caldav_account

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "calendar"
NOW = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
KICKOFF = "kickoff-1@accord.example"
WEEKLY = "weekly-sync@example.com"


def ics(name: str) -> str:
    return (FIXTURES / name).read_text()


def add(account: CaldavAccountFixture, name: str = "team-calendar", **settings: Any) -> Source:
    values = {"url": account.server_url, "username": account.username,
              "own_domains": ["accord.example"], "window_days": 30, **settings}
    return add_source(actor=SYSTEM, name=name, kind="caldav", settings=values,
                      secrets={"password": account.password})


def run(source: Source) -> Any:
    """One sync as the worker runs it, at NOW (the fixtures' January 2026)."""
    return caldav_sync.sync(SYSTEM, Source.objects.get(pk=source.pk), now=NOW)


def meetings() -> Any:
    return Interaction.objects.filter(source="calendar", channel="meeting")


def test_meetings_land_on_every_attendee_once_and_a_resync_adds_nothing(
        world: Any, caldav_account: Any) -> None:
    caldav_account.put("kickoff.ics", ics("01-kickoff.ics"))
    caldav_account.put("weekly.ics", ics("02-weekly.ics"))
    source = add(caldav_account)
    report = run(source)
    # the kickoff, and six Mondays of the weekly series (12 Jan is an EXDATE)
    assert (report.captured, report.present, len(report.rejected)) == (7, 0, 0)
    assert report.created_customers == 1  # Grace; Olga is staff, Ada and Niels exist
    kickoff = meetings().get(external_id=KICKOFF)
    assert (kickoff.subject, kickoff.direction) == ("Project kickoff", "outbound")
    assert Participant.objects.filter(interaction=kickoff,
                                      customer=world.alice_customer).exists()
    grace = Customer.objects.get(display_name="Grace Hopper")
    assert Participant.objects.filter(interaction=kickoff, customer=grace).exists()
    assert kickoff.metadata["origin"] == "caldav:team-calendar/Work"
    assert Participant.objects.filter(customer=world.north_customer).count() == 6  # Niels
    first = meetings().get(external_id=f"{WEEKLY}/2026-01-05T10:00:00+00:00")
    assert first.metadata["recurrence_id"] == "2026-01-05T10:00:00+00:00"
    source.refresh_from_db()
    assert source.captured == 7 and caldav_account.calendar_url in source.checkpoint
    assert source.checkpoint[caldav_account.calendar_url]["sync_token"]

    assert run(source).seen == 0  # nothing changed on the server: nothing read
    # Even a full re-read (checkpoint lost) doubles nothing.
    Source.objects.filter(pk=source.pk).update(checkpoint={})
    again = run(source)
    assert (again.captured, again.present) == (0, 7)
    assert meetings().count() == 7 and Customer.objects.filter(
        display_name="Grace Hopper").count() == 1


def test_the_same_meeting_from_a_file_and_from_the_server_is_one_entry(
        world: Any, caldav_account: Any) -> None:
    import_calendar(actor=SYSTEM, path=FIXTURES / "01-kickoff.ics",
                    rules=address_rules(["accord.example"]), now=NOW)
    caldav_account.put("kickoff.ics", ics("03-kickoff-update.ics"))
    report = run(add(caldav_account))
    assert (report.captured, report.updated) == (0, 1)  # the server's copy is newer
    [kickoff] = meetings()
    assert kickoff.subject == "Project kickoff (moved)"


def test_a_higher_sequence_updates_and_a_deletion_shows_cancelled(
        world: Any, caldav_account: Any) -> None:
    caldav_account.put("kickoff.ics", ics("01-kickoff.ics"))
    source = add(caldav_account)
    run(source)
    caldav_account.put("kickoff.ics", ics("03-kickoff-update.ics"))
    updated = run(source)
    assert (updated.captured, updated.updated) == (0, 1)
    [kickoff] = meetings()
    assert kickoff.occurred_at == datetime(2026, 1, 11, 16, tzinfo=UTC)
    assert kickoff.metadata["sequence"] == 1

    caldav_account.delete("kickoff.ics")
    deleted = run(source)
    assert deleted.updated == 1
    kickoff.refresh_from_db()
    assert kickoff.subject == "Cancelled: Project kickoff (moved)"
    assert kickoff.metadata["status"] == "cancelled"
    assert kickoff.metadata["cancelled_because"] == "deleted from the calendar"
    assert kickoff.text == "Moved to Sunday afternoon."  # what it said is kept
    assert kickoff.occurred_at == datetime(2026, 1, 11, 16, tzinfo=UTC)
    assert run(source).seen == 0
    source.refresh_from_db()
    assert source.checkpoint[caldav_account.calendar_url]["events"] == {}


def test_a_cancelled_version_on_the_server_cancels(world: Any, caldav_account: Any) -> None:
    caldav_account.put("kickoff.ics", ics("01-kickoff.ics"))
    source = add(caldav_account)
    run(source)
    caldav_account.put("kickoff.ics", ics("04-kickoff-cancel.ics"))
    assert run(source).updated == 1
    assert meetings().get().metadata["status"] == "cancelled"


def test_deleting_a_series_cancels_each_occurrence_and_an_exdate_one(
        world: Any, caldav_account: Any) -> None:
    caldav_account.put("weekly.ics", ics("02-weekly.ics"))
    source = add(caldav_account)
    assert run(source).captured == 6
    # One more Monday taken out of the series.
    caldav_account.put("weekly.ics", ics("02-weekly.ics").replace(
        "EXDATE;TZID=Europe/London:20260112T100000",
        "EXDATE;TZID=Europe/London:20260112T100000,20260126T100000"))
    report = run(source)
    assert (report.captured, report.updated, report.present) == (0, 1, 5)
    gone = meetings().get(external_id=f"{WEEKLY}/2026-01-26T10:00:00+00:00")
    assert gone.metadata["status"] == "cancelled"
    assert gone.metadata["cancelled_because"] == "no longer in its series"

    caldav_account.delete("weekly.ics")
    assert run(source).updated == 5
    assert set(meetings().values_list("metadata__status", flat=True)) == {"cancelled"}


def test_an_unchanged_series_is_expanded_further_as_time_goes_on(
        world: Any, caldav_account: Any) -> None:
    caldav_account.put("weekly.ics", ics("02-weekly.ics"))
    source = add(caldav_account)
    assert run(source).captured == 6  # Mondays up to 16 Feb (window: 30 days)
    assert caldav_sync.sync(SYSTEM, Source.objects.get(pk=source.pk),
                            now=NOW + timedelta(days=10)).seen == 0  # not due yet
    later = caldav_sync.sync(SYSTEM, Source.objects.get(pk=source.pk),
                             now=NOW + timedelta(days=40))
    # Read again though unchanged: 23 Feb .. 30 Mar are new; 2 .. 16 Feb were there;
    # January, out of the window now, is left alone (not cancelled).
    assert (later.captured, later.present, later.updated) == (6, 3, 0)
    assert meetings().count() == 12
    assert not meetings().filter(metadata__status="cancelled").exists()


def test_a_broken_event_is_reported_on_the_source_and_the_rest_captured(
        world: Any, caldav_account: Any) -> None:
    uid = f"broken-{uuid.uuid4().hex}"
    # Radicale stores it (it is valid iCalendar), but nobody in it has an address.
    caldav_account.put("broken.ics", (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260110T100000Z\r\n"
        "SUMMARY:Nobody\r\nORGANIZER:garbage\r\nATTENDEE:mailto:not an address\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"))
    caldav_account.put("private.ics", (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:dentist-{uuid.uuid4().hex}\r\nDTSTAMP:20260101T000000Z\r\n"
        "DTSTART:20260112T080000Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
    caldav_account.put("kickoff.ics", ics("01-kickoff.ics"))
    source = add(caldav_account)
    report = sync_source(actor=SYSTEM, source_id=source.pk)
    assert report.captured == 1 and report.skipped == 1  # the dentist is nobody's business
    [(item, reason)] = report.rejected
    assert "broken.ics" in item and "No organiser or attendee address" in reason
    problem = CaptureProblem.objects.get(source_id=source.pk)
    assert uid in problem.item and "attendee" in problem.reason
    source.refresh_from_db()
    assert (source.status, source.rejected, source.skipped) == ("ok", 1, 1)
    # Reported once: the broken event is not read again until it changes.
    assert sync_source(actor=SYSTEM, source_id=source.pk).seen == 0


def test_a_sync_broken_off_half_way_resumes_without_doubling(
        world: Any, caldav_account: Any, monkeypatch: Any) -> None:
    for n in range(5):
        caldav_account.put(f"m{n}.ics", ics("01-kickoff.ics").replace(
            KICKOFF, f"m{n}@accord.example"))
    source = add(caldav_account, batch=2)
    real = CaldavAccount._multiget
    calls = []

    def dies_on_the_second_batch(self: Any, calendar: str, hrefs: list[str]) -> Any:
        calls.append(hrefs)
        if len(calls) == 2:
            raise CaldavError("connection lost", field="url")
        return real(self, calendar, hrefs)

    monkeypatch.setattr(CaldavAccount, "_multiget", dies_on_the_second_batch)
    with pytest.raises(CaldavError):
        sync_source(actor=SYSTEM, source_id=source.pk)
    assert meetings().count() == 2  # the first batch committed with its checkpoint
    source.refresh_from_db()
    assert source.status == "failing" and "connection lost" in source.last_error
    monkeypatch.setattr(CaldavAccount, "_multiget", real)
    report = sync_source(actor=SYSTEM, source_id=source.pk)
    assert (report.captured, report.present) == (3, 0)  # the first two are not read again
    assert meetings().count() == 5
    source.refresh_from_db()
    assert (source.status, source.captured) == ("ok", 5)


def test_wrong_password_fails_the_source_with_a_clear_error(world: Any,
                                                            caldav_account: Any) -> None:
    secret = "wrong-secret-4711"
    source = add_source(actor=SYSTEM, name="bad", kind="caldav", settings={
        "url": caldav_account.server_url, "username": caldav_account.username},
        secrets={"password": secret})
    with pytest.raises(AccordError) as failed:
        sync_source(actor=SYSTEM, source_id=source.pk)
    assert failed.value.field == "password"
    source.refresh_from_db()
    assert source.status == "failing" and source.failures == 1
    assert "refused the login" in source.last_error
    assert caldav_account.username in source.last_error
    assert secret not in source.last_error and secret not in str(source.settings)


def test_settings_are_checked(world: Any) -> None:
    def bad(**settings: Any) -> InvalidInput:
        with pytest.raises(InvalidInput) as failed:
            add_source(actor=SYSTEM, name=f"x{uuid.uuid4().hex}", kind="caldav",
                       settings=settings)
        return failed.value

    assert bad(url="").field == "settings.url"
    assert bad(url="http://calendar.example.com/").field == "settings.url"
    assert bad(url="https://u:p@calendar.example.com/").field == "settings.url"
    assert bad(url="https://calendar.example.com/", window_days=0).field == \
        "settings.window_days"
    assert bad(url="https://calendar.example.com/", host="x").field == "settings.host"
    source = add_source(actor=SYSTEM, name="ok", kind="caldav", settings={
        "url": "https://calendar.example.com/dav/", "calendars": "Work, Sales"})
    assert source.settings["calendars"] == ["Work", "Sales"]
    assert source.settings["window_days"] == 365


def test_cli_add_sync_status(world: Any, caldav_account: Any, capsys: Any,
                             monkeypatch: Any) -> None:
    caldav_account.put("kickoff.ics", ics("01-kickoff.ics"))
    monkeypatch.setattr("sys.stdin", io.StringIO(caldav_account.password + "\n"))
    call_command("capture", "add", "caldav", "cli-cal", "--url", caldav_account.server_url,
                 "--username", caldav_account.username, "--password-stdin",
                 "--calendar", "Work", "--own-domain", "accord.example",
                 "--window-days", "400")
    source = Source.objects.get(name="cli-cal")
    assert source.settings["calendars"] == ["Work"] and source.settings["window_days"] == 400
    call_command("capture", "sync", "cli-cal")
    call_command("capture", "status", "cli-cal")
    call_command("capture", "list")
    out = capsys.readouterr().out
    assert "Added caldav source 'cli-cal'" in out and "cli-cal: 1 captured" in out
    assert caldav_account.password not in out
    assert meetings().filter(external_id=KICKOFF).exists()
