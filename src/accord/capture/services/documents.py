"""Letters and faxes onto the right timeline: read the file, find who sent it, record it
on that customer's timeline with the original attached, or queue it for review.

Idempotent per the file's SHA-256: the same scan captured twice (re-run, a copy in two
folders, an upload after an import) is found again, whether it was recorded or queued."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from accord.accounts.access import ensure_can_write
from accord.capture.connectors.documents import ExtractedDocument, extract_document
from accord.capture.domain.document_matching import (
    ADDRESS_SIMILARITY,
    Clues,
    Evidence,
    MatchDecision,
    Outcome,
    address_similarity,
    decide,
    decide_channel,
    find_clues,
    same_name,
    subject_of,
)
from accord.capture.models import PendingDocument
from accord.capture.services.email import address_rules
from accord.customers import selectors as customer_selectors
from accord.customers.domain.identities import NormalisedIdentity
from accord.customers.domain.kinds import IdentityKind
from accord.interactions import selectors as interaction_selectors
from accord.interactions import services as interaction_services
from accord.platform import blobs, clock
from accord.platform.actors import SYSTEM
from accord.platform.errors import InvalidInput

DOCUMENT_SOURCE = "documents"  # one (source, external_id) space for every scan and upload
MAX_DOCUMENT_BYTES = interaction_services.MAX_ATTACHMENT_BYTES
CHANNELS = ("letter", "fax")


@dataclass
class DocumentOutcome:
    status: str  # "captured" (on a timeline), "queued" (for review), "present" (seen before)
    channel: str = ""
    interaction_id: int | None = None
    customer_id: int | None = None
    pending_id: int | None = None
    match: str = ""  # matched, ambiguous, unmatched
    reason: str = ""
    candidates: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what could not be read


def document_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def already_captured(sha256: str) -> DocumentOutcome | None:
    """The outcome of an earlier capture of the same bytes, if there was one."""
    recorded = interaction_selectors.find_recorded(DOCUMENT_SOURCE, sha256)
    if recorded is not None:
        return DocumentOutcome("present", interaction_id=recorded, reason="already captured")
    pending = PendingDocument.objects.filter(sha256=sha256).first()
    if pending is not None:
        return DocumentOutcome("present", pending_id=pending.pk, channel=pending.channel,
                               interaction_id=pending.interaction_id,
                               reason=f"already in the review queue ({pending.status})")
    return None


def capture_document(*, actor: Any, content: bytes, filename: str, origin: str,
                     channel: str | None = None, source_id: int | None = None,
                     received_at: datetime | None = None,
                     language: str = "eng") -> DocumentOutcome:
    """Read, match and record (or queue) one document. Raises InvalidInput naming the
    reason when the file is no readable document (empty, junk, damaged, encrypted)."""
    ensure_can_write(actor)
    if channel not in (None, "", "auto", *CHANNELS):
        raise InvalidInput("channel must be letter, fax or auto.", field="channel")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(f"The file is larger than {MAX_DOCUMENT_BYTES // 2**20} MB.",
                           field="file")
    sha256 = document_sha256(content)
    earlier = already_captured(sha256)
    if earlier is not None:
        return earlier
    extracted = extract_document(content, language=language)
    clues = find_clues(extracted.text, default_region=settings.DEFAULT_PHONE_REGION,
                       rules=address_rules())
    decision = decide(gather_evidence(clues))
    chosen = decide_channel(requested=channel if channel in CHANNELS else None,
                            fax_encoded=extracted.fax_encoded, text=extracted.text)
    preview = blobs.store(extracted.thumbnail) if extracted.thumbnail else ""
    document = _Document(sha256=sha256, filename=filename.strip() or f"{sha256[:12]}",
                         content=content, extracted=extracted, channel=chosen,
                         preview_sha256=preview, origin=origin,
                         received_at=clock.ensure_aware(received_at) if received_at
                         else clock.now())
    customer_id = decision.customer_id
    reason = ""
    if customer_id is not None and not _visible(actor, customer_id):
        customer_id, reason = None, "matched a customer outside your records: an " \
                                    "administrator decides"
    if customer_id is None:
        pending = _queue(document, decision, clues, source_id)
        return DocumentOutcome("queued", channel=chosen, pending_id=pending.pk,
                               match=decision.outcome.value,
                               reason=reason or _why_queued(decision),
                               candidates=pending.candidates,
                               problems=list(extracted.problems))
    interaction_id = record_document(actor=actor, document=document, customer_id=customer_id,
                                     how="matched", evidence=candidate_json(decision)[0])
    return DocumentOutcome("captured", channel=chosen, interaction_id=interaction_id,
                           customer_id=customer_id, match="matched",
                           candidates=candidate_json(decision),
                           problems=list(extracted.problems))


def _why_queued(decision: MatchDecision) -> str:
    if decision.outcome is Outcome.AMBIGUOUS:
        return f"{len(decision.candidates)} possible senders: a person decides"
    return "no customer matches what the document says"


def _visible(actor: Any, customer_id: int) -> bool:
    return customer_selectors.visible_customers(actor).filter(pk=customer_id).exists()


@dataclass(frozen=True)
class _Document:
    sha256: str
    filename: str
    content: bytes
    extracted: ExtractedDocument
    channel: str
    preview_sha256: str
    origin: str
    received_at: datetime


def gather_evidence(clues: Clues) -> list[Evidence]:
    """Look every clue up among customers' identities (exact, normalised), then compare
    the names and the postal addresses of whoever turned up."""
    evidence: list[Evidence] = []

    def look(kind: IdentityKind, value: str, said: str, weight_kind: str) -> None:
        found = customer_selectors.find_by_identity(NormalisedIdentity(kind, value, said))
        if found is not None:
            evidence.append(Evidence(found, weight_kind, said))

    for email in clues.emails:
        look(IdentityKind.EMAIL, email, email, "email")
    for phone in clues.phones:
        look(IdentityKind.PHONE, phone, phone, "phone")
    for reference in clues.references:
        look(IdentityKind.EXTERNAL_ID, reference, reference, "reference")
    for token in clues.tokens:
        look(IdentityKind.EXTERNAL_ID, token, token, "token")
    for key in clues.address_keys:
        look(IdentityKind.ADDRESS, key, key, "address")
    for name in clues.names:
        page = customer_selectors.search_customers(SYSTEM, name=name, limit=10)
        evidence += [Evidence(c.pk, "name", name) for c in page.items
                     if same_name(name, c.display_name)]
    _similar_addresses(clues, evidence)
    return evidence


def _similar_addresses(clues: Clues, evidence: list[Evidence]) -> None:
    """A candidate's stored address written with a slip or two (OCR) still counts,
    a little less than an exact one."""
    exact = {e.customer_id for e in evidence if e.kind == "address"}
    for customer_id in dict.fromkeys(e.customer_id for e in evidence):
        if customer_id in exact:
            continue
        customer = customer_selectors.get_customer(SYSTEM, customer_id)
        for identity in customer_selectors.identities_of(customer):
            if identity.kind != IdentityKind.ADDRESS.value:
                continue
            if address_similarity(clues.lines, identity.display) >= ADDRESS_SIMILARITY:
                evidence.append(Evidence(customer_id, "address_similar", identity.display))
                break


def candidate_json(decision: MatchDecision) -> list[dict[str, Any]]:
    """The candidates as stored and shown: id, name, score, evidence."""
    names = _names([c.customer_id for c in decision.candidates])
    return [{"customer_id": c.customer_id, "name": names.get(c.customer_id, ""),
             "score": c.score,
             "evidence": [{"kind": e.kind, "value": e.value} for e in c.evidence]}
            for c in decision.candidates]


def _names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(customer_selectors.visible_customers(SYSTEM).filter(pk__in=ids)
                .values_list("id", "display_name"))


def clue_json(clues: Clues) -> list[dict[str, Any]]:
    """Identities the document offers for its sender, to add on assignment: its emails
    and phone numbers, and the first postal address block (the letterhead's)."""
    found: list[dict[str, Any]] = [{"kind": "email", "value": e} for e in clues.emails]
    found += [{"kind": "phone", "value": p} for p in clues.phones]
    found += [{"kind": "address", "value": b.display} for b in clues.address_blocks[:1]]
    return found


def _queue(document: _Document, decision: MatchDecision, clues: Clues,
           source_id: int | None) -> PendingDocument:
    blobs.store(document.content)  # before the row: a rollback leaves only a spare blob
    extracted = document.extracted
    try:
        with transaction.atomic():
            return PendingDocument.objects.create(
                sha256=document.sha256, filename=document.filename[:255],
                content_type=extracted.content_type, size=len(document.content),
                preview_sha256=document.preview_sha256, text=extracted.text,
                subject=subject_of(extracted.text), channel=document.channel,
                page_count=extracted.page_count, read_by=extracted.method,
                outcome=decision.outcome.value, candidates=candidate_json(decision),
                clues=clue_json(clues), problems=list(extracted.problems),
                source_id=source_id, origin=document.origin[:300],
                received_at=document.received_at)
    except IntegrityError:  # queued by a concurrent capture of the same file
        return PendingDocument.objects.get(sha256=document.sha256)


def record_document(*, actor: Any, document: Any, customer_id: int, how: str,
                    evidence: dict[str, Any] | None = None) -> int:
    """Put a document on ``customer_id``'s timeline: channel letter or fax, inbound, the
    original attached, the text as the body. ``document`` is a capture in progress or a
    queued ``PendingDocument`` (whose bytes are in the blob store)."""
    if isinstance(document, _Document):
        content, text = document.content, document.extracted.text
        content_type, pages = document.extracted.content_type, document.extracted.page_count
        read_by, problems = document.extracted.method, list(document.extracted.problems)
    else:
        content, text = blobs.read(document.sha256), document.text
        content_type, pages = document.content_type, document.page_count
        read_by, problems = document.read_by, list(document.problems)
    metadata: dict[str, Any] = {
        "origin": document.origin, "filename": document.filename, "sha256": document.sha256,
        "page_count": pages, "read_by": read_by, "preview_sha256": document.preview_sha256,
        "match": how}
    if evidence:
        metadata["evidence"] = evidence.get("evidence", [])
    if problems:
        metadata["problems"] = problems
    result = interaction_services.record_interaction(
        actor=actor, channel=document.channel, direction="inbound",
        occurred_at=document.received_at, subject=subject_of(text)[:500], text=text,
        participants=[interaction_services.ParticipantInput(role="from",
                                                            customer_id=customer_id)],
        source=DOCUMENT_SOURCE, external_id=document.sha256, metadata=metadata,
        attachments=[interaction_services.AttachmentInput(
            filename=document.filename, content=content, content_type=content_type)])
    return int(result.interaction.pk)
