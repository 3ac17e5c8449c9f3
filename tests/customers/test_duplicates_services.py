"""Duplicate suggestions on the database: finding, dismissing, merging with a chosen
value per field, and undoing a merge so both customers are exactly as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accord.customers import selectors, services
from accord.customers.models import Customer, DuplicateScan, DuplicateSuggestion, Identity
from accord.interactions import selectors as interaction_selectors
from accord.interactions.services import ParticipantInput, record_interaction
from accord.platform import clock
from accord.platform.actors import SYSTEM
from accord.platform.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.platform.models import AuditEntry
from accord.transactions import selectors as transaction_selectors
from accord.transactions.services import TransactionInput, record_transaction

pytestmark = pytest.mark.django_db

WHEN = datetime(2025, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def twins(world: Any) -> tuple[Any, Any]:
    """Ada (alice's, north) and a second record of her made by an email import."""
    org = services.create_customer(actor=SYSTEM, display_name="Analytical Engines Ltd",
                                   kind="organisation", team_id=world.north.pk)
    services.update_customer(actor=SYSTEM, customer_id=world.alice_customer.pk,
                             organisation_id=org.pk)
    services.add_identity(actor=SYSTEM, customer_id=world.alice_customer.pk, kind="address",
                          value="12 St James's Square, London")
    twin = services.create_customer(
        actor=SYSTEM, display_name="Lovelace, Ada", given_name="Ada", family_name="Lovelace",
        team_id=world.north.pk, owner_id=None, language="en", preferred_channel="email",
        lifecycle="lead",
        identities=[("email", "ada.lovelace@engines.example"),
                    ("address", "12 St. James's Sq., London")])
    return world.alice_customer, twin


def pair_of(a: Any, b: Any) -> DuplicateSuggestion:
    x, y = sorted((a.pk, b.pk))
    return DuplicateSuggestion.objects.get(customer_a_id=x, customer_b_id=y)


def test_a_full_run_suggests_the_pair_with_its_reasons(world: Any, twins: Any) -> None:
    ada, twin = twins
    report = services.find_duplicates(actor=world.admin)
    assert report.full and report.new == 1 and report.customers == 6
    suggestion = pair_of(ada, twin)
    assert suggestion.status == "open" and suggestion.score >= 0.65
    assert suggestion.reasons == ["same name", "same address 12 St James's Square, London"]
    entry = AuditEntry.objects.get(action="customers.duplicates_found")
    assert entry.actor_label == "admin" and entry.after["new"] == 1


def test_incremental_runs_look_only_at_what_changed(world: Any, twins: Any) -> None:
    services.find_duplicates(actor=SYSTEM)
    again = services.find_duplicates(actor=SYSTEM)
    assert not again.full and again.customers == 0 and again.new == 0
    assert DuplicateSuggestion.objects.count() == 1
    niels = services.create_customer(actor=SYSTEM, given_name="Neils", family_name="Bohr",
                                     identities=[("address", "1 Blegdamsvej, Copenhagen")])
    services.add_identity(actor=SYSTEM, customer_id=world.north_customer.pk, kind="address",
                          value="1, Blegdamsvej, Copenhagen")
    found = services.find_duplicates(actor=SYSTEM)
    assert found.customers == 2 and found.new == 1
    assert pair_of(world.north_customer, niels).reasons[0] == "names 90% alike"


def test_a_suggestion_whose_evidence_went_is_removed(world: Any, twins: Any) -> None:
    _ada, twin = twins
    services.find_duplicates(actor=SYSTEM)
    address = Identity.objects.get(customer=twin, kind="address")
    services.remove_identity(actor=SYSTEM, customer_id=twin.pk, identity_id=address.pk)
    report = services.find_duplicates(actor=SYSTEM, full=True)
    assert report.removed == 1 and not DuplicateSuggestion.objects.exists()


def test_only_administrators_run_the_finder(world: Any) -> None:
    for name in ("alice", "manager", "analyst"):
        with pytest.raises(PermissionDenied):
            services.find_duplicates(actor=world.users[name])


def test_not_duplicates_is_never_suggested_again(world: Any, twins: Any) -> None:
    ada, twin = twins
    services.find_duplicates(actor=SYSTEM)
    suggestion = services.dismiss_suggestion(actor=world.alice,
                                             suggestion_id=pair_of(ada, twin).pk)
    assert suggestion.status == "dismissed" and suggestion.decided_by == world.alice
    assert services.find_duplicates(actor=SYSTEM, full=True).found == 0
    assert pair_of(ada, twin).status == "dismissed"
    assert selectors.open_duplicates(world.admin).items == []
    with pytest.raises(Conflict):
        services.dismiss_suggestion(actor=world.alice, suggestion_id=suggestion.pk)
    services.reopen_suggestion(actor=world.alice, suggestion_id=suggestion.pk)
    assert [s.pk for s in selectors.open_duplicates(world.admin).items] == [suggestion.pk]


def test_a_suggestion_exists_only_for_who_may_see_both(world: Any, twins: Any) -> None:
    ada, twin = twins
    services.find_duplicates(actor=SYSTEM)
    suggestion = pair_of(ada, twin)
    assert selectors.open_duplicates(world.bob).items == []
    with pytest.raises(NotFound):
        selectors.get_duplicate(world.bob, suggestion.pk)
    with pytest.raises(NotFound):
        services.dismiss_suggestion(actor=world.bob, suggestion_id=suggestion.pk)
    with pytest.raises(PermissionDenied):
        services.dismiss_suggestion(actor=world.analyst, suggestion_id=suggestion.pk)
    assert selectors.get_duplicate(world.manager, suggestion.pk).pk == suggestion.pk


def state(customer_id: int) -> dict[str, Any]:
    """Everything a merge touches and an undo must put back, for one customer."""
    row = Customer.objects.get(pk=customer_id)
    return {
        **services.snapshot(row),
        "name_keys": sorted(row.name_keys.values_list("key", flat=True)),
        "identities": sorted(Identity.objects.filter(customer_id=customer_id)
                             .values_list("kind", "value")),
        "people": sorted(Customer.objects.filter(organisation_id=customer_id)
                         .values_list("id", flat=True)),
    }


def history(customer_id: int) -> tuple[list[int], list[int]]:
    timeline = interaction_selectors.timeline(SYSTEM, customer_id, limit=200)
    transactions = transaction_selectors.transactions_of(SYSTEM, customer_id, limit=200)
    return [i.pk for i in timeline.items], [t.pk for t in transactions.items]


def test_merge_takes_each_chosen_field_and_undo_restores_both_exactly(
        world: Any, twins: Any) -> None:
    ada, twin = twins
    services.find_duplicates(actor=SYSTEM)
    for n, customer in enumerate((ada, twin)):
        record_interaction(actor=SYSTEM, channel="note", direction="internal",
                           occurred_at=WHEN + timedelta(days=n), text=f"note {n}",
                           participants=[ParticipantInput(role="subject",
                                                          customer_id=customer.pk)])
        record_transaction(actor=SYSTEM, item=TransactionInput(
            customer_id=customer.pk, occurred_at=WHEN, amount="10.00", currency="GBP",
            external_id=f"o-{n}"))
    before = {pk: (state(pk), history(pk)) for pk in (ada.pk, twin.pk)}
    merge = services.merge_customers(
        actor=world.alice, survivor_id=ada.pk, loser_id=twin.pk,
        choices={"display_name": "loser", "lifecycle": "loser", "owner_id": "loser",
                 "language": "survivor"})
    merged = Customer.objects.get(pk=ada.pk)
    assert (merged.display_name, merged.lifecycle, merged.owner_id) == (
        "Lovelace, Ada", "lead", None)
    assert merged.language == "" and merged.preferred_channel == "email"  # a gap filled
    assert Identity.objects.filter(customer=twin).count() == 0
    assert Customer.objects.get(pk=twin.pk).merged_into_id == ada.pk
    notes, orders = history(ada.pk)
    assert len(notes) == 2 and len(orders) == 2
    assert pair_of(ada, twin).status == "merged"
    assert [m.pk for m in selectors.recent_merges(world.alice)] == [merge.pk]

    services.unmerge_customers(actor=world.alice, merge_id=merge.pk)
    for pk in (ada.pk, twin.pk):
        assert (state(pk), history(pk)) == before[pk]
    assert pair_of(ada, twin).status == "open"  # back for review
    assert selectors.recent_merges(world.alice) == []
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"customer.merged", "customer.unmerged"} <= actions


