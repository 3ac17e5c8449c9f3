"""Merging two customers into one, and undoing it exactly."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from accord.accounts.access import customer_scope, ensure_can_write
from accord.customers.domain.merge import MERGEABLE_FIELDS, plan_merge
from accord.customers.events import CustomersMerged, CustomersUnmerged
from accord.customers.models import Customer, DuplicateSuggestion, Identity, Merge
from accord.customers.services.duplicates import settle_after_merge, settle_after_unmerge
from accord.customers.services.records import (
    apply_names,
    save_name_keys,
    snapshot,
    visible_for_write,
)
from accord.platform import clock
from accord.platform.audit import record_audit
from accord.platform.errors import Conflict, InvalidInput, NotFound
from accord.platform.events import publish


@transaction.atomic
def merge_customers(*, actor: Any, survivor_id: int, loser_id: int,
                    choices: Mapping[str, str] | None = None) -> Merge:
    """Merge ``loser`` into ``survivor``: fields per ``choices``, every identity moves, and
    the loser's timeline and transactions appear under the survivor (it is kept, marked
    ``merged_into``, so the merge can be undone exactly)."""
    survivor = visible_for_write(actor, survivor_id, field="survivor_id")
    loser = visible_for_write(actor, loser_id, field="loser_id")
    plan = plan_merge(snapshot(survivor), snapshot(loser), choices)
    moved = list(Identity.objects.filter(customer=loser).values_list("id", flat=True))
    now = clock.now()
    merge = Merge.objects.create(
        survivor=survivor, loser=loser, actor=actor if getattr(actor, "pk", None) else None,
        merged_at=now,
        snapshot={"survivor": snapshot(survivor), "loser": snapshot(loser),
                  "moved_identity_ids": moved,
                  "people_ids": list(loser.people.values_list("id", flat=True))},
    )
    Identity.objects.filter(id__in=moved).update(customer=survivor)
    loser.people.update(organisation=survivor)
    for name, value in plan.field_updates.items():
        setattr(survivor, name, value)
    apply_names(survivor)
    survivor.updated_at = now
    survivor.save()
    save_name_keys(survivor)
    loser.merged_into = survivor
    loser.updated_at = now
    loser.save(update_fields=["merged_into", "updated_at"])
    settle_after_merge(actor=actor, survivor_id=survivor.pk, loser_id=loser.pk, now=now)
    record_audit(actor=actor, action="customer.merged", subject_type="customer",
                 subject_id=survivor.pk, before=merge.snapshot, after=snapshot(survivor))
    publish(CustomersMerged(merge_id=merge.pk, survivor_id=survivor.pk, loser_id=loser.pk))
    return merge


@transaction.atomic
def unmerge_customers(*, actor: Any, merge_id: int) -> Merge:
    """Undo a merge: restore both records' fields and give the loser its identities back."""
    ensure_can_write(actor)
    merge = Merge.objects.select_for_update().filter(pk=merge_id).first()
    if merge is None or not Customer.objects.filter(customer_scope(actor),
                                                     pk=merge.survivor_id).exists():
        raise NotFound(f"Merge {merge_id} not found.", field="merge_id")
    if merge.undone_at is not None:
        raise Conflict("This merge has already been undone.", field="merge_id")
    if Merge.objects.filter(survivor_id=merge.survivor_id, undone_at__isnull=True,
                            pk__gt=merge.pk).exists():
        raise Conflict("Undo the later merges into this customer first.", field="merge_id")
    survivor = Customer.objects.select_for_update().get(pk=merge.survivor_id)
    if survivor.merged_into_id is not None:
        # Its identities (the loser's among them) moved on with it: they come back
        # only when that later merge is undone first.
        raise Conflict(f"Customer {survivor.pk} was later merged into customer "
                       f"{survivor.merged_into_id}; undo that merge first.", field="merge_id")
    loser = Customer.objects.select_for_update().get(pk=merge.loser_id)
    saved = merge.snapshot
    for name in MERGEABLE_FIELDS:
        setattr(survivor, name, saved["survivor"][name])
    apply_names(survivor)
    now = clock.now()
    survivor.updated_at = now
    survivor.save()
    save_name_keys(survivor)
    loser.merged_into = None
    loser.updated_at = now
    loser.save(update_fields=["merged_into", "updated_at"])
    Identity.objects.filter(id__in=saved["moved_identity_ids"], customer=survivor).update(
        customer=loser)
    Customer.objects.filter(id__in=saved.get("people_ids", [])).update(organisation=loser)
    merge.undone_at = now
    merge.save(update_fields=["undone_at"])
    settle_after_unmerge(survivor_id=survivor.pk, loser_id=loser.pk)
    record_audit(actor=actor, action="customer.unmerged", subject_type="customer",
                 subject_id=survivor.pk, before={"merge_id": merge.pk},
                 after={"survivor": snapshot(survivor), "loser": snapshot(loser)})
    publish(CustomersUnmerged(merge_id=merge.pk, survivor_id=survivor.pk, loser_id=loser.pk))
    return merge


SIDES = ("a", "b")


@transaction.atomic
def merge_suggestion(*, actor: Any, suggestion_id: int, survivor: str,
                     choices: Mapping[str, str] | None = None) -> Merge:
    """Merge a suggested pair the way a reviewer sees it: ``survivor`` is ``"a"`` or
    ``"b"`` (the suggestion's lower or higher id), and ``choices`` maps a field to the
    side whose value survives. Errors name the field (``survivor``, ``choices.<field>``)."""
    missing = NotFound(f"Suggestion {suggestion_id} not found.", field="suggestion_id")
    suggestion = DuplicateSuggestion.objects.filter(pk=suggestion_id).first()
    if suggestion is None:
        raise missing
    for customer_id in (suggestion.customer_a_id, suggestion.customer_b_id):
        try:  # out of reach answers exactly as missing, before any input is judged
            visible_for_write(actor, customer_id)
        except NotFound as exc:
            raise missing from exc
    if survivor not in SIDES:
        raise InvalidInput("Choose 'a' or 'b' as the surviving record.", field="survivor")
    sided: dict[str, str] = {}
    for name, side in (choices or {}).items():
        if side not in SIDES:
            raise InvalidInput(f"Choose 'a' or 'b' for {name}.", field=f"choices.{name}")
        sided[name] = "survivor" if side == survivor else "loser"
    ids = {"a": suggestion.customer_a_id, "b": suggestion.customer_b_id}
    return merge_customers(actor=actor, survivor_id=ids[survivor],
                           loser_id=ids["b" if survivor == "a" else "a"], choices=sided)
