"""Domain events through a transactional outbox (DESIGN.md section 3).

A service calls ``publish(event)`` inside its transaction: the event becomes an
``OutboxEvent`` row, committed or rolled back together with the change. After commit the
dispatcher hands pending rows to the subscribers each app registered in its
``AppConfig.ready()``. A crash between commit and delivery loses nothing: ``accord
worker`` delivers whatever is still pending. Handlers must therefore be idempotent.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import F

from accord.platform import clock
from accord.platform.bulk import copy_rows, db_time
from accord.platform.models import OutboxEvent

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class DomainEvent:
    """Base of every event: a frozen, JSON-serialisable fact in the past tense."""

    def to_payload(self) -> dict[str, Any]:
        # Shallow: events hold JSON values, and this runs once per captured item.
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Any], None]

_event_types: dict[str, type[DomainEvent]] = {}
_subscribers: dict[str, list[Handler]] = defaultdict(list)
# Handlers that take a list of events: delivered a batch per transaction, for
# subscribers that would otherwise do per event what one query can do for hundreds.
_batch_subscribers: dict[str, list[Callable[[list[Any]], None]]] = defaultdict(list)
# Optional, per batch subscriber: whether it wants events published now at all.
_interest: dict[Callable[[list[Any]], None], Callable[[], bool]] = {}


def event_type(cls: type[E]) -> type[E]:
    """Class decorator: register an event class under its name."""
    _event_types[cls.__name__] = cls
    return cls


def subscribe(cls: type[E], handler: Callable[[E], None]) -> None:
    """Register a handler; called from an app's ``ready()``. Duplicates are ignored."""
    handlers = _subscribers[cls.__name__]
    if handler not in handlers:
        handlers.append(handler)


def subscribe_batch(cls: type[E], handler: Callable[[list[E]], None], *,
                    interested: Callable[[], bool] | None = None) -> None:
    """Register a handler that receives pending events of ``cls`` a batch at a time,
    delivered together in one transaction (so it must be idempotent for the whole
    batch: a failure leaves every event of it pending). ``interested``, asked when an
    event is published, lets a handler that would do nothing now (no campaign to look
    for) spare the delivery."""
    handlers = _batch_subscribers[cls.__name__]
    if handler not in handlers:
        handlers.append(handler)
    if interested is not None:
        _interest[handler] = interested


def _heard(name: str) -> bool:
    if _subscribers.get(name):
        return True
    return any(_interest.get(h, _always)() for h in _batch_subscribers.get(name, ()))


def _always() -> bool:
    return True


def publish(event: DomainEvent) -> None:
    """Write the event to the outbox in the current transaction; deliver after commit.
    An event nobody subscribes to is stored as delivered: kept, with nothing to do."""
    publish_many([event])


def publish_many(events: Sequence[DomainEvent]) -> None:
    """``publish`` for a batch (a capture batch): one insert, one delivery after commit."""
    if not events:
        return
    now = db_time(clock.now())
    rows = []
    wanted: dict[str, bool] = {}  # asked once per event type, not once per event
    for event in events:
        name = type(event).__name__
        if name not in _event_types:
            raise TypeError(f"{name} is not registered with @event_type")
        if name not in wanted:
            wanted[name] = _heard(name)
        pending = wanted[name]
        rows.append((name, json.dumps(event.to_payload()), now,
                     None if pending else now, 0, ""))
    copy_rows(OutboxEvent._meta.db_table,
              ("name", "payload", "created_at", "dispatched_at", "attempts", "last_error"),
              rows)
    if any(wanted.values()):
        _dispatch_after_commit()


def _dispatch_after_commit() -> None:
    """One delivery per transaction, however many events it published: the dispatcher
    reads every pending event anyway. A delivery registered inside a savepoint we are not
    in could be rolled back without us, so only one at our level or outside counts."""
    connection = transaction.get_connection()
    here = set(connection.savepoint_ids)
    for entry in getattr(connection, "run_on_commit", []):
        if len(entry) > 1 and entry[1] is _deliver_now and set(entry[0]) <= here:
            return
    transaction.on_commit(_deliver_now)


