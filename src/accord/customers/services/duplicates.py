"""Duplicate suggestions: finding them (the rules are in domain/duplicates.py), keeping
them current, and a reviewer's "not duplicates". Merging is in merges.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from accord.accounts.access import ensure_admin
from accord.customers.domain.duplicates import (
    CustomerFacts,
    Suggestion,
    SuggestionStatus,
    find_suggestions,
)
from accord.customers.domain.kinds import CustomerKind, IdentityKind
from accord.customers.models import Customer, DuplicateScan, DuplicateSuggestion, Identity
from accord.customers.services.records import visible_for_write
from accord.platform import clock
from accord.platform.actors import SYSTEM
from accord.platform.audit import record_audit
from accord.platform.errors import Conflict, NotFound

# How often the worker looks again at customers changed since its last look.
SCAN_EVERY = timedelta(minutes=30)
_CHUNK = 5000
_EVIDENCE_KINDS = (IdentityKind.PHONE.value, IdentityKind.ADDRESS.value,
                   IdentityKind.EMAIL.value)


@dataclass(frozen=True)
class DuplicateReport:
    """What one run did: customers looked at, open suggestions found (new ones among
    them) and open suggestions removed because their evidence is gone."""

    full: bool
    customers: int
    found: int
    new: int
    removed: int


def _load_facts(since: datetime | None) -> tuple[list[CustomerFacts], set[int]]:
    """Every live customer's facts, and those changed (profile or identities) since
    ``since`` (all of them when it is None)."""
    live: dict[int, tuple[str, str, int | None]] = {}
    changed: set[int] = set()
    rows = (Customer.objects.filter(merged_into__isnull=True)
            .values_list("id", "kind", "display_name", "organisation_id", "updated_at"))
    for pk, kind, name, org, updated in rows.iterator(chunk_size=_CHUNK):
        live[pk] = (kind, name, org)
        if since is None or updated >= since:
            changed.add(pk)
    org_ids = {org for _, _, org in live.values() if org is not None}
    org_names = dict(Customer.objects.filter(pk__in=org_ids, kind=CustomerKind.ORGANISATION)
                     .values_list("id", "display_name")) if org_ids else {}
    phones: dict[int, list[tuple[str, str]]] = defaultdict(list)
    addresses: dict[int, list[tuple[str, str]]] = defaultdict(list)
    emails: dict[int, list[str]] = defaultdict(list)
    identities = (Identity.objects.filter(kind__in=_EVIDENCE_KINDS)
                  .values_list("customer_id", "kind", "value", "display", "last_seen"))
    for pk, kind, value, display, seen in identities.iterator(chunk_size=_CHUNK):
        if pk not in live:
            continue
        if since is not None and seen >= since:
            changed.add(pk)
        if kind == IdentityKind.PHONE:
            phones[pk].append((value, display))
        elif kind == IdentityKind.ADDRESS:
            addresses[pk].append((value, display))
        else:
            emails[pk].append(value)
    facts = [CustomerFacts(id=pk, kind=kind, name=name, organisation_id=org,
                           organisation_name=org_names.get(org, "") if org else "",
                           phones=tuple(phones.get(pk, ())),
                           addresses=tuple(addresses.get(pk, ())),
                           emails=tuple(emails.get(pk, ())))
             for pk, (kind, name, org) in live.items()]
    return facts, changed


def _changed_since(since: datetime) -> bool:
    """Whether any customer or evidence identity changed since ``since`` (two cheap
    existence checks, so an idle hourly run does not read every customer)."""
    return (Customer.objects.filter(updated_at__gte=since).exists()
            or Identity.objects.filter(kind__in=_EVIDENCE_KINDS, last_seen__gte=since).exists())


def find_duplicates(*, actor: Any, full: bool = False) -> DuplicateReport:
    """Refresh the open duplicate suggestions. Incremental by default: only pairs
    touching customers changed (profile or identities) since the last finished run
    started; the first run, or ``full=True``, looks at every pair. Pairs merged or
    dismissed are never suggested again. Administrators (and the system) only: it reads
    every customer."""
    ensure_admin(actor)
    return _run(actor, DuplicateScan.objects.create(started_at=clock.now()), full=full)


def _run(actor: Any, scan: DuplicateScan, *, full: bool) -> DuplicateReport:
    previous = (DuplicateScan.objects.filter(finished_at__isnull=False)
                .exclude(pk=scan.pk).order_by("-started_at").first())
    since = None if full or previous is None else previous.started_at
    facts: list[CustomerFacts] = []
    changed: set[int] = set()
    if since is None or _changed_since(since):  # else skip reading every customer
        facts, changed = _load_facts(since)
    decided = set(DuplicateSuggestion.objects.exclude(status=SuggestionStatus.OPEN)
                  .values_list("customer_a_id", "customer_b_id"))
    only = None if since is None else changed
    suggestions = [] if only is not None and not only else find_suggestions(
        facts, only=only, exclude=decided)
    with transaction.atomic():
        report = _store(suggestions, live={f.id for f in facts} if facts else None,
                        only=only, now=scan.started_at)
        scan.finished_at = clock.now()
        scan.full = report.full
        scan.customers = report.customers
        scan.suggested = report.found
        scan.save()
        record_audit(actor=actor, action="customers.duplicates_found",
                     subject_type="customer", subject_id="duplicates",
                     after={"full": report.full, "customers": report.customers,
                            "found": report.found, "new": report.new,
                            "removed": report.removed})
    return report


def _store(suggestions: list[Suggestion], *, live: set[int] | None,
           only: Collection[int] | None, now: datetime) -> DuplicateReport:
    """Write the run's findings: refresh the open rows found again, add new ones, and
    remove the open rows this run looked at and no longer supports. ``live`` is None
    when the run read nobody (nothing changed)."""
    if live is None:
        return DuplicateReport(full=False, customers=0, found=0, new=0, removed=0)
    found = {(s.a, s.b): s for s in suggestions}
    open_rows: dict[tuple[int, int], int] = {}
    unchanged: set[tuple[int, int]] = set()
    for pk, a, b, score, reasons in DuplicateSuggestion.objects.filter(
            status=SuggestionStatus.OPEN).values_list(
            "id", "customer_a_id", "customer_b_id", "score", "reasons").iterator(chunk_size=_CHUNK):
        open_rows[(a, b)] = pk
        again = found.get((a, b))
        if again is not None and again.score == score and list(again.reasons) == reasons:
            unchanged.add((a, b))
    stale = [pk for (a, b), pk in open_rows.items()
             if (a, b) not in found and (a not in live or b not in live or only is None
                                         or a in only or b in only)]
    for start in range(0, len(stale), _CHUNK):
        DuplicateSuggestion.objects.filter(pk__in=stale[start:start + _CHUNK]).delete()
    refreshed = [DuplicateSuggestion(pk=open_rows[pair], score=s.score,
                                     reasons=list(s.reasons), found_at=now)
                 for pair, s in found.items() if pair in open_rows and pair not in unchanged]
    DuplicateSuggestion.objects.bulk_update(refreshed, ["score", "reasons", "found_at"],
                                            batch_size=500)
    new = [DuplicateSuggestion(customer_a_id=s.a, customer_b_id=s.b, score=s.score,
                               reasons=list(s.reasons), found_at=now)
           for pair, s in found.items() if pair not in open_rows]
    # A concurrent run may have added the same pair: the pair's unique index keeps one.
    DuplicateSuggestion.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return DuplicateReport(full=only is None,
                           customers=len(live) if only is None else len(only),
                           found=len(found), new=len(new), removed=len(stale))


def find_duplicates_if_due() -> int:
    """The worker's periodic job: an incremental run when the last one started more than
    ``SCAN_EVERY`` ago. Returns the new suggestions."""
    with transaction.atomic():
        # Locking the newest scan row, then adding this run's, lets one worker of several
        # claim the run on PostgreSQL. On SQLite two may both run: harmless, as a pair
        # is stored once whoever finds it.
        last = DuplicateScan.objects.select_for_update().order_by("-started_at").first()
        now = clock.now()
        if last is not None and last.started_at > now - SCAN_EVERY:
            return 0
        scan = DuplicateScan.objects.create(started_at=now)
    return _run(SYSTEM, scan, full=False).new


@transaction.atomic
def dismiss_suggestion(*, actor: Any, suggestion_id: int) -> DuplicateSuggestion:
    """"Not duplicates": the pair is never suggested again. Both customers must be ones
    the actor may change; otherwise the suggestion does not exist for them."""
    suggestion = _decidable(actor, suggestion_id)
    suggestion.status = SuggestionStatus.DISMISSED.value
    suggestion.decided_at = clock.now()
    suggestion.decided_by = actor if getattr(actor, "pk", None) else None
    suggestion.save(update_fields=["status", "decided_at", "decided_by"])
    record_audit(actor=actor, action="customer.duplicate_dismissed", subject_type="customer",
                 subject_id=suggestion.customer_a_id,
                 after={"suggestion_id": suggestion.pk, "customer_b_id": suggestion.customer_b_id,
                        "score": suggestion.score, "reasons": suggestion.reasons})
    return suggestion


@transaction.atomic
def reopen_suggestion(*, actor: Any, suggestion_id: int) -> DuplicateSuggestion:
    """Take back a "not duplicates": the pair is open for review again."""
    suggestion = _decidable(actor, suggestion_id, status=SuggestionStatus.DISMISSED)
    suggestion.status = SuggestionStatus.OPEN.value
    suggestion.decided_at = None
    suggestion.decided_by = None
    suggestion.save(update_fields=["status", "decided_at", "decided_by"])
    record_audit(actor=actor, action="customer.duplicate_reopened", subject_type="customer",
                 subject_id=suggestion.customer_a_id,
                 after={"suggestion_id": suggestion.pk,
                        "customer_b_id": suggestion.customer_b_id})
    return suggestion


def _decidable(actor: Any, suggestion_id: int,
               status: SuggestionStatus = SuggestionStatus.OPEN) -> DuplicateSuggestion:
    suggestion = (DuplicateSuggestion.objects.select_for_update()
                  .filter(pk=suggestion_id).first())
    if suggestion is None:
        raise NotFound(f"Suggestion {suggestion_id} not found.", field="suggestion_id")
    for customer_id in (suggestion.customer_a_id, suggestion.customer_b_id):
        try:
            visible_for_write(actor, customer_id, field="suggestion_id")
        except NotFound as exc:
            raise NotFound(f"Suggestion {suggestion_id} not found.",
                           field="suggestion_id") from exc
    if suggestion.status != status:
        raise Conflict(f"This suggestion is {suggestion.status}, not {status.value}.",
                       field="suggestion_id")
    return suggestion


def settle_after_merge(*, actor: Any, survivor_id: int, loser_id: int,
                       now: datetime) -> None:
    """Inside a merge: the pair's suggestion is decided (merged), and the loser's other
    open suggestions go (the next run finds them again for the survivor, which now holds
    the loser's identities)."""
    a, b = sorted((survivor_id, loser_id))
    DuplicateSuggestion.objects.filter(customer_a_id=a, customer_b_id=b).update(
        status=SuggestionStatus.MERGED.value, decided_at=now,
        decided_by=actor if getattr(actor, "pk", None) else None)
    (DuplicateSuggestion.objects.filter(status=SuggestionStatus.OPEN)
     .filter(customer_a_id=loser_id).delete())
    (DuplicateSuggestion.objects.filter(status=SuggestionStatus.OPEN)
     .filter(customer_b_id=loser_id).delete())


def settle_after_unmerge(*, survivor_id: int, loser_id: int) -> None:
    """Inside an undo: the pair is open for review again (perhaps to merge it with other
    choices, perhaps to say "not duplicates")."""
    a, b = sorted((survivor_id, loser_id))
    DuplicateSuggestion.objects.filter(customer_a_id=a, customer_b_id=b,
                                       status=SuggestionStatus.MERGED).update(
        status=SuggestionStatus.OPEN.value, decided_at=None, decided_by=None)
