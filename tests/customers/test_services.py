"""Customer services on the database: audit, events, access, merge and undo."""

from __future__ import annotations

from typing import Any

import pytest

from accord.customers import selectors, services
from accord.customers.models import Customer, Identity
from accord.platform.actors import SYSTEM
from accord.platform.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.platform.models import AuditEntry, OutboxEvent

pytestmark = pytest.mark.django_db


def test_every_write_is_audited_with_before_and_after(world: Any) -> None:
    services.update_customer(actor=world.alice, customer_id=world.alice_customer.pk,
                             language="en", preferred_channel="email")
    entry = AuditEntry.objects.filter(action="customer.updated").get()
    assert entry.actor_id == world.alice.pk and entry.actor_label == "alice"
    assert entry.before["language"] == "" and entry.after["language"] == "en"
    assert OutboxEvent.objects.filter(name="CustomerUpdated").get().payload == {
        "customer_id": world.alice_customer.pk, "fields": ["language", "preferred_channel"]}


def test_analysts_read_but_never_write(world: Any) -> None:
    before = Customer.objects.get(pk=world.alice_customer.pk).updated_at
    with pytest.raises(PermissionDenied):
        services.update_customer(actor=world.analyst, customer_id=world.alice_customer.pk,
                                 language="de")
    with pytest.raises(PermissionDenied):
        services.create_customer(actor=world.analyst, given_name="No")
    assert Customer.objects.get(pk=world.alice_customer.pk).updated_at == before
    assert selectors.get_customer(world.analyst, world.bob_customer.pk)


def test_consultants_cannot_touch_other_teams(world: Any) -> None:
    with pytest.raises(NotFound):
        services.update_customer(actor=world.alice, customer_id=world.bob_customer.pk,
                                 language="de")
    with pytest.raises(InvalidInput) as err:
        services.create_customer(actor=world.alice, given_name="X", team_id=world.south.pk)
    assert err.value.field == "team_id"


def test_identity_belongs_to_one_customer(world: Any) -> None:
    with pytest.raises(Conflict):
        services.add_identity(actor=SYSTEM, customer_id=world.bob_customer.pk, kind="email",
                              value="Ada@Example.com")
    same = services.add_identity(actor=SYSTEM, customer_id=world.alice_customer.pk,
                                 kind="email", value="ADA@example.com", verified=True)
    assert same.verified and Identity.objects.filter(value="ada@example.com").count() == 1


def test_people_belong_to_organisations(world: Any) -> None:
    org = services.create_customer(actor=SYSTEM, display_name="Analytical Engines Ltd",
                                   kind="organisation", team_id=world.north.pk)
    services.update_customer(actor=world.alice, customer_id=world.alice_customer.pk,
                             organisation_id=org.pk)
    assert [p.pk for p in selectors.people_of(world.alice, org)] == [world.alice_customer.pk]
    with pytest.raises(InvalidInput) as err:
        services.update_customer(actor=world.alice, customer_id=world.alice_customer.pk,
                                 organisation_id=world.alice_customer.pk)
    assert err.value.field == "organisation_id"


def test_merge_then_undo_restores_everything(world: Any) -> None:
    org = services.create_customer(actor=SYSTEM, display_name="Dup Org", kind="organisation")
    org2 = services.create_customer(actor=SYSTEM, display_name="Dup Org Ltd",
                                    kind="organisation")
    services.update_customer(actor=SYSTEM, customer_id=world.alice_customer.pk,
                             organisation_id=org2.pk)
    merge = services.merge_customers(actor=world.admin, survivor_id=org.pk, loser_id=org2.pk,
                                     choices={"display_name": "loser"})
    assert Customer.objects.get(pk=world.alice_customer.pk).organisation_id == org.pk
    assert Customer.objects.get(pk=org.pk).display_name == "Dup Org Ltd"
    assert selectors.merged_ids(org.pk) == [org.pk, org2.pk]
    services.unmerge_customers(actor=world.admin, merge_id=merge.pk)
    assert Customer.objects.get(pk=world.alice_customer.pk).organisation_id == org2.pk
    assert Customer.objects.get(pk=org.pk).display_name == "Dup Org"
    assert Customer.objects.get(pk=org2.pk).merged_into_id is None
    actions = list(AuditEntry.objects.filter(subject_id=str(org.pk))
                   .values_list("action", flat=True))
    assert "customer.merged" in actions and "customer.unmerged" in actions


def test_later_merges_must_be_undone_first(world: Any) -> None:
    a = services.create_customer(actor=SYSTEM, display_name="A")
    b = services.create_customer(actor=SYSTEM, display_name="B")
    c = services.create_customer(actor=SYSTEM, display_name="C")
    first = services.merge_customers(actor=SYSTEM, survivor_id=a.pk, loser_id=b.pk)
    services.merge_customers(actor=SYSTEM, survivor_id=a.pk, loser_id=c.pk)
    with pytest.raises(Conflict):
        services.unmerge_customers(actor=SYSTEM, merge_id=first.pk)


def test_junk_identifiers_are_refused_and_never_match(world: Any) -> None:
    with pytest.raises(InvalidInput) as err:
        services.create_customer(actor=SYSTEM, given_name="Shop",
                                 identities=[("email", "noreply@shop.example")])
    assert err.value.field == "identities[0].value"
    from accord.customers.domain.identities import normalise_email

    assert selectors.find_by_identity(normalise_email("noreply@shop.example")) is None


def test_name_search_follows_renames_and_merges(world: Any) -> None:
    def found(term: str) -> list[int]:
        return [c.pk for c in selectors.search_customers(world.admin, name=term).items]

    assert found("lovel") == [world.alice_customer.pk]
    services.update_customer(actor=SYSTEM, customer_id=world.alice_customer.pk,
                             display_name="Ada King")
    assert found("lovel") == []
    assert found("king") == [world.alice_customer.pk]
    services.merge_customers(actor=SYSTEM, survivor_id=world.alice_customer.pk,
                             loser_id=world.north_customer.pk)
    assert found("bohr") == []  # the merged record no longer answers searches


def test_name_search_pages_through_every_match(world: Any) -> None:
    for n in range(7):
        services.create_customer(actor=SYSTEM, given_name=f"Pat{n}", family_name="Smithers")
    seen: list[int] = []
    cursor = None
    while True:
        page = selectors.search_customers(world.admin, name="smith", limit=3, cursor=cursor)
        seen += [c.pk for c in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
