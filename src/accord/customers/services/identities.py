"""Identities: adding, removing, and marking one undeliverable after a bounce."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from accord.customers.domain.identities import NormalisedIdentity, is_junk
from accord.customers.events import IdentityAdded
from accord.customers.models import Customer, Identity
from accord.customers.services.records import normalise, visible_for_write
from accord.platform import clock
from accord.platform.audit import record_audit
from accord.platform.errors import Conflict, InvalidInput, NotFound
from accord.platform.events import publish


def attach_identity(customer: Customer, identity: NormalisedIdentity, *, source: str,
                     verified: bool, field: str = "value") -> Identity:
    if is_junk(identity):
        raise InvalidInput(f"{identity.display!r} is shared or a placeholder (no-reply, "
                           "unknown, 0000000) and cannot identify one customer.", field=field)
    existing = Identity.objects.filter(kind=identity.kind.value, value=identity.value).first()
    now = clock.now()
    if existing is not None:
        if existing.customer_id != customer.pk:
            raise Conflict(f"This {identity.kind.value} already belongs to another customer.",
                           field="value")
        existing.last_seen = now
        existing.verified = existing.verified or verified
        existing.save(update_fields=["last_seen", "verified"])
        return existing
    try:
        with transaction.atomic():
            row = Identity.objects.create(
                customer=customer, kind=identity.kind.value, value=identity.value,
                display=identity.display, verified=verified, source=source,
                first_seen=now, last_seen=now)
    except IntegrityError as exc:  # a concurrent writer took it between check and insert
        raise Conflict(f"This {identity.kind.value} already belongs to another customer.",
                       field="value") from exc
    publish(IdentityAdded(customer_id=customer.pk, kind=row.kind, value=row.value))
    return row


@transaction.atomic
def mark_undeliverable(*, actor: Any, kind: str, value: str,
                       reason: str) -> tuple[int | None, bool]:
    """Note that messages to this identity fail (a bounce). Returns its customer (None
    when nobody has it) and whether this call marked it (an identity already marked is
    left as it is)."""
    identity = normalise(kind, value, field="value")
    row = Identity.objects.filter(kind=identity.kind.value, value=identity.value).first()
    if row is None:
        return None, False
    if row.undeliverable_at is not None:
        return row.customer_id, False
    row.undeliverable_at = clock.now()
    row.undeliverable_reason = reason[:300]
    row.save(update_fields=["undeliverable_at", "undeliverable_reason"])
    record_audit(actor=actor, action="identity.undeliverable", subject_type="customer",
                 subject_id=row.customer_id,
                 after={"kind": row.kind, "value": row.value, "reason": reason[:300]})
    return row.customer_id, True


@transaction.atomic
def add_identity(*, actor: Any, customer_id: int, kind: str, value: str,
                 verified: bool = False, source: str = "") -> Identity:
    customer = visible_for_write(actor, customer_id)
    if customer.merged_into_id:
        raise Conflict("This customer was merged; add identities to the survivor.",
                       field="customer_id")
    identity = attach_identity(customer, normalise(kind, value, field="value"),
                                source=source, verified=verified)
    record_audit(actor=actor, action="identity.added", subject_type="customer",
                 subject_id=customer.pk, after={"kind": identity.kind, "value": identity.value})
    return identity


@transaction.atomic
def remove_identity(*, actor: Any, customer_id: int, identity_id: int) -> None:
    customer = visible_for_write(actor, customer_id)
    identity = Identity.objects.filter(pk=identity_id, customer=customer).first()
    if identity is None:
        raise NotFound(f"Identity {identity_id} not found.", field="identity_id")
    identity.delete()
    record_audit(actor=actor, action="identity.removed", subject_type="customer",
                 subject_id=customer.pk, before={"kind": identity.kind, "value": identity.value})

