"""Events the transactions app publishes through the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from accord.platform.events import DomainEvent, event_type


@event_type
@dataclass(frozen=True)
class TransactionRecorded(DomainEvent):
    transaction_id: int
    customer_id: int
    kind: str
    amount: str
    currency: str
    occurred_at: str
