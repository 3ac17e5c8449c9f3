"""record_captured: a batch of captured items written in a few statements reads back
exactly as one-by-one recording would have written it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from accord.interactions.models import Attachment, Interaction, Participant
from accord.interactions.services import AttachmentInput, CapturedInteraction, record_captured
from accord.platform.actors import SYSTEM
from accord.platform.errors import InvalidInput
from accord.platform.models import AuditEntry, OutboxEvent
from tests.conftest import at


def _item(n: int, customer_ids: list[int], **extra: Any) -> CapturedInteraction:
    return CapturedInteraction(
        channel="email", direction="inbound", occurred_at=at(n), source="batch-test",
        external_id=f"b{n}", participants=[*((c, "from", "") for c in customer_ids),
                                           (None, "to", "sales@accord.example")],
        subject=f"Subject {n}", text=f"Text {n} é ✓", thread_key=f"thread-{n}",
        metadata={"n": n, "nested": {"list": [1, "two"]}}, **extra)


@pytest.mark.django_db
def test_a_batch_reads_back_like_single_records(world: Any) -> None:
    ada, niels = world.alice_customer.pk, world.north_customer.pk
    with transaction.atomic():
        ids = record_captured(actor=SYSTEM, items=[
            _item(1, [ada]),
            _item(2, [ada, niels, ada],  # a customer twice: one timeline entry
                  attachments=[AttachmentInput(filename="quote.pdf", content=b"%PDF-1")]),
        ])
    first, second = Interaction.objects.get(pk=ids[0]), Interaction.objects.get(pk=ids[1])
    assert (first.subject, first.text, first.thread_key) == ("Subject 1", "Text 1 é ✓",
                                                             "thread-1")
    assert first.metadata == {"n": 1, "nested": {"list": [1, "two"]}}
    assert first.occurred_at == at(1) and second.occurred_at == at(2)
    people = list(Participant.objects.filter(interaction_id=ids[1]).order_by("id")
                  .values_list("customer_id", "role", "address", "occurred_at", "channel"))
    assert people == [(ada, "from", "", at(2), "email"), (niels, "from", "", at(2), "email"),
                      (None, "to", "sales@accord.example", at(2), "email")]
    [attachment] = Attachment.objects.filter(interaction_id=ids[1])
    assert (attachment.filename, attachment.content_type, attachment.size) == \
        ("quote.pdf", "application/pdf", 6)
    audits = AuditEntry.objects.filter(action="interaction.recorded").order_by("id")
    assert [a.subject_id for a in audits] == [str(i) for i in ids]
    assert audits[1].after["customers"] == sorted([ada, niels])
    events = OutboxEvent.objects.filter(name="InteractionRecorded").order_by("id")
    assert [e.payload["interaction_id"] for e in events] == ids


@pytest.mark.django_db
def test_an_item_already_present_fails_the_whole_batch(world: Any) -> None:
    ada = world.alice_customer.pk
    with transaction.atomic():
        record_captured(actor=SYSTEM, items=[_item(1, [ada])])
    with pytest.raises(IntegrityError), transaction.atomic():
        record_captured(actor=SYSTEM, items=[_item(2, [ada]), _item(1, [ada])])
    assert Interaction.objects.filter(source="batch-test").count() == 1


@pytest.mark.django_db
def test_bad_items_are_refused_by_position(world: Any) -> None:
    good = _item(1, [world.alice_customer.pk])
    bad = CapturedInteraction(channel="pigeon", direction="inbound", occurred_at=at(1),
                              source="s", external_id="x", participants=[(None, "from", "a")])
    with pytest.raises(InvalidInput) as refused:
        record_captured(actor=SYSTEM, items=[good, bad])
    assert refused.value.field == "items[1].channel"
    assert not Interaction.objects.filter(source="batch-test").exists()
