"""Timeline filters and endless scroll, on the full page and as htmx partials; bad
filter input is a 400 with the message next to its field, never a 500."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accord.web.views.timeline import TIMELINE_PAGE
from tests.web.conftest import NOW, record

HTMX = {"HTTP_HX_REQUEST": "true"}


def channels_on(body: str) -> list[str]:
    return re.findall(r'data-channel="([a-z_]+)"', body)


def page(client: Any, customer: Any, params: Any = None, *, partial: bool = False,
         **extra: Any) -> Any:
    suffix = "timeline/" if partial else ""
    return client.get(f"/customers/{customer.pk}/{suffix}", params or {}, **extra)


def test_filter_by_one_channel(client_as: Any, timeline: Any) -> None:
    body = page(client_as("alice"), timeline.ada, {"channel": "email"}).content.decode()
    assert channels_on(body) == ["email"]
    assert re.search(r'value="email"\s+checked', body)  # the chip stays on
    assert "Clear filters" in body


def test_filter_by_several_channels(client_as: Any, timeline: Any) -> None:
    body = page(client_as("alice"), timeline.ada,
                {"channel": ["sms", "call", "note"]}).content.decode()
    assert channels_on(body) == ["sms", "call", "note"]  # newest first


def test_filter_by_direction(client_as: Any, timeline: Any) -> None:
    body = page(client_as("alice"), timeline.ada, {"direction": "outbound"}).content.decode()
    assert sorted(channels_on(body)) == ["email", "meeting"]
    body = page(client_as("alice"), timeline.ada, {"direction": "internal"}).content.decode()
    assert channels_on(body) == ["note"]


def test_filter_by_date_range_includes_the_end_day(client_as: Any, timeline: Any) -> None:
    day = timezone.localtime(timeline.meeting.occurred_at).date()
    body = page(client_as("alice"), timeline.ada,
                {"since": (day - timedelta(days=1)).isoformat(),
                 "until": day.isoformat()}).content.decode()
    assert channels_on(body) == ["meeting", "letter"]


def test_filters_with_no_match_say_so(client_as: Any, timeline: Any) -> None:
    body = page(client_as("alice"), timeline.ada,
                {"channel": "fax", "direction": "outbound"}).content.decode()
    assert channels_on(body) == [] and "Nothing matches these filters." in body


def test_htmx_filter_change_returns_the_panel_and_pushes_the_page_url(
        client_as: Any, timeline: Any) -> None:
    response = page(client_as("alice"), timeline.ada,
                    {"channel": "sms", "direction": "", "since": "", "until": ""},
                    partial=True, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("<section") and "<html" not in body
    assert 'id="timeline-panel"' in body and channels_on(body) == ["sms"]
    assert response["HX-Push-Url"] == f"/customers/{timeline.ada.pk}/?channel=sms"


def many_emails(customer: Any, count: int) -> None:
    for n in range(count):
        record(customer, "email", "inbound", NOW - timedelta(days=20, minutes=n), role="from",
               subject=f"Old email {n}")


def next_url(body: str) -> str:
    match = re.search(r'class="tl-more" hx-get="([^"]+)" hx-trigger="revealed"', body)
    assert match, "no endless-scroll sentinel"
    return match.group(1).replace("&amp;", "&")


def test_endless_scroll_loads_the_next_page_as_a_partial(client_as: Any,
                                                         timeline: Any) -> None:
    many_emails(timeline.ada, 40)  # 11 + 40 = 51 entries
    client = client_as("alice")
    first = page(client, timeline.ada).content.decode()
    assert len(channels_on(first)) == TIMELINE_PAGE
    url = next_url(first)
    assert url.startswith(f"/customers/{timeline.ada.pk}/timeline/?cursor=")
    pages = [first]
    while True:
        response = client.get(url, **HTMX)
        body = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in body and "timeline-panel" not in body
        pages.append(body)
        if "tl-more" not in body:
            break
        assert len(channels_on(body)) == TIMELINE_PAGE
        url = next_url(body)
    assert "That is everything" in pages[-1]
    ids = re.findall(r'id="interaction-(\d+)"', "".join(pages))
    assert len(ids) == len(set(ids)) == 51  # nothing repeated, nothing skipped


def test_endless_scroll_keeps_the_filters(client_as: Any, timeline: Any) -> None:
    many_emails(timeline.ada, 40)
    client = client_as("alice")
    first = page(client, timeline.ada, {"channel": "email"}).content.decode()
    url = next_url(first)
    assert "channel=email" in url
    rest = ""
    while url:
        body = client.get(url, **HTMX).content.decode()
        rest += body
        url = next_url(body) if "tl-more" in body else ""
    assert set(channels_on(rest)) == {"email"} and len(channels_on(first + rest)) == 41


def test_next_page_does_not_repeat_the_day_heading(client_as: Any, world: Any) -> None:
    ada = world.alice_customer
    for n in range(35):
        record(ada, "note", "internal", NOW - timedelta(days=3, seconds=n), role="subject",
               text=f"note {n}")
    client = client_as("alice")
    first = page(client, ada).content.decode()
    rest = client.get(next_url(first), **HTMX).content.decode()
    assert first.count('class="tl-day"') == 1 and 'class="tl-day"' not in rest


@pytest.mark.parametrize("params", [
    {"since": "notadate"},
    {"until": "31/02/2025"},
    {"channel": "bogus"},
    {"channel": ["email", "telepathy"]},
    {"direction": "sideways"},
    {"cursor": "garbage"},
    {"cursor": "bm90IGEgY3Vyc29y"},  # base64 of "not a cursor"
    {"cursor": "WyJub3QtYS1kYXRlIiwxXQ"},  # ["not-a-date",1]
    {"cursor": "WzEsMl0"},  # [1,2]
    {"cursor": "x" * 600},
    {"cursor": "WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzAxOjAwIiwxXQ"},  # year 1, +01:00: overflows
    {"cursor": "WyIyMDIwLTAxLTAxIiwxMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwXQ"},  # id 10**30
    {"since": "2025-02-01", "until": "2025-01-01"},
    {"since": "9999-12-31"},
    {"until": "0001-01-01"},
])
# A forged naive cursor date reaches the selector, which warns before answering; see the
# note on interactions.selectors.timeline (clock.ensure_aware on the cursor's date).
@pytest.mark.filterwarnings("ignore:DateTimeField Participant.occurred_at received a naive")
def test_bad_filter_input_is_400_with_the_message_not_500(client_as: Any, timeline: Any,
                                                          params: dict[str, Any]) -> None:
    client = client_as("alice")
    for partial, extra in ((False, {}), (True, HTMX), (True, {})):
        response = page(client, timeline.ada, params, partial=partial, **extra)
        assert response.status_code == 400, (params, partial)
        body = response.content.decode()
        assert 'class="field-error"' in body
    full = page(client, timeline.ada, params).content.decode()
    assert "<h1>Ada Lovelace</h1>" in full  # the rest of the Customer View still renders


def test_bad_date_message_sits_next_to_its_field(client_as: Any, timeline: Any) -> None:
    body = page(client_as("alice"), timeline.ada, {"since": "notadate"}).content.decode()
    assert re.search(r'name="since" value="notadate"\s+aria-invalid="true"', body)
    assert "From: Enter a valid date." in body


def test_unknown_channel_message_names_the_field(client_as: Any, timeline: Any) -> None:
    body = page(client_as("alice"), timeline.ada, {"channel": "bogus"}).content.decode()
    assert "Channel: Select a valid choice. bogus is not one of the available choices." in body


def test_timeline_partial_of_a_hidden_customer_is_404(client_as: Any, timeline: Any,
                                                     world: Any) -> None:
    response = client_as("alice").get(f"/customers/{world.bob_customer.pk}/timeline/",
                                      {"channel": "bogus"}, **HTMX)
    assert response.status_code == 404
    assert "Bea" not in response.content.decode()


def test_an_email_thread_collapses_under_its_newest_message(client_as: Any,
                                                            world: Any) -> None:
    customer = world.alice_customer
    for n, subject in enumerate(["Quote", "Re: Quote", "Re: Quote"]):
        record(customer, "email", "inbound", NOW - timedelta(days=3 - n), subject=subject,
               text=f"message {n}", thread_key="quote-thread")
    record(customer, "email", "inbound", NOW - timedelta(days=2, hours=12), subject="Other",
           text="another thread", thread_key="other")
    html = client_as("admin").get(f"/customers/{customer.pk}/").content.decode()
    assert html.count('class="tl-item ch-email') == 2  # the thread once, the other once
    assert "2 earlier messages in this thread" in html
    assert "message 0" in html and "message 1" in html and "another thread" in html
