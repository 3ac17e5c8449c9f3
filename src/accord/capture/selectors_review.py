"""Reads over the review queue: documents and addresses waiting for a person. They are
linked to no customer, so only roles that see every record may read them (access.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accord.capture.models import PendingDocument, QueuedAddress
from accord.capture.services.review import ensure_review_reader
from accord.interactions import selectors as interaction_selectors
from accord.interactions.selectors import UnmatchedAddress
from accord.platform import blobs
from accord.platform.errors import NotFound, PermissionDenied

QUEUE_PAGE = 50


@dataclass(frozen=True)
class AddressRow:
    queued: QueuedAddress
    summary: UnmatchedAddress | None  # the items recorded with it, unmatched


def pending_documents(actor: Any, limit: int = QUEUE_PAGE) -> list[PendingDocument]:
    """Documents waiting for a decision, newest first."""
    ensure_review_reader(actor)
    return list(PendingDocument.objects.filter(status="pending")
                .order_by("-received_at", "-id")[:limit])


def pending_count(actor: Any) -> tuple[int, int]:
    """(documents, addresses) waiting."""
    ensure_review_reader(actor)
    return (PendingDocument.objects.filter(status="pending").count(),
            QueuedAddress.objects.filter(status="pending").count())


def _hidden(actor: Any) -> bool:
    """Whether the queue's records are out of this actor's sight: then one of them is
    "not found", exactly like one that does not exist (DESIGN.md section 3)."""
    try:
        ensure_review_reader(actor)
    except PermissionDenied:
        return True
    return False


def queued_document(actor: Any, pending_id: int) -> PendingDocument:
    """One queued document, whatever its status (its file stays viewable)."""
    pending = None if _hidden(actor) else \
        PendingDocument.objects.filter(pk=pending_id).first()
    if pending is None:
        raise NotFound(f"Queued document {pending_id} not found.", field="pending_id")
    return pending


def document_file(actor: Any, pending_id: int) -> tuple[PendingDocument, bytes]:
    pending = queued_document(actor, pending_id)
    return pending, blobs.read(pending.sha256)


def document_preview(actor: Any, pending_id: int) -> bytes:
    """The first page as a PNG made at capture (NotFound when none could be made)."""
    pending = queued_document(actor, pending_id)
    if not pending.preview_sha256:
        raise NotFound("This document has no preview.", field="pending_id")
    return blobs.read(pending.preview_sha256)


def queued_addresses(actor: Any, limit: int = QUEUE_PAGE) -> list[AddressRow]:
    """Addresses waiting, most recently seen first, each with how many items carry it
    and the latest one's subject."""
    ensure_review_reader(actor)
    rows = list(QueuedAddress.objects.filter(status="pending")
                .order_by("-last_seen", "-id")[:limit])
    summaries = interaction_selectors.unmatched_addresses([r.display for r in rows])
    return [AddressRow(r, summaries.get(r.display.lower())) for r in rows]


def queued_address(actor: Any, address_id: int) -> QueuedAddress:
    row = None if _hidden(actor) else QueuedAddress.objects.filter(pk=address_id).first()
    if row is None:
        raise NotFound(f"Queued address {address_id} not found.", field="address_id")
    return row
