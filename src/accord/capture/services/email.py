"""Putting one parsed email on the right timelines: who is who, which way it went, what
kind of mail it is, and what else it tells us (a bounce, an unsubscribe request)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from accord.accounts import selectors as account_selectors
from accord.capture.domain.address_identities import email_identity, identities_of
from accord.capture.domain.addresses import (
    AddressRules,
    Party,
    decide_party,
    direction_of,
    spellings,
)
from accord.capture.domain.email_message import MailKind, ParsedEmail
from accord.capture.events import AddressBounced, OptOutRequested
from accord.capture.services.address_queue import queue_address
from accord.customers import selectors as customer_selectors
from accord.customers import services as customer_services
from accord.customers.domain.identities import NormalisedIdentity
from accord.interactions import selectors as interaction_selectors
from accord.interactions import services as interaction_services
from accord.platform import clock
from accord.platform.errors import InvalidInput
from accord.platform.events import publish

EMAIL_SOURCE = "email"  # one (source, external_id) space for every mailbox and file
QUOTED_KEPT = 20_000  # characters of the quoted history kept in metadata


@dataclass(frozen=True)
class MailRules:
    """What a source does with each kind of mail besides ordinary messages."""

    auto_reply: str = "record"  # "record" or "skip"
    bulk: str = "skip"  # newsletters and list mail
    bounce: str = "record"  # the bounce itself; the address is marked either way


DEFAULT_RULES = MailRules()


@dataclass
class CaptureOutcome:
    status: str  # "captured", "present" (captured before), "skipped" (a rule)
    interaction_id: int | None = None
    reason: str = ""
    created_customers: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # parts that could not be kept


def address_rules(extra_domains: list[str] | tuple[str, ...] = (),
                  extra_addresses: list[str] | tuple[str, ...] = ()) -> AddressRules:
    """The site's own domains and mailboxes (settings, staff users) plus a source's."""
    return AddressRules.build(
        own_domains=[*settings.OWN_EMAIL_DOMAINS, *extra_domains],
        own_addresses=[*settings.OWN_EMAIL_ADDRESSES, *account_selectors.staff_emails(),
                       *extra_addresses])


Finder = Callable[[NormalisedIdentity], int | None]


def _lookup(address: str, rules: AddressRules, find: Finder) -> tuple[Any | None, int | None]:
    """The normalised identity of the address as written, and the customer of the first
    spelling (as written, without +tag, without Gmail dots) somebody has."""
    written = email_identity(address)
    if written is None:
        return None, None
    for form in spellings(address, rules):
        identity = written if form == address else email_identity(form)
        if identity is not None:
            found = find(identity)
            if found is not None:
                return written, found
    return written, None


def lookup_forms(addresses: Iterable[str], rules: AddressRules) -> list[NormalisedIdentity]:
    """Every identity ``_lookup`` could ask about for these addresses, so that a batch
    can fetch them in one query and answer from memory."""
    return [i for i in identities_of(addresses, rules).values() if i is not None]


def new_customer_name(name: str, address: str) -> str:
    """What a customer made for an unknown sender is called: the name on the mail, else
    the address's local part."""
    return (name.strip() or address.split("@", 1)[0])[:200]


def _new_customer(actor: Any, name: str, address: str, source: str = EMAIL_SOURCE) -> int:
    display = new_customer_name(name, address)
    customer = customer_services.create_customer(
        actor=actor, kind="person", display_name=display[:200],
        identities=[("email", address)], source=source)
    return int(customer.pk)


@dataclass(frozen=True)
class ResolvedParty:
    """One address on a captured item, decided: the participant to record (None when the
    address is unreadable or already on the item), the customer made for it, a problem."""

    participant: interaction_services.ParticipantInput | None
    created_customer: int | None = None
    problem: str = ""


