"""Web visits end to end through the collect endpoint: the script, page views grouped
into visits, identification stitching earlier visits onto the customer's timeline,
privacy signals, bots, CORS and bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from accord.capture.models import Visit, Visitor
from accord.capture.services.sources import add_source
from accord.customers.services import create_customer, merge_customers, unmerge_customers
from accord.interactions.models import Interaction, Participant
from accord.platform import clock
from accord.platform.actors import SYSTEM
from accord.platform.errors import InvalidInput

pytestmark = pytest.mark.django_db

ORIGIN = "https://shop.example"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
VISITOR = "0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def site(db: Any) -> Any:
    return add_source(actor=SYSTEM, name="shop", kind="website", every_minutes=0,
                      settings={"allowed_origins": [ORIGIN, "https://www.shop.example/"],
                                "ignored_paths": ["/admin"]})


class Browser:
    """The script's requests, at a time the test sets."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, visitor: str = VISITOR) -> None:
        self.client = Client()
        self.visitor = visitor
        self.now = T0
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def send(self, body: Any, *, site: str = "shop", origin: str = ORIGIN,
             agent: str = FIREFOX, content_type: str = "text/plain;charset=UTF-8",
             **headers: str) -> Any:
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        extra = {"HTTP_USER_AGENT": agent, **headers}
        if origin:
            extra["HTTP_ORIGIN"] = origin
        return self.client.post(f"/collect?site={site}", data=data, content_type=content_type,
                                **extra)

    def page(self, minutes: float, path: str, title: str = "", referrer: str = "",
             **kw: Any) -> Any:
        self.now = T0 + timedelta(minutes=minutes)
        return self.send({"type": "pageview", "visitor": self.visitor, "url": ORIGIN + path,
                          "title": title, "referrer": referrer}, **kw)

    def identify(self, minutes: float, email: str) -> Any:
        self.now = T0 + timedelta(minutes=minutes)
        return self.send({"type": "identify", "visitor": self.visitor, "email": email})


@pytest.fixture
def browser(site: Any, monkeypatch: pytest.MonkeyPatch) -> Browser:
    return Browser(monkeypatch)


def visits() -> list[Visit]:
    return list(Visit.objects.order_by("started_at"))


def web_entries(customer: Any) -> list[Interaction]:
    return list(Interaction.objects.filter(channel="web_visit",
                                           participants__customer=customer)
                .order_by("occurred_at"))


