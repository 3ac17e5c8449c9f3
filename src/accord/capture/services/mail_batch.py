"""Capturing mail a batch at a time: what an import or a sync does with hundreds of
parsed messages in a few queries instead of a dozen per message.

A batch checks which messages are already on the timeline in one query, looks every
address up in one query, decides each message exactly as ``capture_email`` does (the same
rules, through the same ``draft_email``), and writes them with
``interactions.services.record_captured``. Mail with side effects (bounces, unsubscribe
requests) goes through ``capture_email`` one by one. If the batch write fails (another
writer got there first), the batch is captured again one message at a time, so the
outcome is the same either way."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, transaction

from accord.capture.domain.address_identities import email_identity
from accord.capture.domain.addresses import AddressRules, Party, decide_party, is_own
from accord.capture.domain.email_message import MailKind, ParsedEmail
from accord.capture.services.email import (
    EMAIL_SOURCE,
    CaptureOutcome,
    EmailDraft,
    MailRules,
    capture_email,
    draft_email,
    email_external_id,
    lookup_forms,
    new_customer_name,
    parties_of,
    rule_for,
)
from accord.capture.services.reports import CaptureReport
from accord.customers import selectors as customer_selectors
from accord.customers import services as customer_services
from accord.customers.domain.identities import NormalisedIdentity
from accord.interactions import selectors as interaction_selectors
from accord.interactions import services as interaction_services
from accord.platform.errors import AccordError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailItem:
    """One message of a batch: its reference for reports, and the parsed message (or why
    it could not be read)."""

    item: str
    parsed: ParsedEmail | None
    problem: str = ""
    metadata: dict[str, Any] | None = None


@dataclass(frozen=True)
class BatchContext:
    actor: Any
    origin: str
    rules: AddressRules
    unknown: str
    mail_rules: MailRules
    source_id: int | None


class _BatchFinder:
    """Answers identity lookups from what the batch fetched. Once the batch has made a
    customer, a miss asks the database again, so a second message from the same new
    address finds the customer the first one made."""

    def __init__(self, known: dict[tuple[str, str], int], rules: AddressRules) -> None:
        self.known = known
        self.rules = rules
        self.created = False

    def may_write(self, parsed: ParsedEmail, unknown: str) -> bool:
        """Whether deciding this message's addresses could write (a new customer, a
        queued address): only then does it need a savepoint of its own."""
        if unknown == "ignore":
            return False
        people = (parsed.sender, *parsed.to, *parsed.cc, *parsed.reply_to)
        for address in [p.address for p in people if p is not None]:
            identity = email_identity(address)
            if identity is None or is_own(identity.value, self.rules):
                continue
            if not any(
                    (form.kind.value, form.value) in self.known
                    for form in lookup_forms([address], self.rules)):
                return True
        return bool(parsed.bounced_recipients)

    def __call__(self, identity: NormalisedIdentity) -> int | None:
        key = (identity.kind.value, identity.value)
        if key in self.known:
            return self.known[key]
        if not self.created or is_own(identity.value, self.rules):
            return None
        return customer_selectors.find_by_identity(identity)


def count_outcome(report: CaptureReport, ctx: BatchContext, item: str, parsed: ParsedEmail,
                  outcome: CaptureOutcome) -> None:
    """Add one message's outcome to the report (and keep what it lost as a problem)."""
    if outcome.status == "captured":
        report.captured += 1
        report.created_customers += len(outcome.created_customers)
        report.captured_in_part(source_id=ctx.source_id, origin=ctx.origin, item=item,
                                problems=[*parsed.defects, *outcome.notes])
    elif outcome.status == "present":
        report.present += 1
    else:
        report.skipped += 1


def capture_one(report: CaptureReport, ctx: BatchContext, entry: MailItem) -> None:
    """One message through ``capture_email``, guarded: a failure is reported, never
    raised."""
    parsed = entry.parsed
    if parsed is None:
        report.reject(source_id=ctx.source_id, origin=ctx.origin, item=entry.item,
                      reason=entry.problem or "cannot be read")
        return
    outcome = report.guarded(
        lambda: capture_email(actor=ctx.actor, parsed=parsed, origin=ctx.origin,
                              rules=ctx.rules, unknown=ctx.unknown,
                              mail_rules=ctx.mail_rules, metadata=entry.metadata),
        source_id=ctx.source_id, origin=ctx.origin, item=entry.item)
    if outcome is not None:
        count_outcome(report, ctx, entry.item, parsed, outcome)