def resolve_party(*, actor: Any, role: str, name: str, address: str, rules: AddressRules,
                  unknown: str, seen: set[str], source: str = EMAIL_SOURCE,
                  find: Finder = customer_selectors.find_by_identity) -> ResolvedParty:
    """Decide one address as email capture does (own, matched, new, queued, ignored);
    ``seen`` holds the normalised addresses already on the item and is updated. ``find``
    looks an identity up (a batch passes one that answers from what it fetched)."""
    identity, found = _lookup(address, rules, find)
    if identity is None:
        return ResolvedParty(None, problem=f"{role} address {address!r} is not a valid "
                                           "email address")
    if identity.value in seen:
        return ResolvedParty(None)
    seen.add(identity.value)
    decision = decide_party(identity.display, found=found, rules=rules, unknown=unknown)
    customer_id, created = decision.customer_id, None
    if decision.kind is Party.NEW:
        customer_id = created = _new_customer(actor, name, identity.display, source)
    if decision.kind is Party.QUEUED:  # waits in the review queue
        queue_address(kind="email", value=identity.value, display=identity.display)
    if customer_id is not None:
        return ResolvedParty(interaction_services.ParticipantInput(
            role=role, customer_id=customer_id), created)
    return ResolvedParty(interaction_services.ParticipantInput(
        role=role, kind="email", value=identity.display))


def email_external_id(parsed: ParsedEmail) -> str:
    """The Message-ID, or a digest of it when it is longer than the column: cutting it
    could make two messages one."""
    if len(parsed.message_id) <= 255:
        return parsed.message_id
    return "sha256:" + hashlib.sha256(parsed.message_id.encode()).hexdigest()


def capture_email(*, actor: Any, parsed: ParsedEmail, origin: str, rules: AddressRules,
                  unknown: str = "create", mail_rules: MailRules = DEFAULT_RULES,
                  metadata: dict[str, Any] | None = None) -> CaptureOutcome:
    """Record one email (idempotent per Message-ID). Raises AccordError only when nothing
    at all could be recorded; everything else lands, with notes on what was dropped."""
    if interaction_selectors.find_recorded(EMAIL_SOURCE, email_external_id(parsed)):
        return CaptureOutcome("present", reason="already captured")
    with transaction.atomic():
        if parsed.kind is MailKind.BOUNCE:
            _bounced(actor, parsed)
        if rule_for(parsed, mail_rules) == "skip":
            return CaptureOutcome("skipped",
                                  reason=f"{parsed.kind.value}: {parsed.kind_reason}")
        return _record(actor, parsed, origin, rules, unknown, metadata or {})


def rule_for(parsed: ParsedEmail, mail_rules: MailRules) -> str:
    """"record" or "skip": what the source's rules say for this kind of mail."""
    return {MailKind.AUTO_REPLY: mail_rules.auto_reply, MailKind.BULK: mail_rules.bulk,
            MailKind.BOUNCE: mail_rules.bounce}.get(parsed.kind, "record")


def _bounced(actor: Any, parsed: ParsedEmail) -> None:
    """Mark each failed recipient undeliverable; the event goes out once per address
    (a re-read bounce changes nothing and says nothing)."""
    for address in parsed.bounced_recipients:
        if email_identity(address) is None:
            continue
        customer_id, newly = customer_services.mark_undeliverable(
            actor=actor, kind="email", value=address, reason=parsed.kind_reason or "bounced")
        if newly:
            publish(AddressBounced(address=address, customer_id=customer_id))


def parties_of(parsed: ParsedEmail) -> list[tuple[str, str, str]]:
    """(role, display name, address) for everyone on the message, bounced recipients of
    a DSN as the people it is about."""
    parties: list[tuple[str, str, str]] = []
    if parsed.sender is not None:
        parties.append(("from", parsed.sender.name, parsed.sender.address))
    parties += [("to", a.name, a.address) for a in parsed.to]
    parties += [("cc", a.name, a.address) for a in parsed.cc]
    parties += [("reply_to", a.name, a.address) for a in parsed.reply_to]
    parties += [("to", "", address) for address in parsed.bounced_recipients]
    return parties


@dataclass
class EmailDraft:
    """A parsed email decided but not yet written: who is on it and which way it went."""

    parsed: ParsedEmail
    direction: str
    participants: list[interaction_services.ParticipantInput]
    metadata: dict[str, Any]
    outcome: CaptureOutcome
    attachments: list[interaction_services.AttachmentInput] = field(default_factory=list)

    def as_captured(self) -> interaction_services.CapturedInteraction:
        """The draft as a batch item for ``interactions.services.record_captured``."""
        parsed = self.parsed
        return interaction_services.CapturedInteraction(
            channel="email", direction=self.direction,
            occurred_at=parsed.sent_at or clock.now(), source=EMAIL_SOURCE,
            external_id=email_external_id(parsed),
            participants=[(p.customer_id, p.role, p.value or "") for p in self.participants],
            subject=parsed.subject[:500], text=parsed.text,
            thread_key=parsed.thread_key[:255], metadata=self.metadata,
            attachments=self.attachments)


