"""New people found by capture, created a batch at a time: a mail import meets thousands
of senders nobody knows, and creating each through ``create_customer`` costs a dozen
statements. Same rows, audit and events as ``create_customer``, in a few statements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accord.accounts.access import ensure_can_write
from accord.customers.domain.identities import NormalisedIdentity, is_junk, name_search_keys
from accord.customers.events import CustomerCreated, IdentityAdded
from accord.customers.models import Customer, Identity, NameKey
from accord.customers.services.records import apply_names, snapshot
from accord.platform import clock
from accord.platform.audit import record_audits
from accord.platform.errors import InvalidInput
from accord.platform.events import DomainEvent, publish_many


def create_captured_people(*, actor: Any, people: Sequence[tuple[str, NormalisedIdentity]],
                           source: str) -> list[int]:
    """A person per (display name, identity), unowned, with that identity; returns their
    ids in order. Inside the caller's transaction: an identity somebody has meanwhile
    taken fails the whole batch (IntegrityError), for the caller to redo one by one."""
    ensure_can_write(actor)
    now = clock.now()
    customers = []
    for n, (name, identity) in enumerate(people):
        if is_junk(identity):
            raise InvalidInput(f"{identity.display!r} cannot identify one customer.",
                               field=f"people[{n}]")
        customer = Customer(kind="person", display_name=name[:200], created_at=now,
                            updated_at=now)
        apply_names(customer)
        customers.append(customer)
    Customer.objects.bulk_create(customers)
    NameKey.objects.bulk_create([NameKey(customer=c, key=k) for c in customers
                                 for k in name_search_keys(c.display_name)])
    Identity.objects.bulk_create([
        Identity(customer=c, kind=i.kind.value, value=i.value, display=i.display,
                 verified=False, source=source, first_seen=now, last_seen=now)
        for c, (_, i) in zip(customers, people, strict=True)])
    record_audits(actor=actor, action="customer.created", subject_type="customer",
                  entries=[(c.pk, snapshot(c)) for c in customers])
    events: list[DomainEvent] = [CustomerCreated(customer_id=c.pk) for c in customers]
    events += [IdentityAdded(customer_id=c.pk, kind=i.kind.value, value=i.value)
               for c, (_, i) in zip(customers, people, strict=True)]
    publish_many(events)
    return [int(c.pk) for c in customers]
