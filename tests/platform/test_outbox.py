"""The transactional outbox: events commit with the change and are delivered after it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from accord.platform import events
from accord.platform.events import DomainEvent, dispatch_pending, event_type, publish, subscribe
from accord.platform.models import OutboxEvent


@event_type
@dataclass(frozen=True)
class ThingHappened(DomainEvent):
    n: int


@pytest.fixture
def received() -> Iterator[list[int]]:
    got: list[int] = []

    def handler(event: ThingHappened) -> None:
        got.append(event.n)

    subscribe(ThingHappened, handler)
    yield got
    events._subscribers["ThingHappened"].remove(handler)


@pytest.mark.django_db(transaction=True)
def test_delivered_after_commit_only(received: list[int]) -> None:
    with transaction.atomic():
        publish(ThingHappened(1))
        assert received == []  # not before commit
    assert received == [1]
    assert OutboxEvent.objects.get().dispatched_at is not None


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_publishes_nothing(received: list[int]) -> None:
    def change_that_fails() -> None:
        with transaction.atomic():
            publish(ThingHappened(2))
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert received == []
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_failing_subscriber_leaves_the_event_pending_for_retry(received: list[int]) -> None:
    calls = {"n": 0}

    def flaky(event: ThingHappened) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ValueError("downstream unavailable")

    subscribe(ThingHappened, flaky)
    try:
        publish(ThingHappened(3))  # autocommit: delivered (and failing) at once
        row = OutboxEvent.objects.get()
        assert row.dispatched_at is None
        assert "downstream unavailable" in row.last_error
        assert dispatch_pending() == 1  # the worker's retry
        row.refresh_from_db()
        assert row.dispatched_at is not None and row.attempts == 2
        assert dispatch_pending() == 0  # delivered once, not again
    finally:
        events._subscribers["ThingHappened"].remove(flaky)


def test_unregistered_events_are_refused() -> None:
    @dataclass(frozen=True)
    class Stray(DomainEvent):
        pass

    with pytest.raises(TypeError):
        publish(Stray())


@pytest.mark.django_db
def test_payload_round_trips(received: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        publish(ThingHappened(7))
    assert received == [7]
    assert OutboxEvent.objects.get().payload == {"n": 7}


@event_type
@dataclass(frozen=True)
class BatchHappened(DomainEvent):
    number: int


@pytest.mark.django_db(transaction=True)
def test_batch_subscribers_get_pending_events_together_and_once() -> None:
    received: list[list[int]] = []

    def handler(batch: list[BatchHappened]) -> None:
        received.append([e.number for e in batch])

    events.subscribe_batch(BatchHappened, handler)
    try:
        with transaction.atomic():
            events.publish_many([BatchHappened(number=n) for n in range(5)])
        assert received == [[0, 1, 2, 3, 4]]  # delivered after commit, in one call
        assert events.dispatch_pending() == 0
        assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()
    finally:
        events._batch_subscribers["BatchHappened"].remove(handler)


@pytest.mark.django_db(transaction=True)
def test_a_failing_batch_subscriber_leaves_the_whole_batch_pending() -> None:
    calls = []

    def flaky(batch: list[BatchHappened]) -> None:
        calls.append(len(batch))
        if len(calls) == 1:
            raise RuntimeError("down")

    events.subscribe_batch(BatchHappened, flaky)
    try:
        with transaction.atomic():
            events.publish_many([BatchHappened(number=n) for n in range(3)])
        assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 3
        assert events.dispatch_pending() == 3  # the retry delivers all three
        assert calls == [3, 3]
    finally:
        events._batch_subscribers["BatchHappened"].remove(flaky)