def test_the_script_is_served_as_javascript(client: Client) -> None:
    response = client.get("/capture/web.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    body = response.content.decode()
    assert "doNotTrack" in body and "globalPrivacyControl" in body
    assert "sendBeacon" in body and "identify" in body and "data-site" in body
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert client.post("/capture/web.js").status_code == 405


def test_page_views_make_visits_split_after_thirty_quiet_minutes(browser: Browser) -> None:
    landing = "/?utm_source=newsletter&utm_medium=email&utm_campaign=spring-tea"
    assert browser.page(0, landing, "Welcome", "https://mail.example.net/").status_code == 202
    assert browser.page(2, "/products/darjeeling", "Darjeeling",
                        ORIGIN + landing).status_code == 202
    assert browser.page(5, "/pricing#plans", "Pricing").status_code == 202
    assert browser.page(36, "/contact", "Contact").status_code == 202
    first, second = visits()
    assert [p["path"] for p in first.pages] == [landing, "/products/darjeeling", "/pricing"]
    assert [p.get("seconds") for p in first.pages] == [120, 180, None]
    assert first.utm == {"utm_source": "newsletter", "utm_medium": "email",
                         "utm_campaign": "spring-tea"}
    assert first.referrer == "https://mail.example.net/"
    assert first.duration_seconds == 300 and first.exit_url == ORIGIN + "/pricing"
    assert [p["path"] for p in second.pages] == ["/contact"]
    assert second.started_at == T0 + timedelta(minutes=36)
    # Nobody knows who this is yet: nothing on any timeline.
    assert not Interaction.objects.filter(channel="web_visit").exists()


def test_a_new_campaign_opens_a_new_visit(browser: Browser) -> None:
    browser.page(0, "/?utm_source=ads&utm_campaign=spring")
    browser.page(1, "/pricing")
    browser.page(2, "/?utm_source=newsletter&utm_campaign=autumn")
    assert [len(v.pages) for v in visits()] == [2, 1]
    assert visits()[1].utm["utm_campaign"] == "autumn"


def test_leaving_measures_time_on_the_last_page(browser: Browser) -> None:
    browser.page(0, "/", "Home")
    browser.page(1, "/pricing", "Pricing")
    browser.now = T0 + timedelta(minutes=2, seconds=30)
    response = browser.send({"type": "leave", "visitor": VISITOR, "url": ORIGIN + "/pricing"})
    assert response.status_code == 202
    (visit,) = visits()
    assert visit.pages[-1]["seconds"] == 90 and visit.duration_seconds == 150


def test_identifying_stitches_earlier_anonymous_visits_at_their_own_times(
        browser: Browser, world: Any) -> None:
    ada = world.alice_customer
    browser.page(0, "/?utm_source=newsletter&utm_campaign=spring-tea", "Welcome")
    browser.page(3, "/pricing", "Pricing")
    browser.page(60, "/blog/oolong", "Oolong")
    browser.page(62, "/login", "Sign in")
    assert browser.identify(63, "Ada@Example.com").status_code == 202
    entries = web_entries(ada)
    assert [e.occurred_at for e in entries] == [T0, T0 + timedelta(minutes=60)]
    assert all(e.source == "web" and e.direction == "inbound" for e in entries)
    assert [e.external_id for e in entries] == [v.key for v in visits()]
    assert Participant.objects.filter(interaction__in=entries, role="visitor",
                                      customer=ada).count() == 2
    assert entries[0].metadata["utm_campaign"] == "spring-tea"
    assert [p["title"] for p in entries[0].metadata["pages"]] == ["Welcome", "Pricing"]
    # Later pages of a known visitor update the open visit's entry; no second entry.
    browser.page(64, "/account", "Your account")
    entries = web_entries(ada)
    assert len(entries) == 2
    assert [p["title"] for p in entries[1].metadata["pages"]][-1] == "Your account"
    assert entries[1].subject == "Oolong (3 pages)"
    # A new visit of a known visitor goes straight onto the timeline.
    browser.page(200, "/", "Welcome back")
    assert len(web_entries(ada)) == 3
    # Identifying again changes nothing.
    assert browser.identify(201, "ada@example.com").status_code == 202
    assert Interaction.objects.filter(channel="web_visit").count() == 3


def test_the_visit_shows_on_the_customer_view(browser: Browser, world: Any) -> None:
    browser.page(0, "/?utm_source=newsletter&utm_campaign=spring-tea", "Welcome")
    browser.page(2, "/products/darjeeling", "Darjeeling")
    browser.identify(3, "ada@example.com")
    staff = Client()
    staff.force_login(world.alice)
    body = staff.get(f"/customers/{world.alice_customer.pk}/").content.decode()
    assert "tl-web" in body and "Darjeeling" in body and "/products/darjeeling" in body
    assert "spring-tea" in body and "newsletter" in body and "2m" in body


def test_unknown_emails_follow_the_sources_policy(site: Any, monkeypatch: Any,
                                                  world: Any, settings: Any) -> None:
    settings.OWN_EMAIL_DOMAINS = ["accord.example"]
    browser = Browser(monkeypatch)
    browser.page(0, "/")
    browser.identify(1, "new.person@example.net")
    (entry,) = Interaction.objects.filter(channel="web_visit")
    customer = entry.participants.get().customer
    assert customer is not None and customer.display_name == "new.person"
    # A staff member trying the site is never a customer.
    other = Browser(monkeypatch, visitor="staff-browser-0001")
    other.page(0, "/")
    other.identify(1, "alice@accord.example")
    assert Interaction.objects.filter(channel="web_visit").count() == 1


def test_queued_visitors_wait_unmatched_then_match_when_the_customer_exists(
        site: Any, monkeypatch: Any) -> None:
    site.unknown_senders = "queue"
    site.save()
    browser = Browser(monkeypatch)
    browser.page(0, "/")
    browser.identify(1, "grace@example.org")
    (entry,) = Interaction.objects.filter(channel="web_visit")
    participant = entry.participants.get()
    assert participant.customer_id is None and participant.address == "grace@example.org"
    # Once somebody has that address, the visitor's next visit lands on their timeline.
    grace = create_customer(actor=SYSTEM, display_name="Grace Hopper",
                            identities=[("email", "grace@example.org")])
    browser.page(90, "/again")
    assert [e.occurred_at for e in web_entries(grace)] == [T0 + timedelta(minutes=90)]


def test_merged_customers_keep_their_visits(browser: Browser, world: Any) -> None:
    niels, ada = world.north_customer, world.alice_customer
    browser.page(0, "/")
    browser.identify(1, "niels@example.org")
    merge = merge_customers(actor=SYSTEM, survivor_id=ada.pk, loser_id=niels.pk)
    staff = Client()
    staff.force_login(world.admin)
    view = staff.get(f"/customers/{ada.pk}/").content.decode()
    assert 'data-channel="web_visit"' in view
    browser.page(120, "/again")  # a new visit of the merged-in visitor
    assert Interaction.objects.filter(channel="web_visit").count() == 2
    unmerge_customers(actor=SYSTEM, merge_id=merge.pk)
    assert len(web_entries(niels)) == 2 and not web_entries(ada)


def test_do_not_track_and_global_privacy_control_are_honoured(browser: Browser) -> None:
    assert browser.page(0, "/", HTTP_DNT="1").status_code == 204
    assert browser.page(1, "/", HTTP_SEC_GPC="1").status_code == 204
    assert browser.identify(2, "ada@example.com").status_code == 202  # not dropped
    assert not Visit.objects.exists()


def test_bots_are_dropped(browser: Browser) -> None:
    for agent in ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                  "curl/8.5.0", ""):
        assert browser.page(0, "/", agent=agent).status_code == 204
    assert not Visitor.objects.exists()


