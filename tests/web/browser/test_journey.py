"""End to end in headless Chromium: sign in, find a customer, read their timeline, filter
it, scroll it, and keep screenshots of the pages for a human to judge."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accord.web.views.timeline import TIMELINE_PAGE
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, username: str = "alice") -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")


def test_sign_in_search_open_filter_and_scroll(page: Page, live_server: Any, world: Any,
                                               long_history: int) -> None:
    base = live_server.url
    sign_in(page, base)
    expect(page.locator("table")).to_contain_text("Ada Lovelace")
    page.screenshot(path="/tmp/accord-home.png")

    # Live search: typing is enough, htmx swaps the results in.
    page.get_by_role("navigation").get_by_role("link", name="Customers").click()
    page.locator("#id_q").fill("07911 123456")
    results = page.locator("#results")
    expect(results).to_contain_text("Ada Lovelace")
    expect(results).not_to_contain_text("Niels Bohr")
    expect(page).to_have_url(re.compile(r"q=07911"))
    page.locator("#id_q").fill("love")
    expect(results).to_contain_text("Ada Lovelace")
    page.screenshot(path="/tmp/accord-search.png")
    results.get_by_role("link", name=re.compile("Ada Lovelace")).click()

    # The Customer View: banner, profile, first timeline page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")
    banner = page.locator(".banner")
    expect(banner).to_contain_text(re.compile(r"email sent \d\d:\d\d"))
    expect(banner).to_contain_text(re.compile(r"SMS received \d\d:\d\d"))
    items = page.locator(".tl-item")
    expect(items).to_have_count(TIMELINE_PAGE)
    page.screenshot(path="/tmp/accord-customer-view.png")

    # Endless scroll: the sentinel loads the next pages as it comes into view.
    pages = -(-long_history // TIMELINE_PAGE)
    for shown in range(2, pages + 1):
        page.locator(".tl-more").scroll_into_view_if_needed()
        expect(items).to_have_count(min(shown * TIMELINE_PAGE, long_history))
    expect(page.locator(".tl-end")).to_be_visible()
    headings = page.locator(".tl-day").all_inner_texts()
    assert headings and len(headings) == len(set(headings))  # no day heading repeated

    # Filter by channel: the panel swaps, the address bar follows.
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("label.chip.ch-sms").click()
    expect(page).to_have_url(re.compile(r"/customers/\d+/\?channel=sms$"))
    expect(items).to_have_count(1)
    expect(items.first).to_have_attribute("data-channel", "sms")
    page.locator("label.chip.ch-call").click()
    expect(items).to_have_count(2)
    page.screenshot(path="/tmp/accord-filtered.png")
    page.get_by_role("link", name="Clear filters").click()
    expect(items).to_have_count(TIMELINE_PAGE)

    # Reloading the pushed URL renders the same filtered page on the server.
    page.goto(f"{base}/customers/{world.alice_customer.pk}/?channel=meeting")
    expect(items).to_have_count(1)
    expect(page.locator("label.chip.ch-meeting input")).to_be_checked()


def test_bad_filter_shows_message_next_to_the_field(page: Page, live_server: Any,
                                                    world: Any, timeline: Any) -> None:
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/{world.alice_customer.pk}/")
    page.locator("input[name=since]").fill("2030-01-10")
    expect(page).to_have_url(re.compile(r"since=2030-01-10"))  # the panel was swapped
    expect(page.locator(".timeline-panel .empty")).to_contain_text("Nothing matches")
    page.locator("input[name=until]").fill("2030-01-01")
    expect(page.locator(".filter-errors")).to_contain_text("end date is before the start")
    expect(page.locator("input[name=until]")).to_have_attribute("aria-invalid", "true")


def test_another_teams_customer_is_not_found(page: Page, live_server: Any,
                                             world: Any) -> None:
    sign_in(page, live_server.url)
    response = page.goto(f"{live_server.url}/customers/{world.bob_customer.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.locator("body")).not_to_contain_text("Bea")