def draft_email(*, actor: Any, parsed: ParsedEmail, origin: str, rules: AddressRules,
                unknown: str, metadata: dict[str, Any],
                find: Finder = customer_selectors.find_by_identity) -> EmailDraft:
    """Decide every address on the message (creating customers for new ones as the
    source's policy says) and its direction. Raises InvalidInput when no address at all
    can be read."""
    outcome = CaptureOutcome("captured")
    participants: list[interaction_services.ParticipantInput] = []
    seen: set[str] = set()
    for role, name, address in parties_of(parsed):
        party = resolve_party(actor=actor, role=role, name=name, address=address,
                              rules=rules, unknown=unknown, seen=seen, find=find)
        if party.problem:
            outcome.notes.append(party.problem)
        if party.created_customer is not None:
            outcome.created_customers.append(party.created_customer)
        if party.participant is not None:
            participants.append(party.participant)
    if not participants:
        raise InvalidInput("No sender or recipient address could be read.", field="from")
    recipients = [a.address for a in (*parsed.to, *parsed.cc)]
    direction = direction_of(parsed.sender.address if parsed.sender else None, recipients,
                             rules)
    attachments = _attachments(parsed, outcome.notes)
    return EmailDraft(parsed, direction, participants,
                      {**metadata, **_email_metadata(parsed, origin, outcome.notes)}, outcome,
                      attachments)


def _attachments(parsed: ParsedEmail,
                 notes: list[str]) -> list[interaction_services.AttachmentInput]:
    """The files to keep; one over the size limit is left out (the message is still
    captured) and said so in ``notes``."""
    limit = interaction_services.MAX_ATTACHMENT_BYTES
    kept = []
    for a in parsed.attachments:
        if len(a.content) > limit:
            notes.append(f"attachment {a.filename!r} ({len(a.content) / 2**20:.0f} MB) is "
                         f"over the {limit // 2**20} MB limit and was not kept")
            continue
        kept.append(interaction_services.AttachmentInput(
            filename=a.filename, content=a.content, content_type=a.content_type))
    return kept


def _record(actor: Any, parsed: ParsedEmail, origin: str, rules: AddressRules, unknown: str,
            metadata: dict[str, Any]) -> CaptureOutcome:
    draft = draft_email(actor=actor, parsed=parsed, origin=origin, rules=rules,
                        unknown=unknown, metadata=metadata)
    outcome, direction = draft.outcome, draft.direction
    result = interaction_services.record_interaction(
        actor=actor, channel="email", direction=direction,
        occurred_at=parsed.sent_at or clock.now(), participants=draft.participants,
        subject=parsed.subject[:500], text=parsed.text, thread_key=parsed.thread_key[:255],
        source=EMAIL_SOURCE, external_id=email_external_id(parsed),
        metadata=draft.metadata, attachments=draft.attachments)
    outcome.interaction_id = result.interaction.pk
    if not result.created:
        outcome.status, outcome.reason = "present", "already captured"
        return outcome
    if parsed.unsubscribe_request and direction == "inbound":
        for p in result.participants:
            if p.role == "from" and p.customer_id is not None:
                publish(OptOutRequested(customer_id=p.customer_id, channel="email",
                                        opt_in=False, source=origin,
                                        interaction_id=result.interaction.pk))
    return outcome


def _email_metadata(parsed: ParsedEmail, origin: str, notes: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "message_id": parsed.message_id, "in_reply_to": parsed.in_reply_to,
        "references": list(parsed.references), "kind": parsed.kind.value,
        "origin": origin,
    }
    optional = {"kind_reason": parsed.kind_reason, "list_id": parsed.list_id,
                "quoted": parsed.quoted[:QUOTED_KEPT], "signature": parsed.signature,
                "from_html": parsed.from_html,
                "bounced": list(parsed.bounced_recipients),
                "problems": [*parsed.defects, *notes],
                "generated_id": not parsed.has_message_id}
    data.update({k: v for k, v in optional.items() if v})
    return data