def test_a_merge_refuses_bad_choices_naming_the_field(world: Any, twins: Any) -> None:
    ada, twin = twins
    with pytest.raises(InvalidInput) as err:
        services.merge_customers(actor=SYSTEM, survivor_id=ada.pk, loser_id=twin.pk,
                                 choices={"favourite_tea": "loser"})
    assert err.value.field == "choices.favourite_tea"
    with pytest.raises(InvalidInput) as err:
        services.merge_customers(actor=SYSTEM, survivor_id=ada.pk, loser_id=twin.pk,
                                 choices={"language": "both"})
    assert err.value.field == "choices.language"
    with pytest.raises(NotFound) as err:
        services.merge_customers(actor=world.alice, survivor_id=ada.pk,
                                 loser_id=world.bob_customer.pk)
    assert err.value.field == "loser_id"


def test_merging_away_a_customer_drops_its_other_open_suggestions(world: Any,
                                                                  twins: Any) -> None:
    ada, twin = twins
    third = services.create_customer(actor=SYSTEM, given_name="Ada", family_name="Lovelace",
                                     identities=[("address", "12, St James's Sq, London")])
    services.find_duplicates(actor=SYSTEM)
    assert DuplicateSuggestion.objects.filter(status="open").count() == 3
    services.merge_customers(actor=SYSTEM, survivor_id=ada.pk, loser_id=twin.pk)
    left = DuplicateSuggestion.objects.filter(status="open")
    assert [(s.customer_a_id, s.customer_b_id) for s in left] == [(ada.pk, third.pk)]
    assert services.find_duplicates(actor=SYSTEM).found == 1  # the survivor's, refreshed


def test_an_undo_waits_for_a_later_merge_of_the_survivor(world: Any, twins: Any) -> None:
    ada, twin = twins
    first = services.merge_customers(actor=SYSTEM, survivor_id=ada.pk, loser_id=twin.pk)
    other = services.create_customer(actor=SYSTEM, display_name="Ada L")
    services.merge_customers(actor=SYSTEM, survivor_id=other.pk, loser_id=ada.pk)
    with pytest.raises(Conflict) as err:
        services.unmerge_customers(actor=SYSTEM, merge_id=first.pk)
    assert err.value.field == "merge_id"


def test_the_worker_job_runs_when_due_and_not_before(world: Any, twins: Any,
                                                     monkeypatch: Any) -> None:
    assert services.find_duplicates_if_due() == 1
    assert services.find_duplicates_if_due() == 0  # too soon
    later = clock.now() + timedelta(hours=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    services.find_duplicates_if_due()
    assert DuplicateScan.objects.filter(finished_at__isnull=False).count() == 2


def test_the_command_refreshes_and_lists_suggestions(world: Any, twins: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("customers", "duplicates", "--full", stdout=out)
    text = out.getvalue()
    assert "Looked at 6 customers (every customer)" in text and "1 new" in text
    assert "Lovelace, Ada" in text and "same address" in text  # a table: may wrap
