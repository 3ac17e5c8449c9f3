"""Events the capture app publishes for other apps (consent handling, rules) to act on."""

from __future__ import annotations

from dataclasses import dataclass

from accord.platform.events import DomainEvent, event_type


@event_type
@dataclass(frozen=True)
class OptOutRequested(DomainEvent):
    """A customer asked to stop (or, with ``opt_in``, to restart) contact on a channel:
    an SMS STOP/START, an unsubscribe email. Consent handling honours it."""

    customer_id: int
    channel: str
    opt_in: bool
    source: str
    interaction_id: int | None = None


@event_type
@dataclass(frozen=True)
class AddressBounced(DomainEvent):
    """Mail to this address bounced permanently (a delivery status notification)."""

    address: str
    customer_id: int | None
    interaction_id: int | None = None
