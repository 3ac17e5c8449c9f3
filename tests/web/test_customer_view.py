"""The Customer View: profile, 24-hour banner, per-channel timeline, transactions,
and record-level access (not yours answers exactly like not there)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.customers.services import create_customer, merge_customers
from accord.platform.actors import SYSTEM
from accord.web.views.timeline import TIMELINE_PAGE
from tests.web.conftest import record


def view(client: Any, customer: Any, **params: Any) -> Any:
    return client.get(f"/customers/{customer.pk}/", params)


def test_profile_identities_owner_and_team(client_as: Any, world: Any) -> None:
    body = view(client_as("alice"), world.alice_customer).content.decode()
    assert "<h1>Ada Lovelace</h1>" in body
    assert "ada@example.com" in body and "+44 7911 123456" in body
    assert ">alice<" in body and ">north<" in body and "Customer" in body


def test_banner_lists_the_last_24_hours_across_channels(client_as: Any,
                                                       timeline: Any) -> None:
    body = view(client_as("alice"), timeline.ada).content.decode()
    banner = body.split('aria-label="Last 24 hours"')[1].split("</section>")[0]
    email_at = timezone.localtime(timeline.email.occurred_at).strftime("%H:%M")
    sms_at = timezone.localtime(timeline.sms.occurred_at).strftime("%H:%M")
    assert f"email sent {email_at}" in banner
    assert f"SMS received {sms_at}" in banner
    assert banner.index("email sent") < banner.index("SMS received")  # oldest first
    assert "call received" not in banner  # two days ago


def test_quiet_customer_gets_a_calm_banner(client_as: Any, world: Any) -> None:
    body = view(client_as("alice"), world.alice_customer).content.decode()
    assert "No contact on any channel in the last 24 hours." in body


def item_html(body: str, interaction: Any) -> str:
    """The rendered timeline entry of one interaction."""
    match = re.search(rf'<li class="tl-item[^"]*" id="interaction-{interaction.pk}".*?</li>\n',
                      body, re.S)
    assert match, f"interaction {interaction.pk} is not on the page"
    return match.group(0)


def test_every_channel_has_its_own_compact_rendering(client_as: Any, world: Any,
                                                     timeline: Any) -> None:
    body = view(client_as("alice"), world.alice_customer).content.decode()
    email = item_html(body, timeline.email)
    assert "ch-email" in email and "tl-email" in email and "Your renewal quote" in email
    assert "alice@accord.example" in email and "ADA@example.com" in email
    assert "please find the quote" in email and "quote.pdf" in email
    sms = item_html(body, timeline.sms)
    assert 'class="bubble"' in sms and "Can you call me after 5?" in sms and "is-in" in sms
    call = item_html(body, timeline.call)
    assert "Call received" in call and "5m 12s" in call and "45s" in call
    meeting = item_html(body, timeline.meeting)
    assert "Quarterly review" in meeting and "Kensington office" in meeting
    assert "Alice Consultant" in meeting
    letter = item_html(body, timeline.letter)
    attachment = timeline.letter.attachments.get()
    assert "Signed contract" in letter and f'href="/attachments/{attachment.pk}/"' in letter
    fax = item_html(body, timeline.fax)
    assert "tl-doc" in fax and "po-881.tiff" in fax
    web = item_html(body, timeline.web_visit)
    assert "/pricing" in web and "/products/darjeeling" in web and "Checkout" in web
    campaign = item_html(body, timeline.campaign)
    assert "Spring tea sale" in campaign and "clicked" in campaign
    note = item_html(body, timeline.note)
    assert "tl-note" in note and "Allergic to bergamot." in note
    chat = item_html(body, timeline.chat)
    assert "<strong>Ada:</strong>" in chat and "Yes, ships tomorrow." in chat
    survey = item_html(body, timeline.survey)
    assert "Delivery satisfaction" in survey and "Score 9" in survey and "Speed: Great" in survey
    # Every channel has its icon colour class and its own include.
    for channel in ("email", "sms", "call", "meeting", "letter", "fax", "web_visit",
                    "campaign_response", "note", "chat", "survey"):
        assert f'data-channel="{channel}"' in body


def test_odd_metadata_shapes_never_break_the_page(client_as: Any, world: Any) -> None:
    ada = world.alice_customer
    record(ada, "call", "outbound", timezone.now(), role="callee",
           metadata={"duration_seconds": "n/a", "wait_seconds": None, "outcome": {"a": 1}})
    record(ada, "web_visit", "inbound", timezone.now(), role="visitor",
           metadata={"pages": "/just-one", "referrer": ["x"]})
    record(ada, "meeting", "inbound", timezone.now(), role="attendee",
           metadata={"attendees": "Ada", "location": 42})
    record(ada, "survey", "inbound", timezone.now(), role="respondent",
           metadata={"answers": ["Yes", {"question": "Why", "answer": "Tea"}], "nps": 10})
    record(ada, "chat", "inbound", timezone.now(), role="from", metadata={"messages": ["hi", 3]})
    response = view(client_as("alice"), ada)
    assert response.status_code == 200
    body = response.content.decode()
    assert "/just-one" in body and "NPS 10" in body


def test_html_in_captured_content_is_escaped(client_as: Any, world: Any) -> None:
    record(world.alice_customer, "email", "inbound", timezone.now(), role="from",
           subject="<script>alert(1)</script>", text="<img src=x onerror=alert(2)>",
           metadata={"pages": ["<b>"]})
    body = view(client_as("alice"), world.alice_customer).content.decode()
    assert "<script>alert(1)" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_transactions_with_lines_and_totals_per_currency(client_as: Any, world: Any,
                                                         purchases: Any) -> None:
    body = view(client_as("alice"), world.alice_customer).content.decode()
    side = body.split('id="transactions"')[1]
    assert "£30.00" in side  # 45 purchased - 15 refunded
    assert "€1,200.50" in side
    assert "£15.00 refunded" in side
    assert "1 purchase" in side
    assert "Darjeeling 250g" in side and "2 \u00d7 £15.00" in side and "Assam 250g" in side
    assert "Tea ceremony set" in side
    assert "Refund" in side and "\u2212£15.00" in side


def test_transactions_page_on_with_a_cursor(client_as: Any, world: Any) -> None:
    from datetime import timedelta

    from accord.transactions.services import TransactionInput, record_transaction

    for n in range(13):
        record_transaction(actor=SYSTEM, item=TransactionInput(
            customer_id=world.alice_customer.pk, amount=f"{n + 1}.00", currency="GBP",
            occurred_at=timezone.now() - timedelta(days=n)))
    client = client_as("alice")
    body = view(client, world.alice_customer).content.decode()
    assert body.count('class="txn txn-purchase"') == 10
    more = re.search(r'hx-get="(/customers/\d+/transactions/\?cursor=[^"]+)"', body)
    assert more
    rest = client.get(more.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true")
    assert rest.status_code == 200
    assert rest.content.decode().count('class="txn txn-purchase"') == 3
    for cursor in ("zzz", "WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzAxOjAwIiwxXQ"):  # garbage, year 1
        bad = client.get(f"/customers/{world.alice_customer.pk}/transactions/?cursor={cursor}",
                         HTTP_HX_REQUEST="true")
        assert bad.status_code == 400 and "alert-error" in bad.content.decode()


@pytest.mark.parametrize(("user", "visible"), [
    ("admin", True), ("analyst", True), ("manager", True), ("alice", True), ("bob", False),
])
def test_access_by_role(client_as: Any, world: Any, user: str, visible: bool) -> None:
    response = view(client_as(user), world.alice_customer)
    assert response.status_code == (200 if visible else 404)


def test_not_yours_answers_exactly_like_not_there(client_as: Any, world: Any,
                                                  timeline: Any) -> None:
    client = client_as("alice")
    hidden = client.get(f"/customers/{world.bob_customer.pk}/")
    missing = client.get("/customers/987654/")
    assert hidden.status_code == missing.status_code == 404
    # CSRF tokens are masked afresh on every response; everything else must be equal.
    token = re.compile(rb'"X-CSRFToken": "[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", hidden.content) == token.sub(b"", missing.content)
    assert b"Bea" not in hidden.content
    for suffix in ("timeline/", "transactions/", "timeline/?cursor=abc"):
        assert client.get(f"/customers/{world.bob_customer.pk}/{suffix}").status_code == 404


def test_huge_or_odd_ids_are_404_not_500(client_as: Any, world: Any) -> None:
    client = client_as("alice")
    for path in ("/customers/99999999999999999999999/", "/customers/-1/",
                 "/customers/abc/", "/attachments/99999999999999999999999/"):
        assert client.get(path).status_code == 404


def test_organisation_shows_its_people(client_as: Any, world: Any) -> None:
    org = create_customer(actor=SYSTEM, display_name="Analytical Engines Ltd",
                          kind="organisation", team_id=world.north.pk)
    create_customer(actor=SYSTEM, display_name="Charles Babbage", organisation_id=org.pk,
                    team_id=world.north.pk)
    create_customer(actor=SYSTEM, display_name="Secret Person", organisation_id=org.pk,
                    team_id=world.south.pk)
    body = view(client_as("alice"), org).content.decode()
    people = body.split('id="people"')[1].split("</section>")[0]
    assert "Charles Babbage" in people and "Secret Person" not in people


def test_person_links_to_their_organisation(client_as: Any, world: Any) -> None:
    org = create_customer(actor=SYSTEM, display_name="Analytical Engines Ltd",
                          kind="organisation", team_id=world.north.pk)
    person = create_customer(actor=SYSTEM, display_name="Charles Babbage",
                             organisation_id=org.pk, team_id=world.north.pk)
    body = view(client_as("alice"), person).content.decode()
    assert f'<a href="/customers/{org.pk}/">Analytical Engines Ltd</a>' in body


def test_merged_records_are_noted_and_their_history_shown(client_as: Any, world: Any) -> None:
    dup = create_customer(actor=SYSTEM, display_name="A. Lovelace", team_id=world.north.pk)
    record(dup, "letter", "inbound", timezone.now(), role="from", subject="From the duplicate")
    merge_customers(actor=SYSTEM, survivor_id=world.alice_customer.pk, loser_id=dup.pk)
    client = client_as("alice")
    body = view(client, world.alice_customer).content.decode()
    assert 'id="merged"' in body and "A. Lovelace" in body and "From the duplicate" in body
    loser = view(client, dup).content.decode()
    assert "This record was merged into" in loser


def test_customer_view_queries_do_not_grow_with_the_timeline(client_as: Any, world: Any,
                                                            timeline: Any,
                                                            purchases: Any) -> None:
    client = client_as("alice")
    with CaptureQueriesContext(connection) as few:
        view(client, world.alice_customer)
    for n in range(40):
        record(world.alice_customer, "email", "inbound", timezone.now(), role="from",
               subject=f"More {n}")
    with CaptureQueriesContext(connection) as many:
        body = view(client, world.alice_customer).content.decode()
    assert body.count('class="tl-item') == TIMELINE_PAGE
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 35
    # The only aggregate is the per-customer totals (GROUP BY currency over one customer).
    assert not any("COUNT(*)" in q["sql"].upper() for q in many.captured_queries)
