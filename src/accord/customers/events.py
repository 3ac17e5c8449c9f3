"""Events the customers app publishes through the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from accord.platform.events import DomainEvent, event_type


@event_type
@dataclass(frozen=True)
class CustomerCreated(DomainEvent):
    customer_id: int


@event_type
@dataclass(frozen=True)
class CustomerUpdated(DomainEvent):
    customer_id: int
    fields: list[str]


@event_type
@dataclass(frozen=True)
class IdentityAdded(DomainEvent):
    customer_id: int
    kind: str
    value: str


@event_type
@dataclass(frozen=True)
class CustomersMerged(DomainEvent):
    merge_id: int
    survivor_id: int
    loser_id: int


@event_type
@dataclass(frozen=True)
class CustomersUnmerged(DomainEvent):
    merge_id: int
    survivor_id: int
    loser_id: int