def capture_batch(report: CaptureReport, ctx: BatchContext,
                  entries: Sequence[MailItem]) -> None:
    """Capture a batch of messages; every message is counted in ``report`` as captured,
    present, skipped or rejected, exactly as one-by-one capture would count it."""
    ids = [email_external_id(e.parsed) for e in entries if e.parsed is not None]
    present = interaction_selectors.recorded_among(EMAIL_SOURCE, ids)
    plain: list[MailItem] = []
    in_batch: set[str] = set()
    for entry in entries:
        parsed = entry.parsed
        if parsed is None:
            capture_one(report, ctx, entry)  # reports why it could not be read
            continue
        external_id = email_external_id(parsed)
        if external_id in present or external_id in in_batch:
            report.present += 1
            continue
        in_batch.add(external_id)
        if parsed.kind is MailKind.BOUNCE or parsed.unsubscribe_request:
            capture_one(report, ctx, entry)  # side effects: marks, events
        elif rule_for(parsed, ctx.mail_rules) == "skip":
            report.skipped += 1
        else:
            plain.append(entry)
    if plain:
        _write_plain(report, ctx, plain)


def _write_plain(report: CaptureReport, ctx: BatchContext, entries: list[MailItem]) -> None:
    addresses = [a.address for e in entries if e.parsed is not None
                 for a in (e.parsed.sender, *e.parsed.to, *e.parsed.cc, *e.parsed.reply_to)
                 if a is not None]
    finder = _BatchFinder(customer_selectors.find_by_identities(
        lookup_forms(addresses, ctx.rules)), ctx.rules)
    part = CaptureReport()
    try:
        with transaction.atomic():
            if ctx.unknown == "create":
                part.created_customers += _create_new_senders(ctx, entries, finder)
            drafts: list[tuple[MailItem, EmailDraft]] = []
            for entry in entries:
                draft = part.guarded(lambda e=entry: _draft(ctx, e, finder),  # type: ignore[misc]
                                     source_id=ctx.source_id, origin=ctx.origin,
                                     item=entry.item)
                if draft is not None:
                    drafts.append((entry, draft))
            interaction_services.record_captured(
                actor=ctx.actor, items=[d.as_captured() for _, d in drafts])
            for entry, draft in drafts:
                count_outcome(part, ctx, entry.item, draft.parsed, draft.outcome)
    except (DatabaseError, AccordError) as exc:
        # Rolled back as a whole (customers it made included): capture the same messages
        # one by one, each in its own transaction, so only a truly bad one is rejected.
        logger.info("batch of %d from %s written one by one: %s", len(entries), ctx.origin,
                    exc)
        part = CaptureReport()
        for entry in entries:
            capture_one(part, ctx, entry)
    report.add(part)


def _create_new_senders(ctx: BatchContext, entries: list[MailItem],
                        finder: _BatchFinder) -> int:
    """Make, in one go, the customers this batch's unknown addresses will need (what
    ``draft_email`` would otherwise make one at a time), and teach the finder about them
    so every message then finds them. Returns how many were made."""
    wanted: dict[str, tuple[str, NormalisedIdentity]] = {}
    for entry in entries:
        if entry.parsed is None:
            continue
        for _, name, address in parties_of(entry.parsed):
            identity = email_identity(address)
            if identity is None or identity.value in wanted:
                continue
            found = next((f for f in (finder(form) for form in lookup_forms([address],
                                                                             ctx.rules))
                          if f is not None), None)
            decision = decide_party(identity.display, found=found, rules=ctx.rules,
                                    unknown=ctx.unknown)
            if decision.kind is Party.NEW:
                wanted[identity.value] = (new_customer_name(name, identity.display), identity)
    if not wanted:
        return 0
    ids = customer_services.create_captured_people(actor=ctx.actor, people=list(wanted.values()),
                                                   source=EMAIL_SOURCE)
    for (_, identity), customer_id in zip(wanted.values(), ids, strict=True):
        finder.known[(identity.kind.value, identity.value)] = customer_id
    return len(ids)


def _draft(ctx: BatchContext, entry: MailItem, finder: _BatchFinder) -> EmailDraft:
    parsed = entry.parsed
    assert parsed is not None
    if finder.may_write(parsed, ctx.unknown):
        with transaction.atomic():  # a customer made for a message that fails goes with it
            draft = draft_email(actor=ctx.actor, parsed=parsed, origin=ctx.origin,
                                rules=ctx.rules, unknown=ctx.unknown,
                                metadata=entry.metadata or {}, find=finder)
    else:  # everyone on it is known or the organisation's own: deciding writes nothing
        draft = draft_email(actor=ctx.actor, parsed=parsed, origin=ctx.origin,
                            rules=ctx.rules, unknown=ctx.unknown,
                            metadata=entry.metadata or {}, find=finder)
    if draft.outcome.created_customers:
        finder.created = True
    return draft
