"""Recording interactions onto the timeline: idempotent per (source, external_id)."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from accord.accounts.access import ensure_can_write
from accord.customers import selectors as customer_selectors
from accord.customers.domain.identities import normalise_identity, parse_kind
from accord.interactions import selectors as interaction_selectors
from accord.interactions.domain import Channel, Direction, Role, parse_enum
from accord.interactions.events import InteractionRecorded
from accord.interactions.models import Attachment, Interaction, Participant
from accord.platform import blobs, clock
from accord.platform.audit import record_audit, record_audits
from accord.platform.bulk import (
    copy_rows,
    db_json,
    db_time,
    finish_bulk_load,
    insert_returning_ids,
    next_id,
)
from accord.platform.errors import InvalidInput, NotFound
from accord.platform.events import publish, publish_many

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class ParticipantInput:
    """A party: either a known customer id, or an identity (kind + value) to match."""

    role: str
    customer_id: int | None = None
    kind: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class AttachmentInput:
    filename: str
    content: bytes
    content_type: str = ""


@dataclass(frozen=True)
class RecordResult:
    interaction: Interaction
    created: bool
    participants: list[Participant] = field(default_factory=list)


def _resolve(actor: Any, index: int, p: ParticipantInput) -> tuple[int | None, str, str]:
    where = f"participants[{index}]"
    role = parse_enum(Role, p.role, field=f"{where}.role")
    if p.customer_id is not None:
        visible = customer_selectors.visible_customers(actor).filter(pk=p.customer_id).exists()
        if not visible:
            raise NotFound(f"Customer {p.customer_id} not found.", field=f"{where}.customer_id")
        return p.customer_id, role, ""
    if not p.kind or not p.value:
        raise InvalidInput("Give a customer_id, or an identity kind and value.",
                           field=f"{where}.value")
    identity = normalise_identity(parse_kind(p.kind, field=f"{where}.kind"), p.value,
                                  default_region=settings.DEFAULT_PHONE_REGION,
                                  field=f"{where}.value")
    return customer_selectors.find_by_identity(identity), role, identity.display


def _validate_text(value: str, *, name: str, limit: int | None) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text.", field=name)
    if limit is not None and len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters.", field=name)
    return value


def record_interaction(
    *,
    actor: Any,
    channel: str,
    direction: str,
    occurred_at: datetime,
    participants: Sequence[ParticipantInput],
    subject: str = "",
    text: str = "",
    thread_key: str = "",
    source: str = "manual",
    external_id: str = "",
    metadata: dict[str, Any] | None = None,
    attachments: Sequence[AttachmentInput] = (),
) -> RecordResult:
    """Put one interaction on the timeline of every customer taking part.

    Recording an item with a (source, external_id) already present returns the stored
    one unchanged (``created=False``)."""
    ensure_can_write(actor)
    channel = parse_enum(Channel, channel, field="channel")
    direction = parse_enum(Direction, direction, field="direction")
    if not isinstance(occurred_at, datetime):
        raise InvalidInput("occurred_at must be a date and time.", field="occurred_at")
    occurred_at = clock.ensure_aware(occurred_at)
    subject = _validate_text(subject, name="subject", limit=500)
    text = _validate_text(text, name="text", limit=None)
    source = _validate_text(source, name="source", limit=100).strip() or "manual"
    external_id = _validate_text(external_id, name="external_id", limit=255).strip()
    thread_key = _validate_text(thread_key, name="thread_key", limit=255)
    if metadata is not None and not isinstance(metadata, dict):
        raise InvalidInput("metadata must be an object.", field="metadata")
    if not participants:
        raise InvalidInput("An interaction needs at least one participant.", field="participants")
    for i, a in enumerate(attachments):
        if len(a.content) > MAX_ATTACHMENT_BYTES:
            raise InvalidInput(f"{a.filename} exceeds {MAX_ATTACHMENT_BYTES // 2**20} MB.",
                               field=f"attachments[{i}]")

    if external_id:
        existing = interaction_selectors.recorded(source, external_id).first()
        if existing is not None:
            return RecordResult(existing, False, list(existing.participants.all()))

    resolved = [_resolve(actor, i, p) for i, p in enumerate(participants)]
    # Store blobs before the transaction: content-addressed, so a rollback leaves at most
    # an unreferenced file, never a row pointing at nothing.
    stored = [(a, blobs.store(a.content)) for a in attachments]
    try:
        with transaction.atomic():
            result = _insert(actor, channel, direction, occurred_at, subject, text, thread_key,
                             source, external_id, metadata or {}, resolved, stored)
    except IntegrityError:
        # Another writer recorded the same (source, external_id) first: theirs stands.
        existing = interaction_selectors.recorded(source, external_id).first()
        if existing is None:
            raise
        return RecordResult(existing, False, list(existing.participants.all()))
    return result


def _insert(actor: Any, channel: str, direction: str, occurred_at: datetime, subject: str,
            text: str, thread_key: str, source: str, external_id: str,
            metadata: dict[str, Any], resolved: list[tuple[int | None, str, str]],
            stored: list[tuple[AttachmentInput, str]]) -> RecordResult:
    interaction = Interaction.objects.create(
        channel=channel, direction=direction, occurred_at=occurred_at, subject=subject,
        text=text, thread_key=thread_key, source=source, external_id=external_id,
        metadata=metadata, created_by_id=getattr(actor, "pk", None), created_at=clock.now())
    seen: set[int] = set()
    rows = []
    for customer_id, role, address in resolved:
        if customer_id is not None:
            if customer_id in seen:
                continue  # one timeline entry per customer, first role wins
            seen.add(customer_id)
        rows.append(Participant(interaction=interaction, customer_id=customer_id, role=role,
                                address=address, occurred_at=occurred_at, channel=channel,
                                direction=direction))
    Participant.objects.bulk_create(rows)
    Attachment.objects.bulk_create([
        Attachment(interaction=interaction, filename=a.filename[:255] or "attachment",
                   content_type=a.content_type or mimetypes.guess_type(a.filename)[0]
                   or "application/octet-stream", size=len(a.content), sha256=digest)
        for a, digest in stored
    ])
    record_audit(actor=actor, action="interaction.recorded", subject_type="interaction",
                 subject_id=interaction.pk,
                 after={"channel": channel, "direction": direction, "source": source,
                        "external_id": external_id, "customers": sorted(seen)})
    publish(InteractionRecorded(interaction_id=interaction.pk, customer_ids=sorted(seen),
                                channel=channel, direction=direction,
                                occurred_at=occurred_at.isoformat()))
    return RecordResult(interaction, True, rows)


def update_interaction_content(*, actor: Any, interaction_id: int, subject: str, text: str,
                               occurred_at: datetime,
                               metadata: dict[str, Any]) -> Interaction:
    """Replace what a captured item says (a rescheduled or cancelled meeting): subject,
    text, time and metadata. Participants keep their places; their copy of the time
    follows. System use (capture connectors): no record-level check, not in the API."""
    ensure_can_write(actor)
    subject = _validate_text(subject, name="subject", limit=500)
    text = _validate_text(text, name="text", limit=None)
    if not isinstance(occurred_at, datetime):
        raise InvalidInput("occurred_at must be a date and time.", field="occurred_at")
    occurred_at = clock.ensure_aware(occurred_at)
    if not isinstance(metadata, dict):
        raise InvalidInput("metadata must be an object.", field="metadata")
    with transaction.atomic():
        interaction = Interaction.objects.select_for_update().filter(pk=interaction_id).first()
        if interaction is None:
            raise NotFound(f"Interaction {interaction_id} not found.", field="interaction_id")
        before = {"subject": interaction.subject,
                  "occurred_at": interaction.occurred_at.isoformat()}
        interaction.subject, interaction.text = subject, text
        interaction.occurred_at, interaction.metadata = occurred_at, metadata
        interaction.save(update_fields=["subject", "text", "occurred_at", "metadata"])
        Participant.objects.filter(interaction_id=interaction_id) \
            .update(occurred_at=occurred_at)
        record_audit(actor=actor, action="interaction.updated", subject_type="interaction",
                     subject_id=interaction_id, before=before,
                     after={"subject": subject, "occurred_at": occurred_at.isoformat()})
    return interaction


@dataclass(frozen=True)
class CapturedInteraction:
    """One captured item for ``record_captured``: participants already decided by the
    connector as (customer id or None, role, address)."""

    channel: str
    direction: str
    occurred_at: datetime
    source: str
    external_id: str
    participants: Sequence[tuple[int | None, str, str]]
    subject: str = ""
    text: str = ""
    thread_key: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    attachments: Sequence[AttachmentInput] = ()


def record_captured(*, actor: Any, items: Sequence[CapturedInteraction]) -> list[int]:
    """Record a batch of captured items in a few statements (system use: connectors,
    which have matched the participants): interactions, participants, attachments, an
    audit row and an ``InteractionRecorded`` event each. Returns the new ids in order.

    All or nothing, inside the caller's transaction; an item already present (same source
    and external_id) makes it fail with IntegrityError, so a caller that did not check
    first falls back to ``record_interaction`` one by one."""
    ensure_can_write(actor)
    channels, directions, roles = _BULK_CHANNELS, _BULK_DIRECTIONS, _BULK_ROLES
    for n, item in enumerate(items):
        if item.channel not in channels or item.direction not in directions:
            raise InvalidInput(f"Unknown channel or direction in item {n}.",
                               field=f"items[{n}].channel")
        if not item.external_id or len(item.external_id) > 255:
            raise InvalidInput("Captured items need an external_id of at most 255 "
                               "characters.", field=f"items[{n}].external_id")
        if not item.participants or any(r not in roles for _, r, _ in item.participants):
            raise InvalidInput("Every item needs participants with known roles.",
                               field=f"items[{n}].participants")
        for k, a in enumerate(item.attachments):
            if len(a.content) > MAX_ATTACHMENT_BYTES:
                raise InvalidInput(f"{a.filename} exceeds {MAX_ATTACHMENT_BYTES // 2**20} MB.",
                                   field=f"items[{n}].attachments[{k}]")
    stored = [[(a, blobs.store(a.content)) for a in item.attachments] for item in items]
    now = db_time(clock.now())
    created_by = getattr(actor, "pk", None)
    facts = [(i, clock.ensure_aware(i.occurred_at)) for i in items]
    times = [db_time(at) for _, at in facts]  # once per item: interaction and participants
    ids = insert_returning_ids(
        Interaction._meta.db_table,
        ("channel", "direction", "occurred_at", "subject", "text", "thread_key", "source",
         "external_id", "metadata", "created_by_id", "created_at"),
        [(i.channel, i.direction, time, i.subject[:500], i.text, i.thread_key[:255],
          i.source, i.external_id, db_json(i.metadata), created_by, now)
         for (i, _), time in zip(facts, times, strict=True)])
    # Participants and files through platform.bulk (executemany / COPY): Django's
    # bulk_create costs more per row than parsing a small message does.
    people: list[tuple[Any, ...]] = []
    files: list[tuple[Any, ...]] = []
    audits: list[tuple[object, dict[str, Any] | None]] = []
    events: list[InteractionRecorded] = []
    for pk, (item, occurred_at), at, kept in zip(ids, facts, times, stored, strict=True):
        seen: set[int] = set()
        for customer_id, role, address in item.participants:
            if customer_id is not None:
                if customer_id in seen:
                    continue  # one timeline entry per customer, first role wins
                seen.add(customer_id)
            people.append((pk, customer_id, role, address[:320], at, item.channel,
                           item.direction))
        files += [(pk, a.filename[:255] or "attachment",
                   a.content_type or mimetypes.guess_type(a.filename)[0]
                   or "application/octet-stream", len(a.content), digest)
                  for a, digest in kept]
        customers = sorted(seen)
        audits.append((pk, {"channel": item.channel, "direction": item.direction,
                            "source": item.source, "external_id": item.external_id,
                            "customers": customers}))
        events.append(InteractionRecorded(interaction_id=pk, customer_ids=customers,
                                          channel=item.channel, direction=item.direction,
                                          occurred_at=occurred_at.isoformat()))
    copy_rows(Participant._meta.db_table, ("interaction_id", "customer_id", "role", "address",
                                           "occurred_at", "channel", "direction"), people)
    copy_rows(Attachment._meta.db_table,
              ("interaction_id", "filename", "content_type", "size", "sha256"), files)
    record_audits(actor=actor, action="interaction.recorded", subject_type="interaction",
                  entries=audits)
    publish_many(events)
    return ids


# ---------------------------------------------------------------------------------------
# Bulk loading, for the demo generator and very large imports: rows through
# platform.bulk.copy_rows with ids the caller numbers from bulk_next_interaction_id().
# Each participant gets its interaction's occurred_at/channel/direction copied here, so the
# timeline index can never disagree with the interaction. One audit row per load.


BULK_INTERACTION_COLUMNS = ("id", "channel", "direction", "occurred_at", "subject", "text",
                            "thread_key", "source", "external_id", "metadata")
BULK_PARTICIPANT_COLUMNS = ("interaction_id", "customer_id", "role", "address")

_BULK_CHANNELS = frozenset(c.value for c in Channel)
_BULK_DIRECTIONS = frozenset(d.value for d in Direction)
_BULK_ROLES = frozenset(r.value for r in Role)


def bulk_next_interaction_id() -> int:
    """The first free interaction id; a bulk load numbers its interactions from here."""
    return next_id(Interaction._meta.db_table)


def bulk_load_interactions(interactions: Iterable[Sequence[Any]],
                           participants: Iterable[Sequence[Any]], *,
                           created_at: Any) -> tuple[int, int]:
    """Insert interactions (``BULK_INTERACTION_COLUMNS`` order, explicit ids; metadata as
    a dict or as JSON text) and their participants (``BULK_PARTICIPANT_COLUMNS``; every
    participant's interaction must be in the same call). Returns (interactions,
    participants) written."""
    created = db_time(created_at)
    # Comprehensions and set checks rather than a per-row loop: this runs ten million times.
    rows = [(iid, channel, direction, at if at.__class__ is str else db_time(at), subject,
             text, thread, source, external,
             meta if meta.__class__ is str else json.dumps(meta or {}), created)
            for iid, channel, direction, at, subject, text, thread, source, external, meta
            in interactions]
    _bulk_check(rows, 1, _BULK_CHANNELS, "interactions", "channel")
    _bulk_check(rows, 2, _BULK_DIRECTIONS, "interactions", "direction")
    facts = {row[0]: (row[3], row[1], row[2]) for row in rows}
    try:
        linked_rows = [(iid, customer_id, role, address, *facts[iid])
                       for iid, customer_id, role, address in participants]
    except KeyError as exc:
        raise InvalidInput(f"Interaction {exc.args[0]} is not in this load.",
                           field="participants.interaction_id") from exc
    _bulk_check(linked_rows, 2, _BULK_ROLES, "participants", "role")
    written = copy_rows(Interaction._meta.db_table,
                        ("id", "channel", "direction", "occurred_at", "subject", "text",
                         "thread_key", "source", "external_id", "metadata", "created_at"),
                        rows)
    linked = copy_rows(Participant._meta.db_table,
                       ("interaction_id", "customer_id", "role", "address", "occurred_at",
                        "channel", "direction"),
                       linked_rows)
    return written, linked


def _bulk_check(rows: Sequence[tuple[Any, ...]], column: int, allowed: frozenset[str],
                what: str, name: str) -> None:
    unknown = {row[column] for row in rows} - allowed
    if unknown:
        n = next(i for i, row in enumerate(rows) if row[column] in unknown)
        raise InvalidInput(f"Unknown {name} {rows[n][column]!r}.", field=f"{what}[{n}].{name}")


def bulk_interactions_loaded(*, actor: Any, interactions: int, participants: int,
                             source: str = "") -> None:
    """Close a bulk load (sequences, one audit row)."""
    finish_bulk_load(actor=actor, tables=bulk_tables(), action="interactions.bulk_loaded",
                     subject_type="interaction",
                     counts={"interactions": interactions, "participants": participants,
                             "source": source})


def bulk_tables() -> tuple[str, ...]:
    """The tables bulk_load_interactions writes, for a loader that tunes them."""
    return (Interaction._meta.db_table, Participant._meta.db_table)


@transaction.atomic
def assign_unmatched_participants(*, actor: Any, address: str, customer_id: int) -> int:
    """Link every participant recorded with ``address`` (any case) but no customer to
    ``customer_id``: the review queue's "this address is that customer". Where the
    customer already takes part in the interaction, the unmatched row is dropped (one
    timeline entry per customer). Returns how many interactions gained the customer."""
    ensure_can_write(actor)
    if not customer_selectors.visible_customers(actor).filter(pk=customer_id).exists():
        raise NotFound(f"Customer {customer_id} not found.", field="customer_id")
    address = _validate_text(address, name="address", limit=320).strip()
    if not address:
        raise InvalidInput("Give the address to assign.", field="address")
    rows = Participant.objects.filter(customer__isnull=True, address__iexact=address)
    present = set(Participant.objects.filter(customer_id=customer_id,
                                             interaction_id__in=rows.values("interaction_id"))
                  .values_list("interaction_id", flat=True))
    dropped, _ = rows.filter(interaction_id__in=present).delete()
    linked = rows.exclude(interaction_id__in=present).update(customer_id=customer_id)
    record_audit(actor=actor, action="participants.assigned", subject_type="customer",
                 subject_id=customer_id,
                 after={"address": address, "linked": linked, "already_present": dropped})
    return int(linked)
