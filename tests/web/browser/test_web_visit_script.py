"""Accord's web visit script in a real browser: a customer's site on another origin
embeds it, a visitor reads two pages and signs up with their email, and the visit shows
on that customer's timeline with its pages."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from accord.capture.models import Visit
from accord.capture.services.sources import add_source
from accord.platform.actors import SYSTEM
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Headless Chromium says "HeadlessChrome", which the bot filter rightly drops.
DESKTOP_CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/131.0.0.0 Safari/537.36")

HOME = """<!doctype html><html><head><title>Tea shop</title>
<script async src="{accord}/capture/web.js" data-site="teashop"></script></head>
<body><h1>Tea shop</h1><a id="pricing" href="/pricing">Our prices</a></body></html>"""
PRICING = """<!doctype html><html><head><title>Pricing</title>
<script>window.accord = {{q: []}};</script>
<script async src="{accord}/capture/web.js" data-site="teashop"></script></head>
<body><h1>Pricing</h1>
<form id="signup" onsubmit="accord.identify(this.email.value);
  document.getElementById('done').textContent = 'Thanks!'; return false;">
<label>Email <input name="email" type="email"></label><button>Keep me posted</button></form>
<p id="done"></p></body></html>"""


@pytest.fixture
def customer_site(live_server: Any) -> Iterator[str]:
    """The customer's own site, on another origin than Accord."""
    pages = {"/": HOME, "/pricing": PRICING}

    class Pages(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?", 1)[0])
            if body is None:
                self.send_error(404)
                return
            data = body.format(accord=live_server.url).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _wait_for(check: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the page views never arrived")
        time.sleep(0.1)


def test_a_visitor_browses_signs_up_and_the_visit_is_on_the_timeline(
        browser: Browser, live_server: Any, customer_site: str, world: Any) -> None:
    add_source(actor=SYSTEM, name="teashop", kind="website", every_minutes=0,
               settings={"allowed_origins": [customer_site]})
    visitor = browser.new_context(user_agent=DESKTOP_CHROME)
    page = visitor.new_page()
    page.goto(customer_site + "/")
    _wait_for(lambda: Visit.objects.exists())
    page.locator("#pricing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pricing")
    _wait_for(lambda: len(Visit.objects.get().pages) == 2)
    # The visitor id lives in the site's own storage.
    assert page.evaluate("localStorage.getItem('accord_vid')")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Keep me posted").click()
    expect(page.locator("#done")).to_have_text("Thanks!")
    _wait_for(lambda: Visit.objects.get().interaction_id is not None)
    visitor.close()

    staff = browser.new_context()
    page = staff.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/customers/{world.alice_customer.pk}/")
    visit = page.locator('.tl-item[data-channel="web_visit"]')
    expect(visit).to_have_count(1)
    expect(visit).to_contain_text("Tea shop")
    expect(visit).to_contain_text("Pricing")
    expect(visit).to_contain_text(re.compile(r"2 pages"))
    page.screenshot(path="/tmp/accord-web-visit.png")
    staff.close()


def test_do_not_track_sends_nothing(browser: Browser, live_server: Any, customer_site: str,
                                    world: Any) -> None:
    add_source(actor=SYSTEM, name="teashop", kind="website", every_minutes=0,
               settings={"allowed_origins": [customer_site]})
    visitor = browser.new_context(user_agent=DESKTOP_CHROME)
    visitor.add_init_script("Object.defineProperty(navigator, 'globalPrivacyControl', "
                            "{get: () => true})")
    page = visitor.new_page()
    page.goto(customer_site + "/")
    page.locator("#pricing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pricing")
    page.wait_for_timeout(500)
    assert not Visit.objects.exists()
    assert page.evaluate("localStorage.getItem('accord_vid')") is None
    visitor.close()