def test_ignored_paths_are_no_page_views(browser: Browser) -> None:
    assert browser.page(0, "/admin/orders").status_code == 204
    assert not Visit.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ("not json", "body"),
    ("[1, 2]", "body"),
    ({"type": "pageview", "url": ORIGIN + "/"}, "visitor"),
    ({"type": "pageview", "visitor": "short", "url": ORIGIN + "/"}, "visitor"),
    ({"type": "pageview", "visitor": "x" * 65, "url": ORIGIN + "/"}, "visitor"),
    ({"type": "pageview", "visitor": VISITOR}, "url"),
    ({"type": "pageview", "visitor": VISITOR, "url": 42}, "url"),
    ({"type": "pageview", "visitor": VISITOR, "url": "https://elsewhere.example/"}, "url"),
    ({"type": "pageview", "visitor": VISITOR, "url": ORIGIN, "title": ["x"]}, "title"),
    ({"type": "click", "visitor": VISITOR, "url": ORIGIN}, "type"),
    ({"type": "identify", "visitor": VISITOR}, "email"),
    ({"type": "identify", "visitor": VISITOR, "email": "not an address"}, "email"),
    ("x" * 9000, "body"),
])
def test_bad_input_is_a_4xx_naming_the_field(browser: Browser, world: Any, body: Any,
                                             field: str) -> None:
    response = browser.send(body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response["Access-Control-Allow-Origin"] == ORIGIN


def test_unknown_site_is_404_and_other_methods_405(browser: Browser) -> None:
    response = browser.send({"visitor": VISITOR, "url": ORIGIN}, site="nope")
    assert response.status_code == 404 and response.json()["field"] == "site"
    assert "Access-Control-Allow-Origin" not in response
    assert browser.client.get("/collect?site=shop").status_code == 405


def test_cors_answers_only_the_sites_own_origins(browser: Browser) -> None:
    ok = browser.page(0, "/", origin="https://www.shop.example")
    assert ok.status_code == 202
    assert ok["Access-Control-Allow-Origin"] == "https://www.shop.example"
    assert "Origin" in ok["Vary"]
    refused = browser.page(1, "/", origin="https://evil.example")
    assert refused.status_code == 403 and refused.json()["field"] == "origin"
    assert "Access-Control-Allow-Origin" not in refused
    preflight = browser.client.options("/collect?site=shop", HTTP_ORIGIN=ORIGIN,
                                       HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert browser.client.options("/collect?site=shop",
                                  HTTP_ORIGIN="https://evil.example").status_code == 403
    # A JSON body (fetch with application/json) is read as well.
    assert browser.page(2, "/json", content_type="application/json").status_code == 202
    assert len(visits()[0].pages) == 2


def test_website_settings_are_checked(db: Any) -> None:
    for settings, field in (({"allowed_origins": ["shop.example"]}, "allowed_origins"),
                            ({"allowed_origins": ["https://shop.example/path"]},
                             "allowed_origins"),
                            ({"session_minutes": 0}, "session_minutes"),
                            ({"ignored_paths": ["admin"]}, "ignored_paths"),
                            ({"identify_param": "a b"}, "identify_param"),
                            ({"colour": "red"}, "colour")):
        with pytest.raises(InvalidInput) as caught:
            add_source(actor=SYSTEM, name="x", kind="website", settings=settings)
        assert caught.value.field == f"settings.{field}"
    source = add_source(actor=SYSTEM, name="y", kind="website",
                        settings={"allowed_origins": "HTTPS://Shop.Example:443, "
                                                     "http://localhost:8000"})
    assert source.settings["allowed_origins"] == ["http://localhost:8000",
                                                  "https://shop.example"]
    assert source.settings["session_minutes"] == 30
