"""`accord import ics`: meetings onto the timeline of everyone invited, once; later
versions and cancellations update the stored meeting."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from accord.capture.domain.meetings import parse_calendar
from accord.capture.models import CaptureProblem
from accord.capture.services.email import address_rules
from accord.capture.services.meetings import import_calendar
from accord.customers.models import Customer, Identity
from accord.interactions.models import Interaction, Participant
from accord.platform.actors import SYSTEM
from accord.platform.audit import AuditEntry

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "calendar"
NOW = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
KICKOFF = "kickoff-1@accord.example"


def _import(path: Path, **kw: Any) -> Any:
    kw.setdefault("now", NOW)
    return import_calendar(actor=SYSTEM, path=path, rules=address_rules(["accord.example"]),
                           **kw)


def _fixture(name: str) -> Path:
    return FIXTURES / name


def test_parse_single_meeting_strips_mailto_and_keeps_answers() -> None:
    meetings, problems = parse_calendar(
        _fixture("01-kickoff.ics").read_bytes(),
        window_start=NOW - timedelta(days=30), window_end=NOW + timedelta(days=30))
    assert problems == []
    [m] = meetings
    assert (m.uid, m.external_id, m.recurrence_id, m.sequence) == (KICKOFF, KICKOFF, "", 0)
    assert m.start == datetime(2026, 1, 10, 14, tzinfo=UTC) and m.start.tzinfo is UTC
    assert m.end == datetime(2026, 1, 10, 15, tzinfo=UTC)
    assert m.organiser == ("Olga Organiser", "olga@accord.example")
    assert ("Grace Hopper", "grace@hopper.example", "NEEDS-ACTION") in m.attendees
    assert m.location == "Room 4, Accord office" and "timeline, budget" in m.description
    assert not m.cancelled


def test_meeting_lands_on_each_attendee_and_own_organiser_is_no_customer(world: Any) -> None:
    report = _import(_fixture("01-kickoff.ics"))
    assert (report.captured, report.present, report.created_customers) == (1, 0, 1)
    meeting = Interaction.objects.get(source="calendar", external_id=KICKOFF)
    assert (meeting.channel, meeting.direction, meeting.subject) == (
        "meeting", "outbound", "Project kickoff")
    assert meeting.occurred_at == datetime(2026, 1, 10, 14, tzinfo=UTC)
    assert meeting.metadata["status"] == "confirmed"
    assert meeting.metadata["location"] == "Room 4, Accord office"
    assert {a["address"]: a["partstat"] for a in meeting.metadata["attendees"]} == {
        "olga@accord.example": "ACCEPTED", "ada@example.com": "ACCEPTED",
        "grace@hopper.example": "NEEDS-ACTION"}
    # Ada is matched, Grace becomes a customer, Olga (own domain) never does.
    ada = Participant.objects.get(interaction=meeting, customer=world.alice_customer)
    assert ada.role == "attendee"
    grace = Customer.objects.get(display_name="Grace Hopper")
    assert Participant.objects.filter(interaction=meeting, customer=grace).exists()
    olga = Participant.objects.get(interaction=meeting, role="organiser")
    assert olga.customer_id is None and olga.address == "olga@accord.example"
    assert not Identity.objects.filter(value__icontains="accord.example").exists()
    assert Participant.objects.filter(interaction=meeting).count() == 3  # no dupe Olga


def test_recurring_meeting_is_expanded_within_the_window_only(world: Any) -> None:
    report = _import(_fixture("02-weekly.ics"), window_days=30)
    # Mondays 5 Jan .. 16 Feb (window ends 19 Feb), 12 Jan excluded by EXDATE.
    starts = sorted(Interaction.objects.filter(source="calendar")
                    .values_list("occurred_at", flat=True))
    assert report.captured == 6
    assert [s.date().isoformat() for s in starts] == [
        "2026-01-05", "2026-01-19", "2026-01-26", "2026-02-02", "2026-02-09", "2026-02-16"]
    first = Interaction.objects.get(
        external_id="weekly-sync@example.com/2026-01-05T10:00:00+00:00")
    assert first.direction == "inbound"  # organised by a customer
    assert first.metadata["recurrence_id"] == "2026-01-05T10:00:00+00:00"
    assert Participant.objects.filter(customer=world.alice_customer).count() == 6
    assert Participant.objects.filter(customer=world.north_customer).count() == 6
    # A wider window later adds the new occurrences, not the old ones again.
    again = _import(_fixture("02-weekly.ics"), window_days=37)
    assert (again.captured, again.present) == (1, 6)


def test_higher_sequence_updates_the_stored_meeting(world: Any) -> None:
    _import(_fixture("01-kickoff.ics"))
    report = _import(_fixture("03-kickoff-update.ics"))
    assert (report.captured, report.updated, report.present) == (0, 1, 0)
    [meeting] = Interaction.objects.filter(source="calendar")
    moved = datetime(2026, 1, 11, 16, tzinfo=UTC)
    assert (meeting.subject, meeting.occurred_at) == ("Project kickoff (moved)", moved)
    assert meeting.text == "Moved to Sunday afternoon."
    assert meeting.metadata["sequence"] == 1
    assert meeting.metadata["location"] == "Room 2, Accord office"
    assert set(Participant.objects.filter(interaction=meeting)
               .values_list("occurred_at", flat=True)) == {moved}
    assert AuditEntry.objects.filter(action="interaction.updated",
                                     subject_id=str(meeting.pk)).exists()
    # the older version read again changes nothing
    older = _import(_fixture("01-kickoff.ics"))
    assert (older.updated, older.present) == (0, 1)
    meeting.refresh_from_db()
    assert meeting.occurred_at == moved


def test_cancellation_marks_the_meeting_cancelled(world: Any) -> None:
    _import(_fixture("01-kickoff.ics"))
    _import(_fixture("03-kickoff-update.ics"))
    report = _import(_fixture("04-kickoff-cancel.ics"))
    assert report.updated == 1
    [meeting] = Interaction.objects.filter(source="calendar")
    assert meeting.subject == "Cancelled: Project kickoff (moved)"
    assert meeting.metadata["status"] == "cancelled"
    assert meeting.text == "Moved to Sunday afternoon."  # the cancel said nothing new
    again = _import(_fixture("04-kickoff-cancel.ics"))
    assert (again.updated, again.present) == (0, 1)
    meeting.refresh_from_db()
    assert meeting.subject == "Cancelled: Project kickoff (moved)"


def test_broken_items_are_reported_and_the_rest_imported(world: Any) -> None:
    report = _import(_fixture("05-broken.ics"))
    assert report.captured == 1 and report.partial == 1
    reasons = [reason for _, reason in report.rejected]
    assert any("no-start@example.com" in r and "DTSTART" in r for r in reasons)
    assert any("bad-start@example.com" in r for r in reasons)
    lunch = Interaction.objects.get(external_id="lunch@example.org")
    assert lunch.direction == "inbound"
    assert lunch.metadata["end"] == "2026-01-15T13:30:00+00:00"  # from DURATION
    assert "SEQUENCE" in " ".join(lunch.metadata["problems"])
    garbage = _import(_fixture("06-garbage.ics"))
    assert garbage.captured == 0 and "not a calendar" in garbage.rejected[0][1]
    assert CaptureProblem.objects.filter(reason__contains="not a calendar").exists()
    assert CaptureProblem.objects.filter(partial=True,
                                         item="lunch@example.org").exists()


def test_folder_import_then_rerun_adds_nothing(world: Any, tmp_path: Path) -> None:
    folder = tmp_path / "calendars"
    shutil.copytree(FIXTURES, folder)
    report = _import(folder, window_days=30)
    # kickoff once (then updated twice), six weekly occurrences, lunch
    assert (report.captured, report.updated) == (8, 2)
    assert Interaction.objects.filter(source="calendar").count() == 8
    kickoff = Interaction.objects.get(external_id=KICKOFF)
    assert kickoff.metadata["status"] == "cancelled"
    customers = Customer.objects.count()
    again = _import(folder, window_days=30)
    # every version of the kickoff is read again: each is present, none applies
    assert (again.captured, again.updated, again.present) == (0, 0, 10)
    assert Interaction.objects.filter(source="calendar").count() == 8
    assert Customer.objects.count() == customers


def test_cli_prints_a_summary(world: Any, capsys: Any) -> None:
    call_command("import", "ics", str(_fixture("01-kickoff.ics")),
                 "--own-domain", "accord.example")
    out = capsys.readouterr().out
    assert "1 meetings: 1 captured" in out and "0 rejected" in out
    assert Interaction.objects.filter(source="calendar", channel="meeting").count() == 1
