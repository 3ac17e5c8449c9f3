"""Events the analytics app publishes: a customer's standing moved, for rules to act on."""

from __future__ import annotations

from dataclasses import dataclass

from accord.platform.events import DomainEvent, event_type


@event_type
@dataclass(frozen=True)
class CustomerSegmentChanged(DomainEvent):
    customer_id: int
    previous: str  # "" when the customer had no scores yet
    current: str


@event_type
@dataclass(frozen=True)
class ChurnBandChanged(DomainEvent):
    customer_id: int
    previous: str
    current: str
    churn_risk: float


@event_type
@dataclass(frozen=True)
class ModelRunFinished(DomainEvent):
    run_id: int
    customers: int
