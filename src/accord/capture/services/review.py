"""The review queue's decisions: a queued document or address is assigned to a customer
(an existing one or one made on the spot) or dismissed.

Assigning teaches Accord: a document's emails, phones and postal address become the
customer's identities and an address becomes an email identity, so the next letter or
message from them matches by itself. Unmatched items are visible only to roles that see
every record (access.py), and only those that also write may decide."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from accord.accounts.access import ensure_authenticated, ensure_can_write, sees_everything
from accord.capture.models import PendingDocument, QueuedAddress
from accord.capture.services.documents import record_document
from accord.customers import services as customer_services
from accord.interactions import services as interaction_services
from accord.platform import clock
from accord.platform.audit import record_audit
from accord.platform.errors import AccordError, Conflict, InvalidInput, NotFound, PermissionDenied


def ensure_review_reader(actor: Any) -> None:
    ensure_authenticated(actor)
    if not sees_everything(actor):
        raise PermissionDenied("The review queue holds records linked to no customer; "
                               "only administrators and analysts see it.")


def ensure_reviewer(actor: Any) -> None:
    ensure_review_reader(actor)
    ensure_can_write(actor)


@dataclass
class Assignment:
    customer_id: int
    interaction_id: int | None = None
    linked: int = 0  # interactions that gained the customer (addresses)
    identities_added: list[str] = field(default_factory=list)
    identities_skipped: list[str] = field(default_factory=list)  # with the reason


def _pending_document(pending_id: int) -> PendingDocument:
    pending = PendingDocument.objects.select_for_update().filter(pk=pending_id).first()
    if pending is None:
        raise NotFound(f"Queued document {pending_id} not found.", field="pending_id")
    if pending.status != "pending":
        raise Conflict(f"This document was {pending.status} already.", field="pending_id")
    return pending


def _decided(row: Any, actor: Any, status: str) -> None:
    row.status, row.decided_at = status, clock.now()
    if isinstance(row, PendingDocument):
        row.decided_by_id = getattr(actor, "pk", None)


def _chosen_clues(pending: PendingDocument, identities: list[str] | None) -> list[dict[str, Any]]:
    """The document's clues to add, as "kind:value" strings picked on the page (None:
    all of them). Anything not found in the document itself is refused."""
    clues = [c for c in pending.clues if isinstance(c, dict)]
    if identities is None:
        return clues
    offered = {f"{c.get('kind')}:{c.get('value')}": c for c in clues}
    unknown = [i for i in identities if i not in offered]
    if unknown:
        raise InvalidInput(f"{unknown[0]!r} is not an identity found in this document.",
                           field="identities")
    return [offered[i] for i in identities]


@transaction.atomic
def assign_document(*, actor: Any, pending_id: int, customer_id: int,
                    identities: list[str] | None = None) -> Assignment:
    """Record a queued document on ``customer_id``'s timeline and add the identities it
    revealed (those already someone else's are skipped, with the reason)."""
    ensure_reviewer(actor)
    pending = _pending_document(pending_id)
    chosen = _chosen_clues(pending, identities)
    outcome = Assignment(customer_id)
    outcome.interaction_id = record_document(actor=actor, document=pending,
                                             customer_id=customer_id, how="assigned")
    for clue in chosen:
        kind, value = str(clue.get("kind")), str(clue.get("value"))
        try:
            customer_services.add_identity(actor=actor, customer_id=customer_id, kind=kind,
                                           value=value, source="review")
            outcome.identities_added.append(f"{kind} {value}")
        except AccordError as exc:  # someone else's already, or no longer valid
            outcome.identities_skipped.append(f"{kind} {value}: {exc.message}")
    _decided(pending, actor, "assigned")
    pending.interaction_id = outcome.interaction_id
    pending.save(update_fields=["status", "decided_at", "decided_by", "interaction_id"])
    record_audit(actor=actor, action="document.assigned", subject_type="pending_document",
                 subject_id=pending.pk,
                 after={"customer_id": customer_id, "interaction_id": outcome.interaction_id,
                        "identities": outcome.identities_added})
    return outcome


def _new_customer(actor: Any, display_name: str, kind: str) -> int:
    name = (display_name or "").strip()
    if not name:
        raise InvalidInput("Give the new customer a name.", field="display_name")
    customer = customer_services.create_customer(actor=actor, kind=kind,
                                                 display_name=name[:200], source="review")
    return int(customer.pk)


@transaction.atomic
def assign_document_to_new_customer(*, actor: Any, pending_id: int, display_name: str,
                                    kind: str = "person",
                                    identities: list[str] | None = None) -> Assignment:
    """A sender nobody knew: create the customer, then assign as above."""
    ensure_reviewer(actor)
    _pending_document(pending_id)  # refuse before creating anyone
    return assign_document(actor=actor, pending_id=pending_id,
                           customer_id=_new_customer(actor, display_name, kind),
                           identities=identities)


@transaction.atomic
def dismiss_document(*, actor: Any, pending_id: int) -> None:
    """Not a customer's document (junk mail, a misfeed): it leaves the queue; the file
    stays stored, and capturing the same file again finds it dismissed."""
    ensure_reviewer(actor)
    pending = _pending_document(pending_id)
    _decided(pending, actor, "dismissed")
    pending.save(update_fields=["status", "decided_at", "decided_by"])
    record_audit(actor=actor, action="document.dismissed", subject_type="pending_document",
                 subject_id=pending.pk, after={"filename": pending.filename})


# --- addresses ------------------------------------------------------------------------


def _queued(queued_id: int) -> QueuedAddress:
    row = QueuedAddress.objects.select_for_update().filter(pk=queued_id).first()
    if row is None:
        raise NotFound(f"Queued address {queued_id} not found.", field="address_id")
    if row.status != "pending":
        raise Conflict(f"This address was {row.status} already.", field="address_id")
    return row


@transaction.atomic
def assign_address(*, actor: Any, address_id: int, customer_id: int) -> Assignment:
    """The address is this customer's: it becomes their identity and every item recorded
    with it unmatched joins their timeline."""
    ensure_reviewer(actor)
    row = _queued(address_id)
    try:
        customer_services.add_identity(actor=actor, customer_id=customer_id, kind=row.kind,
                                       value=row.display, source="review")
    except Conflict as exc:
        raise Conflict(f"{row.display} already belongs to another customer; merge the two "
                       "customers instead.", field="customer_id") from exc
    linked = interaction_services.assign_unmatched_participants(
        actor=actor, address=row.display, customer_id=customer_id)
    _decided(row, actor, "assigned")
    row.customer_id = customer_id
    row.save(update_fields=["status", "decided_at", "customer_id"])
    record_audit(actor=actor, action="address.assigned", subject_type="queued_address",
                 subject_id=row.pk, after={"customer_id": customer_id, "kind": row.kind,
                                           "value": row.value, "linked": linked})
    return Assignment(customer_id, linked=linked,
                      identities_added=[f"{row.kind} {row.display}"])


@transaction.atomic
def assign_address_to_new_customer(*, actor: Any, address_id: int, display_name: str,
                                   kind: str = "person") -> Assignment:
    ensure_reviewer(actor)
    _queued(address_id)
    return assign_address(actor=actor, address_id=address_id,
                          customer_id=_new_customer(actor, display_name, kind))


@transaction.atomic
def dismiss_address(*, actor: Any, address_id: int) -> None:
    """Nobody to know (a one-off, a supplier): it leaves the queue and is not queued
    again; its items stay on the timeline unmatched."""
    ensure_reviewer(actor)
    row = _queued(address_id)
    _decided(row, actor, "dismissed")
    row.save(update_fields=["status", "decided_at"])
    record_audit(actor=actor, action="address.dismissed", subject_type="queued_address",
                 subject_id=row.pk, after={"kind": row.kind, "value": row.value})
