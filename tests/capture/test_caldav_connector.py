"""The CalDAV connector against a real radicale on loopback (tests/capture/radicale.py):
discovery, sync-token and etag listings, a forgotten token, deletions, bad logins."""

from __future__ import annotations

import socket
import traceback
import uuid
from typing import Any

import pytest

from accord.capture.connectors.caldav import (
    CaldavAccount,
    CaldavError,
    CaldavLoginFailed,
    CaldavSettings,
    CalendarBatch,
    CalendarState,
)
from accord.platform.errors import InvalidInput
from tests.capture import radicale
from tests.capture.radicale import CaldavAccountFixture

# The real-server fixtures, bound here so pytest finds them (an import would trip F811).
radicale_server = radicale.radicale_server
caldav_account = radicale.caldav_account


def event(uid: str, *, summary: str = "Review", sequence: int = 0) -> str:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Accord tests//EN\r\n"
            f"BEGIN:VEVENT\r\nUID:{uid}\r\nSEQUENCE:{sequence}\r\n"
            "DTSTAMP:20260101T090000Z\r\nDTSTART:20260110T140000Z\r\n"
            f"DTEND:20260110T150000Z\r\nSUMMARY:{summary}\r\n"
            "ORGANIZER:mailto:olga@accord.example\r\n"
            "ATTENDEE:mailto:ada@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def changes(account: CaldavAccountFixture, state: CalendarState | None,
            **settings: Any) -> list[CalendarBatch]:
    with CaldavAccount(account.settings(**settings)) as dav:
        return list(dav.fetch_changes(account.calendar_url, state))


def hrefs(batches: list[CalendarBatch]) -> list[str]:
    return sorted(o.href.rsplit("/", 1)[-1] for b in batches for o in b.changed)


def test_discovers_the_users_calendars_and_picks_configured_ones(caldav_account):
    home = caldav_account.make_calendar("Private")
    with CaldavAccount(caldav_account.settings()) as dav:
        assert sorted(c.name for c in dav.calendars_to_sync()) == ["Private", "Work"]
    with CaldavAccount(caldav_account.settings(calendars=("Work", home))) as dav:
        assert [c.name for c in dav.calendars_to_sync()] == ["Work", "Private"]
    with CaldavAccount(caldav_account.settings(calendars=("private",))) as dav:
        assert [c.url for c in dav.calendars_to_sync()] == [home]  # its last path segment
    with (pytest.raises(CaldavError, match="no calendar 'Holidays'") as failed,
          CaldavAccount(caldav_account.settings(calendars=("Holidays",))) as dav):
        dav.calendars_to_sync()
    assert failed.value.field == "calendars"


@pytest.mark.parametrize("use_sync_token", [True, False])
def test_reads_everything_then_only_what_changed_and_what_is_gone(caldav_account,
                                                                 use_sync_token):
    uids = [f"e{n}-{uuid.uuid4().hex}" for n in range(6)]
    for n in range(5):
        caldav_account.put(f"e{n}.ics", event(uids[n]))
    first = changes(caldav_account, None, batch=2, use_sync_token=use_sync_token)
    assert [len(b.changed) for b in first] == [2, 2, 1] and all(b.reset for b in first)
    assert hrefs(first) == [f"e{n}.ics" for n in range(5)]
    state = first[-1].state
    assert len(state.etags) == 5 and (state.sync_token if use_sync_token else state.ctag)
    # Batches before the last keep the old token: a run killed there asks again.
    assert first[0].state.sync_token == "" and len(first[0].state.etags) == 2

    assert changes(caldav_account, state, use_sync_token=use_sync_token) == []

    caldav_account.put("e1.ics", event(uids[1], summary="Moved", sequence=1))
    caldav_account.delete("e3.ics")
    caldav_account.put("e5.ics", event(uids[5]))
    [again] = changes(caldav_account, state, use_sync_token=use_sync_token)
    assert hrefs([again]) == ["e1.ics", "e5.ics"]
    assert [h.rsplit("/", 1)[-1] for h in again.deleted] == ["e3.ics"]
    assert b"SUMMARY:Moved" in next(o.raw for o in again.changed if o.href.endswith("e1.ics"))
    assert sorted(h.rsplit("/", 1)[-1] for h in again.state.etags) == [
        "e0.ics", "e1.ics", "e2.ics", "e4.ics", "e5.ics"]
    assert again.reset is (not use_sync_token)


def test_a_forgotten_sync_token_means_a_full_listing_compared_by_etag(caldav_account):
    b = f"b-{uuid.uuid4().hex}"
    caldav_account.put("a.ics", event(f"a-{uuid.uuid4().hex}"))
    caldav_account.put("b.ics", event(b))
    state = changes(caldav_account, None)[-1].state
    caldav_account.put("b.ics", event(b, sequence=2))
    caldav_account.delete("a.ics")
    forgotten = CalendarState("http://radicale.org/ns/sync/not-a-token", state.ctag,
                              state.etags)
    [batch] = changes(caldav_account, forgotten)
    assert batch.reset and hrefs([batch]) == ["b.ics"]  # a.ics unchanged: not fetched again
    assert [h.rsplit("/", 1)[-1] for h in batch.deleted] == ["a.ics"]
    assert batch.state.sync_token.startswith("http://radicale.org/ns/sync/")
    assert batch.state.sync_token != forgotten.sync_token


def test_checkpoint_round_trips_through_json(caldav_account):
    caldav_account.put("a.ics", event(f"a-{uuid.uuid4().hex}"))
    state = changes(caldav_account, None)[-1].state
    assert CalendarState.from_json(state.as_json()) == state
    assert CalendarState.from_json(None) is None
    assert CalendarState.from_json({"etags": "nonsense"}) is None


def test_wrong_password_is_a_clear_login_error_without_the_password(caldav_account):
    secret = "wrong-secret-4711"
    with pytest.raises(CaldavLoginFailed) as failed:
        CaldavAccount(caldav_account.settings(password=secret)).connect()
    assert failed.value.field == "password"
    assert "refused the login" in failed.value.message
    assert caldav_account.username in failed.value.message
    everything = "".join(traceback.format_exception(failed.value))
    assert secret not in everything and secret not in repr(caldav_account.settings(
        password=secret))


def test_a_dead_server_is_a_clear_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    with pytest.raises(CaldavError, match="Cannot reach the CalDAV server") as failed:
        CaldavAccount(CaldavSettings(url=f"http://127.0.0.1:{port}/", username="x",
                                     password="y", timeout=5)).connect()
    assert failed.value.field == "url"


@pytest.mark.parametrize(("url", "why"), [
    ("ftp://example.com/", "https://"),
    ("http://calendar.example.com/", "Plain http is allowed only"),
    ("https://ada:secret@calendar.example.com/", "not in the URL"),
    ("not a url", "https://"),
])
def test_unsafe_or_unusable_urls_are_refused(url: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        CaldavSettings(url=url)
