"""Recording interactions: matching, idempotency, attachments, events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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


def test_banner_from_the_first_page_equals_the_banner_queried(
        world: Any, django_assert_num_queries: Any) -> None:
    now = datetime.now(UTC)
    ada = world.alice_customer

    def banner(page: Any) -> list[str]:
        return [b.text for b in selectors.recent_activity(world.alice, ada.pk, now=now,
                                                          customer=ada, newest=page)]

    # Two recent items, then older ones: a first page of three reaches past the window.
    _email(external_id="r1", occurred_at=now - timedelta(hours=2))
    _email(external_id="r2", channel="sms", occurred_at=now - timedelta(hours=1))
    _email(external_id="old", channel="call", occurred_at=now - timedelta(days=3))
    _email(external_id="older", channel="call", occurred_at=now - timedelta(days=4))
    page = selectors.timeline(world.alice, ada.pk, limit=3)
    assert page.next_cursor
    with django_assert_num_queries(0):
        from_page = banner(page)
    assert from_page == banner(None)
    assert [b.split()[0] for b in from_page] == ["email", "SMS"]
    # A page that ends inside the window cannot tell what came before: it is queried.
    for n in range(3):
        _email(external_id=f"busy{n}", occurred_at=now - timedelta(minutes=10 + n))
    busy = selectors.timeline(world.alice, ada.pk, limit=3)
    assert len(banner(busy)) == len(banner(None)) == 5


def test_timeline_loads_files_only_for_items_that_have_them(
        world: Any, django_assert_max_num_queries: Any) -> None:
    _email(external_id="plain")
    _email(external_id="with-file", occurred_at=at(1),
           attachments=[AttachmentInput("a.pdf", b"%PDF-1.4 x")])
    page = selectors.timeline(world.alice, world.alice_customer.pk)
    assert [len(i.attachment_list) for i in page.items] == [0, 1]
    assert page.items[1].attachment_list[0].filename == "a.pdf"
    _email(external_id="plain-2", occurred_at=at(2))
    # customer, page, participants: no attachment query for a page without files
    with django_assert_max_num_queries(3):
        plain = selectors.timeline(world.alice, world.alice_customer.pk, limit=1)
    assert plain.items[0].attachment_list == []
