"""Domain events through a transactional outbox (DESIGN.md section 3).

A service calls ``publish(event)`` inside its transaction: the event becomes an
``OutboxEvent`` row, committed or rolled back together with the change. After commit the
dispatcher hands pending rows to the subscribers each app registered in its
``AppConfig.ready()``. A crash between commit and delivery loses nothing: ``accord
worker`` delivers whatever is still pending. Handlers must therefore be idempotent.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import F

from accord.platform import clock
from accord.platform.models import OutboxEvent

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class DomainEvent:
    """Base of every event: a frozen, JSON-serialisable fact in the past tense."""

    def to_payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Any], None]

_event_types: dict[str, type[DomainEvent]] = {}
_subscribers: dict[str, list[Handler]] = defaultdict(list)


def event_type(cls: type[E]) -> type[E]:
    """Class decorator: register an event class under its name."""
    _event_types[cls.__name__] = cls
    return cls


def subscribe(cls: type[E], handler: Callable[[E], None]) -> None:
    """Register a handler; called from an app's ``ready()``. Duplicates are ignored."""
    handlers = _subscribers[cls.__name__]
    if handler not in handlers:
        handlers.append(handler)


def publish(event: DomainEvent) -> None:
    """Write the event to the outbox in the current transaction; deliver after commit."""
    name = type(event).__name__
    if name not in _event_types:
        raise TypeError(f"{name} is not registered with @event_type")
    OutboxEvent.objects.create(name=name, payload=event.to_payload(), created_at=clock.now())
    transaction.on_commit(dispatch_pending)


def dispatch_pending(limit: int = 500) -> int:
    """Deliver pending events in order; returns how many were delivered.

    Each event is delivered in its own transaction: its handlers' writes and the
    'dispatched' mark commit together, so a failure leaves it pending for a retry."""
    delivered = 0
    pending = list(
        OutboxEvent.objects.filter(dispatched_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    for event_id in pending:
        try:
            with transaction.atomic():
                row = (
                    OutboxEvent.objects.select_for_update(skip_locked=True)
                    .filter(id=event_id, dispatched_at__isnull=True)
                    .first()
                )
                if row is None:  # another dispatcher took it
                    continue
                _deliver(row)
                row.dispatched_at = clock.now()
                row.attempts += 1
                row.save(update_fields=["dispatched_at", "attempts"])
                delivered += 1
        except Exception as exc:  # a failing subscriber must not stop the others
            log.exception("delivering outbox event %s failed", event_id)
            OutboxEvent.objects.filter(id=event_id).update(
                attempts=F("attempts") + 1, last_error=repr(exc)[:2000]
            )
    return delivered


def _deliver(row: OutboxEvent) -> None:
    cls = _event_types.get(row.name)
    if cls is None:
        log.warning("outbox event %s has no registered type; marking delivered", row.name)
        return
    event = cls(**row.payload)
    for handler in _subscribers.get(row.name, []):
        handler(event)


