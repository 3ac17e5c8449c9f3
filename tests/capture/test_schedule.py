"""When a source runs next: its schedule while it works, backing off while it fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from accord.capture.domain.sources import BACKOFF_CAP, next_sync_after

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
EVERY = timedelta(minutes=15)


def test_on_schedule_while_it_works() -> None:
    assert next_sync_after(now=NOW, every=EVERY, failures=0) == NOW + EVERY


def test_backs_off_and_caps_while_failing() -> None:
    delays = [next_sync_after(now=NOW, every=EVERY, failures=n) - NOW for n in range(1, 12)]
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert delays == sorted(delays) and delays[-1] == BACKOFF_CAP
