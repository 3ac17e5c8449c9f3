"""Meetings synced from a real radicale, as the Customer View shows them: attendees with
their answers (customers marked, organiser named), place, time range, a recurring
occurrence saying so, and a meeting deleted on the server shown cancelled."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accord.capture.models import Source
from accord.capture.services import caldav_sync
from accord.capture.services.sources import add_source
from accord.interactions.models import Interaction
from accord.platform.actors import SYSTEM
from accord.web.presentation_meetings import meeting_view, time_range
from tests.capture import radicale

radicale_server = radicale.radicale_server
caldav_account = radicale.caldav_account

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "calendar"
NOW = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)


def entry(client: Client, customer: Any, interaction: Any) -> str:
    body = client.get(f"/customers/{customer.pk}/").content.decode()
    match = re.search(rf'<li class="tl-item[^"]*" id="interaction-{interaction.pk}".*?</li>\n',
                      body, re.S)
    assert match, f"interaction {interaction.pk} is not on the page"
    return match.group(0)


def test_a_synced_meeting_shows_its_attendees_place_time_and_cancellation(
        world: Any, caldav_account: Any) -> None:
    for name in ("01-kickoff.ics", "02-weekly.ics"):
        caldav_account.put(name, (FIXTURES / name).read_text())
    source = add_source(actor=SYSTEM, name="cal", kind="caldav", settings={
        "url": caldav_account.server_url, "username": caldav_account.username,
        "own_domains": ["accord.example"], "window_days": 30},
        secrets={"password": caldav_account.password})
    caldav_sync.sync(SYSTEM, Source.objects.get(pk=source.pk), now=NOW)
    client = Client()
    client.force_login(world.alice)
    ada = world.alice_customer

    kickoff = Interaction.objects.get(external_id="kickoff-1@accord.example")
    html = entry(client, ada, kickoff)
    assert "Project kickoff" in html and "Room 4, Accord office" in html
    assert "Sat 10 Jan 2026, 14:00\u201315:00" in html  # site time zone: UTC in tests
    # Olga organises (staff: no customer badge), Ada and Grace are customers.
    olga = re.search(r"<li[^>]*>Olga Organiser <span class=\"muted\">\(organiser\)</span>"
                     r"(.*?)</li>", html)
    assert olga and "customer" not in olga.group(1) and "accepted" in olga.group(1)
    assert html.count("Olga Organiser") == 1  # organiser and attendee: shown once
    ada_chip = re.search(r'<li title="ada@example.com">Ada Lovelace(.*?)</li>', html)
    assert ada_chip and "badge-customer" in ada_chip.group(1) and "accepted" in ada_chip.group(1)
    grace_chip = re.search(r'<li title="grace@hopper.example">Grace Hopper(.*?)</li>', html)
    assert grace_chip and "badge-customer" in grace_chip.group(1)
    assert "recurring" not in html and "Cancelled" not in html

    weekly = Interaction.objects.get(
        external_id="weekly-sync@example.com/2026-01-05T10:00:00+00:00")
    html = entry(client, ada, weekly)
    assert "one occurrence of a recurring meeting" in html
    assert "Niels Bohr" in html and "declined" in html and "maybe" in html
    assert "https://meet.example.com/weekly" in html

    caldav_account.delete("01-kickoff.ics")
    caldav_sync.sync(SYSTEM, Source.objects.get(pk=source.pk), now=NOW)
    html = entry(client, ada, kickoff)
    assert '<span class="badge meeting-cancelled">Cancelled</span> <del>Project kickoff</del>' \
        in html
    assert "Cancelled: Project kickoff" not in html  # said once, not twice
    assert "Ada Lovelace" in html  # who was invited stays


def test_meeting_view_copes_with_other_shapes_and_ranges() -> None:
    class Item:
        subject = ""
        metadata = {"attendees": ["Ada", {"name": "Bo"}, 7], "location": 42,
                    "duration_minutes": 90}
        participant_list: list[Any] = []

    view = meeting_view(Item())
    assert (view.title, view.location, view.length) == ("Meeting", "42", "1h 30m")
    assert [p.label for p in view.people] == ["Ada", "Bo", "7"]
    assert time_range("2026-01-05T22:00:00+00:00", "2026-01-06T01:00:00+00:00") == \
        "Mon 5 Jan 2026, 22:00 \u2013 Tue 6 Jan 2026, 01:00"
    assert time_range("2026-01-05T00:00:00+00:00", "2026-01-07T00:00:00+00:00",
                      all_day=True) == "Mon 5 Jan 2026 \u2013 Tue 6 Jan 2026, all day"
    assert time_range("2026-01-05T00:00:00+00:00", "2026-01-06T00:00:00+00:00",
                      all_day=True) == "Mon 5 Jan 2026, all day"
    assert time_range("garbage", None) == "" and time_range(None, None) == ""
