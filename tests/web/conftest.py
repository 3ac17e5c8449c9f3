"""Page-test fixtures: a timeline on every channel for Ada (alice's customer), with
attachments and transactions, and clients signed in as each role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from accord.interactions.services import AttachmentInput, ParticipantInput, record_interaction
from accord.platform.actors import SYSTEM
from accord.transactions.services import LineInput, TransactionInput, record_transaction

NOW = datetime.now(UTC).replace(microsecond=0)


def record(customer: Any, channel: str, direction: str, when: datetime, *, role: str = "to",
           parties: tuple[ParticipantInput, ...] = (), **fields: Any) -> Any:
    """Record one interaction on ``customer``'s timeline (plus any other parties)."""
    participants = (ParticipantInput(role=role, customer_id=customer.pk), *parties)
    return record_interaction(actor=SYSTEM, channel=channel, direction=direction,
                              occurred_at=when, participants=participants, **fields).interaction


@dataclass
class Timeline:
    ada: Any
    email: Any
    sms: Any
    call: Any
    meeting: Any
    letter: Any
    fax: Any
    web_visit: Any
    campaign: Any
    note: Any
    chat: Any
    survey: Any
    bob_letter: Any


@pytest.fixture
def timeline(world: Any) -> Timeline:
    ada, bea = world.alice_customer, world.bob_customer
    hours = lambda n: NOW - timedelta(hours=n)  # noqa: E731 - reads better inline here
    days = lambda n: NOW - timedelta(days=n)  # noqa: E731
    email = record_interaction(
        actor=SYSTEM, channel="email", direction="outbound", occurred_at=hours(3),
        subject="Your renewal quote", text="Dear Ada, please find the quote attached.",
        participants=[ParticipantInput(role="from", kind="email", value="alice@accord.example"),
                      ParticipantInput(role="to", kind="email", value="ADA@example.com")],
        attachments=[AttachmentInput("quote.pdf", b"%PDF-1.4 quote", "application/pdf")],
    ).interaction
    sms = record_interaction(
        actor=SYSTEM, channel="sms", direction="inbound", occurred_at=hours(1),
        text="Can you call me after 5?",
        participants=[ParticipantInput(role="from", kind="phone", value="07911 123456")],
    ).interaction
    return Timeline(
        ada=ada,
        email=email,
        sms=sms,
        call=record(ada, "call", "inbound", days(2), role="caller",
                    metadata={"duration_seconds": 312, "wait_seconds": 45}),
        meeting=record(ada, "meeting", "outbound", days(3), role="attendee",
                       subject="Quarterly review",
                       metadata={"location": "Kensington office",
                                 "attendees": ["Ada Lovelace",
                                               {"name": "Alice Consultant"}]}),
        letter=record(ada, "letter", "inbound", days(4), role="from", subject="Signed contract",
                      attachments=[AttachmentInput("contract.pdf", b"%PDF-1.4 signed",
                                                   "application/pdf")]),
        fax=record(ada, "fax", "inbound", days(5), role="from", subject="Purchase order 881",
                   attachments=[AttachmentInput("po-881.tiff", b"II*\x00fax", "image/tiff")]),
        web_visit=record(ada, "web_visit", "inbound", days(6), role="visitor",
                         metadata={"pages": ["/pricing", "/products/darjeeling",
                                             {"url": "/checkout", "title": "Checkout"}]}),
        campaign=record(ada, "campaign_response", "inbound", days(7), role="respondent",
                        subject="Spring newsletter",
                        metadata={"campaign": "Spring tea sale", "response": "clicked"}),
        note=record(ada, "note", "internal", days(8), role="subject",
                    text="Prefers morning calls.\nAllergic to bergamot."),
        chat=record(ada, "chat", "inbound", days(9), role="from",
                    metadata={"messages": [{"from": "Ada", "text": "Is Darjeeling in stock?"},
                                           {"from": "Agent", "text": "Yes, ships tomorrow."}]}),
        survey=record(ada, "survey", "inbound", days(10), role="respondent",
                      text="Quick delivery, lovely tea.",
                      metadata={"survey": "Delivery satisfaction", "score": 9,
                                "answers": {"Speed": "Great"}}),
        bob_letter=record(bea, "letter", "inbound", days(1), role="from", subject="Bea's letter",
                          attachments=[AttachmentInput("bea.txt", b"private", "text/plain")]),
    )


@pytest.fixture
def purchases(world: Any) -> list[Any]:
    ada = world.alice_customer
    items = [
        TransactionInput(customer_id=ada.pk, occurred_at=NOW - timedelta(days=30),
                         amount="45.00", currency="GBP", external_id="o-1",
                         lines=[LineInput(unit_price="15.00", quantity=2, sku="TEA-DJ",
                                          name="Darjeeling 250g"),
                                LineInput(unit_price="15.00", quantity="1", sku="TEA-AS",
                                          name="Assam 250g")]),
        TransactionInput(customer_id=ada.pk, occurred_at=NOW - timedelta(days=20),
                         amount="15.00", currency="GBP", kind="refund", external_id="r-1"),
        TransactionInput(customer_id=ada.pk, occurred_at=NOW - timedelta(days=10),
                         amount="1200.50", currency="EUR", external_id="o-2",
                         lines=[LineInput(unit_price="1200.50", description="Tea ceremony set")]),
    ]
    return [record_transaction(actor=SYSTEM, item=item).transaction for item in items]


@pytest.fixture
def client_as(world: Any) -> Callable[[str], Client]:
    """A Django test client signed in as one of the world's users."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(world.users[name])
        return client

    return make