class _BackgroundDelivery:
    """A thread of a serving process that delivers what requests published, so no
    request waits for the subscribers of its own events (nor for another write
    transaction on SQLite). Events are in the outbox already: if the process dies first,
    the next delivery or `accord worker` picks them up."""

    def __init__(self) -> None:
        self._wanted = threading.Event()
        self._thread = threading.Thread(target=self._run, name="accord-outbox", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wanted.set()

    def _run(self) -> None:
        from django.db import close_old_connections

        while True:
            self._wanted.wait()
            self._wanted.clear()
            close_old_connections()
            try:
                while dispatch_pending() > 0:
                    pass
            except Exception:  # logged; the next wake tries again
                log.exception("delivering outbox events failed")


_background: _BackgroundDelivery | None = None


def deliver_in_background() -> None:
    """From now on this process delivers events in a background thread (``accord serve``
    workers call it at start-up); otherwise delivery runs right after the commit."""
    global _background
    if _background is None:
        _background = _BackgroundDelivery()


def _deliver_now() -> None:
    if _background is not None:
        _background.wake()
    else:
        dispatch_pending()


def dispatch_pending(limit: int = 500) -> int:
    """Deliver pending events in order; returns how many were delivered.

    Each event is delivered in its own transaction: its handlers' writes and the
    'dispatched' mark commit together, so a failure leaves it pending for a retry."""
    delivered = 0
    pending = list(
        OutboxEvent.objects.filter(dispatched_at__isnull=True)
        .order_by("id")
        .values_list("id", "name")[:limit]
    )
    # Nobody listens to these (yet): there is nothing to deliver, so mark them in one
    # statement instead of a transaction each (a capture batch publishes hundreds).
    unheard = [event_id for event_id, name in pending
               if name in _event_types and not _subscribers.get(name)
               and not _batch_subscribers.get(name)]
    if unheard:
        delivered += OutboxEvent.objects.filter(id__in=unheard, dispatched_at__isnull=True) \
            .update(dispatched_at=clock.now(), attempts=F("attempts") + 1)
    batched = [(event_id, name) for event_id, name in pending
               if _batch_subscribers.get(name) and not _subscribers.get(name)]
    delivered += _deliver_batches(batched)
    heard = set(unheard) | {event_id for event_id, _ in batched}
    for event_id in (event_id for event_id, _ in pending if event_id not in heard):
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


def _deliver_batches(pending: list[tuple[int, str]]) -> int:
    """Events whose subscribers all take batches: one transaction per event type."""
    by_name: dict[str, list[int]] = defaultdict(list)
    for event_id, name in pending:
        by_name[name].append(event_id)
    delivered = 0
    for name, ids in by_name.items():
        try:
            with transaction.atomic():
                rows = list(OutboxEvent.objects.select_for_update(skip_locked=True)
                            .filter(id__in=ids, dispatched_at__isnull=True).order_by("id"))
                if not rows:
                    continue
                cls = _event_types[name]
                events = [cls(**row.payload) for row in rows]
                for handler in _batch_subscribers[name]:
                    handler(events)
                delivered += OutboxEvent.objects.filter(id__in=[r.id for r in rows]).update(
                    dispatched_at=clock.now(), attempts=F("attempts") + 1)
        except Exception as exc:  # a failing subscriber must not stop the others
            log.exception("delivering %d outbox events %s failed", len(ids), name)
            OutboxEvent.objects.filter(id__in=ids, dispatched_at__isnull=True).update(
                attempts=F("attempts") + 1, last_error=repr(exc)[:2000])
    return delivered


def _deliver(row: OutboxEvent) -> None:
    cls = _event_types.get(row.name)
    if cls is None:
        log.warning("outbox event %s has no registered type; marking delivered", row.name)
        return
    event = cls(**row.payload)
    for handler in _subscribers.get(row.name, []):
        handler(event)


    for batch_handler in _batch_subscribers.get(row.name, []):  # beside per-event ones
        batch_handler([event])
