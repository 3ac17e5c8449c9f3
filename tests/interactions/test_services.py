"""Recording interactions: matching, idempotency, attachments, events."""

from __future__ import annotations

from typing import Any

import pytest

from accord.customers.services import merge_customers
from accord.interactions import selectors
from accord.interactions.models import Interaction, Participant
from accord.interactions.services import AttachmentInput, ParticipantInput, record_interaction
from accord.platform import blobs
from accord.platform.actors import SYSTEM
from accord.platform.models import OutboxEvent
from tests.conftest import at

pytestmark = pytest.mark.django_db


def _email(**kw: Any) -> Any:
    args: dict[str, Any] = {
        "actor": SYSTEM, "channel": "email", "direction": "inbound", "occurred_at": at(0),
        "source": "imap:inbox", "external_id": "<abc@mail>",
        "participants": [ParticipantInput(role="from", kind="email", value="Ada@Example.com"),
                         ParticipantInput(role="cc", kind="phone", value="07911 123456"),
                         ParticipantInput(role="to", kind="email", value="who@else.org")]}
    args.update(kw)
    return record_interaction(**args)


def test_participants_match_identities_once_per_customer(world: Any) -> None:
    result = _email()
    rows = Participant.objects.filter(interaction=result.interaction).order_by("id")
    # the email and the phone are both Ada: one timeline entry, first role wins
    assert [(p.customer_id, p.role) for p in rows] == [(world.alice_customer.pk, "from"),
                                                       (None, "to")]
    assert rows[1].address == "who@else.org"
    event = OutboxEvent.objects.get(name="InteractionRecorded")
    assert event.payload["customer_ids"] == [world.alice_customer.pk]


def test_same_item_twice_changes_nothing(world: Any) -> None:
    first = _email(subject="one")
    second = _email(subject="two")
    assert not second.created and second.interaction.pk == first.interaction.pk
    assert Interaction.objects.count() == 1
    assert OutboxEvent.objects.filter(name="InteractionRecorded").count() == 1


def test_attachments_are_content_addressed(world: Any) -> None:
    result = _email(attachments=[AttachmentInput("a.pdf", b"%PDF-1.4 same"),
                                 AttachmentInput("copy.pdf", b"%PDF-1.4 same")])
    a, b = result.interaction.attachments.order_by("id")
    assert a.sha256 == b.sha256 and a.content_type == "application/pdf"
    assert blobs.read(a.sha256) == b"%PDF-1.4 same"
    _, content = selectors.attachment_content(world.alice, a.pk)
    assert content == b"%PDF-1.4 same"


def test_banner_and_latest_interaction(world: Any) -> None:
    _email(external_id="1", occurred_at=at(0, hour=9))
    _email(external_id="2", channel="sms", occurred_at=at(0, hour=11))
    _email(external_id="3", channel="call", occurred_at=at(3))
    latest = selectors.latest_for_customers([world.alice_customer.pk, world.bob_customer.pk])
    assert latest[world.alice_customer.pk].channel == "sms"
    assert world.bob_customer.pk not in latest
    # a record merged into Ada brings its newer history to her "latest"
    _email(external_id="4", channel="letter", occurred_at=at(0, hour=23),
           participants=[ParticipantInput(role="from", customer_id=world.north_customer.pk)])
    merge_customers(actor=SYSTEM, survivor_id=world.alice_customer.pk,
                    loser_id=world.north_customer.pk)
    latest = selectors.latest_for_customers([world.alice_customer.pk])
    assert latest[world.alice_customer.pk].channel == "letter"
