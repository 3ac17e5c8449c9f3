"""create_captured_people: the batch path makes the same customers create_customer does."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from accord.customers import selectors
from accord.customers.domain.identities import normalise_identity
from accord.customers.domain.kinds import IdentityKind
from accord.customers.models import Customer, Identity
from accord.customers.services import create_captured_people
from accord.platform.actors import SYSTEM
from accord.platform.errors import InvalidInput
from accord.platform.models import AuditEntry, OutboxEvent

pytestmark = pytest.mark.django_db


def _email(value: str) -> Any:
    return normalise_identity(IdentityKind.EMAIL, value, default_region="GB")


def test_people_come_with_their_identity_name_keys_audit_and_events(world: Any) -> None:
    with transaction.atomic():
        ids = create_captured_people(actor=SYSTEM, source="email", people=[
            ("Grace Hopper", _email("Grace@Navy.example")), ("lin", _email("lin@x.example"))])
    grace = Customer.objects.get(pk=ids[0])
    assert (grace.kind, grace.display_name, grace.owner_id) == ("person", "Grace Hopper", None)
    assert Identity.objects.get(customer=grace).value == "grace@navy.example"
    found = selectors.search_customers(world.admin, q="hopp").items
    assert [c.pk for c in found] == [grace.pk]
    assert AuditEntry.objects.filter(action="customer.created",
                                     subject_id__in=[str(i) for i in ids]).count() == 2
    names = list(OutboxEvent.objects.order_by("-id").values_list("name", flat=True)[:4])
    assert sorted(names) == ["CustomerCreated", "CustomerCreated", "IdentityAdded",
                             "IdentityAdded"]


def test_a_taken_identity_fails_the_whole_batch(world: Any) -> None:
    before = Customer.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        create_captured_people(actor=SYSTEM, source="email", people=[
            ("New", _email("new@x.example")), ("Ada", _email("ada@example.com"))])
    assert Customer.objects.count() == before


def test_junk_addresses_are_refused(world: Any) -> None:
    with pytest.raises(InvalidInput):
        create_captured_people(actor=SYSTEM, source="email",
                               people=[("x", _email("noreply@x.example"))])
