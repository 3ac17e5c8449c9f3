"""Pure timeline rules: the 24-hour banner and channel wording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from accord.interactions.domain import describe, recent_banner

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def test_banner_lists_last_24_hours_oldest_first() -> None:
    events = [
        ("sms", "inbound", NOW.replace(hour=11, minute=40)),
        ("email", "outbound", NOW.replace(hour=9, minute=12)),
        ("call", "inbound", NOW - timedelta(hours=30)),  # too old
    ]
    banner = recent_banner(events, now=NOW, tz=UTC)
    assert [b.text for b in banner] == ["email sent 09:12", "SMS received 11:40"]


def test_banner_speaks_local_time() -> None:
    banner = recent_banner([("call", "outbound", NOW)], now=NOW, tz=ZoneInfo("Europe/Paris"))
    assert banner[0].text == "call made 16:00"


def test_every_channel_has_words() -> None:
    assert describe("meeting", "internal") == "meeting"
    assert describe("web_visit", "inbound") == "website visit"
    assert describe("campaign_response", "inbound") == "campaign response"
