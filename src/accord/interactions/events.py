"""Events the interactions app publishes through the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from accord.platform.events import DomainEvent, event_type


@event_type
@dataclass(frozen=True)
class InteractionRecorded(DomainEvent):
    interaction_id: int
    customer_ids: list[int]
    channel: str
    direction: str
    occurred_at: str
