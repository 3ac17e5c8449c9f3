"""Use cases that change customers. Keyword-only, explicit actor, one transaction each,
an audit row per write, events on commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from accord.accounts.access import customer_scope, ensure_can_write, role_of
from accord.accounts.domain import Role
from accord.accounts.selectors import active_user_exists, team_exists
from accord.customers.domain.identities import (
    NormalisedIdentity,
    fold_text,
    is_junk,
    name_search_keys,
    normalise_identity,
    parse_kind,
)
from accord.customers.domain.kinds import CustomerKind, IdentityKind, Lifecycle
from accord.customers.domain.merge import MERGEABLE_FIELDS, plan_merge
from accord.customers.events import (
    CustomerCreated,
    CustomersMerged,
    CustomersUnmerged,
    CustomerUpdated,
    IdentityAdded,
)
from accord.customers.models import Customer, Identity, Merge, NameKey
from accord.platform import clock
from accord.platform.audit import record_audit
from accord.platform.bulk import copy_rows, db_time, finish_bulk_load, next_id
from accord.platform.errors import Conflict, InvalidInput, NotFound
from accord.platform.events import publish

EDITABLE_FIELDS = (
    "kind", "display_name", "given_name", "family_name", "organisation_id", "owner_id",
    "team_id", "preferred_channel", "language", "lifecycle",
)


def snapshot(customer: Customer) -> dict[str, Any]:
    """The editable state of a customer as plain JSON (audit before/after, merge undo)."""
    data = {name: getattr(customer, name) for name in EDITABLE_FIELDS}
    data["id"] = customer.pk
    data["merged_into_id"] = customer.merged_into_id
    return data


def normalise(kind: str, raw: str, *, field: str | None = None,
              kind_field: str = "kind") -> NormalisedIdentity:
    """Normalise with the configured default phone region; errors name ``field``."""
    return normalise_identity(parse_kind(kind, field=kind_field), raw,
                              default_region=settings.DEFAULT_PHONE_REGION, field=field)


def _visible_for_write(actor: Any, customer_id: int, *, field: str = "customer_id") -> Customer:
    ensure_can_write(actor)
    customer = (Customer.objects.select_for_update()
                .filter(customer_scope(actor), pk=customer_id).first())
    if customer is None:
        raise NotFound(f"Customer {customer_id} not found.", field=field)
    return customer


def _check_assignment(actor: Any, values: Mapping[str, Any]) -> None:
    """Non-admins may only hand customers to teams they belong to."""
    team_id = values.get("team_id")
    if team_id is None or role_of(actor) is Role.ADMIN:
        return
    if not actor.teams.filter(pk=team_id).exists():
        raise InvalidInput("You can only assign customers to your own teams.", field="team_id")


def _clean_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name not in EDITABLE_FIELDS:
            raise InvalidInput(f"{name!r} is not a customer field.", field=name)
        if name == "kind":
            try:
                value = CustomerKind(value).value
            except ValueError as exc:
                raise InvalidInput("kind must be 'person' or 'organisation'.", field=name) from exc
        elif name == "lifecycle":
            try:
                value = Lifecycle(value).value
            except ValueError as exc:
                allowed = ", ".join(x.value for x in Lifecycle)
                raise InvalidInput(f"lifecycle must be one of {allowed}.", field=name) from exc
        elif name.endswith("_id"):
            if value is not None and (not isinstance(value, int) or value <= 0):
                raise InvalidInput(f"{name} must be a positive integer.", field=name)
        else:
            value = (value or "").strip()
            limit = getattr(Customer._meta.get_field(name), "max_length", None) or 200
            if len(value) > limit:
                raise InvalidInput(f"{name} is longer than {limit} characters.", field=name)
        cleaned[name] = value
    return cleaned


def _apply_names(customer: Customer) -> None:
    if not customer.display_name:
        customer.display_name = " ".join(
            p for p in (customer.given_name, customer.family_name) if p).strip()
    if not customer.display_name:
        raise InvalidInput("A customer needs a display name or a given/family name.",
                           field="display_name")
    customer.name_key = fold_text(customer.display_name)[:200]
    customer.family_key = fold_text(customer.family_name)[:100]


def _save_name_keys(customer: Customer) -> None:
    """Keep the name search keys in step with the display name (after every save)."""
    keys = name_search_keys(customer.display_name)
    NameKey.objects.filter(customer=customer).exclude(key__in=keys).delete()
    present = set(NameKey.objects.filter(customer=customer).values_list("key", flat=True))
    NameKey.objects.bulk_create([NameKey(customer=customer, key=k) for k in keys
                                 if k not in present])


def _check_links(actor: Any, customer: Customer) -> None:
    if customer.organisation_id is not None:
        org = Customer.objects.filter(customer_scope(actor), pk=customer.organisation_id,
                                      kind=CustomerKind.ORGANISATION.value).first()
        if org is None:
            raise InvalidInput(f"Organisation {customer.organisation_id} not found.",
                               field="organisation_id")
        if customer.kind == CustomerKind.ORGANISATION.value:
            raise InvalidInput("An organisation cannot belong to an organisation.",
                               field="organisation_id")
    if customer.owner_id is not None and not active_user_exists(customer.owner_id):
        raise InvalidInput(f"User {customer.owner_id} not found.", field="owner_id")
    if customer.team_id is not None and not team_exists(customer.team_id):
        raise InvalidInput(f"Team {customer.team_id} not found.", field="team_id")


@transaction.atomic
def create_customer(
    *,
    actor: Any,
    identities: Iterable[tuple[str, str]] = (),
    source: str = "",
    **fields: Any,
) -> Customer:
    """Create a person or organisation, with any identities given as (kind, raw value)."""
    ensure_can_write(actor)
    values = _clean_fields(fields)
    if actor is not None and "owner_id" not in values and role_of(actor) is not Role.ANALYST:
        values["owner_id"] = actor.pk
    _check_assignment(actor, values)
    now = clock.now()
    customer = Customer(created_at=now, updated_at=now, **values)
    _apply_names(customer)
    _check_links(actor, customer)
    customer.save()
    _save_name_keys(customer)
    for index, (kind, raw) in enumerate(identities):
        where = f"identities[{index}]"
        _attach_identity(customer, normalise(kind, raw, field=f"{where}.value",
                                             kind_field=f"{where}.kind"),
                         source=source, verified=False, field=f"{where}.value")
    record_audit(actor=actor, action="customer.created", subject_type="customer",
                 subject_id=customer.pk, after=snapshot(customer))
    publish(CustomerCreated(customer_id=customer.pk))
    return customer


@transaction.atomic
def update_customer(*, actor: Any, customer_id: int, **fields: Any) -> Customer:
    customer = _visible_for_write(actor, customer_id)
    if customer.merged_into_id:
        raise Conflict("This customer was merged; edit the surviving record.", field="customer_id")
    before = snapshot(customer)
    values = _clean_fields(fields)
    _check_assignment(actor, values)
    for name, value in values.items():
        setattr(customer, name, value)
    if "display_name" in values and not values["display_name"]:
        customer.display_name = ""
    _apply_names(customer)
    _check_links(actor, customer)
    if customer.organisation_id == customer.pk:
        raise InvalidInput("A customer cannot be its own organisation.", field="organisation_id")
    customer.updated_at = clock.now()
    customer.save()
    _save_name_keys(customer)
    after = snapshot(customer)
    changed = sorted(k for k in after if after[k] != before[k])
    record_audit(actor=actor, action="customer.updated", subject_type="customer",
                 subject_id=customer.pk, before=before, after=after)
    publish(CustomerUpdated(customer_id=customer.pk, fields=changed))
    return customer


def _attach_identity(customer: Customer, identity: NormalisedIdentity, *, source: str,
                     verified: bool, field: str = "value") -> Identity:
    if is_junk(identity):
        raise InvalidInput(f"{identity.display!r} is shared or a placeholder (no-reply, "
                           "unknown, 0000000) and cannot identify one customer.", field=field)
    existing = Identity.objects.filter(kind=identity.kind.value, value=identity.value).first()
    now = clock.now()
    if existing is not None:
        if existing.customer_id != customer.pk:
            raise Conflict(f"This {identity.kind.value} already belongs to another customer.",
                           field="value")
        existing.last_seen = now
        existing.verified = existing.verified or verified
        existing.save(update_fields=["last_seen", "verified"])
        return existing
    try:
        with transaction.atomic():
            row = Identity.objects.create(
                customer=customer, kind=identity.kind.value, value=identity.value,
                display=identity.display, verified=verified, source=source,
                first_seen=now, last_seen=now)
    except IntegrityError as exc:  # a concurrent writer took it between check and insert
        raise Conflict(f"This {identity.kind.value} already belongs to another customer.",
                       field="value") from exc
    publish(IdentityAdded(customer_id=customer.pk, kind=row.kind, value=row.value))
    return row


@transaction.atomic
def mark_undeliverable(*, actor: Any, kind: str, value: str,
                       reason: str) -> tuple[int | None, bool]:
    """Note that messages to this identity fail (a bounce). Returns its customer (None
    when nobody has it) and whether this call marked it (an identity already marked is
    left as it is)."""
    identity = normalise(kind, value, field="value")
    row = Identity.objects.filter(kind=identity.kind.value, value=identity.value).first()
    if row is None:
        return None, False
    if row.undeliverable_at is not None:
        return row.customer_id, False
    row.undeliverable_at = clock.now()
    row.undeliverable_reason = reason[:300]
    row.save(update_fields=["undeliverable_at", "undeliverable_reason"])
    record_audit(actor=actor, action="identity.undeliverable", subject_type="customer",
                 subject_id=row.customer_id,
                 after={"kind": row.kind, "value": row.value, "reason": reason[:300]})
    return row.customer_id, True


@transaction.atomic
def add_identity(*, actor: Any, customer_id: int, kind: str, value: str,
                 verified: bool = False, source: str = "") -> Identity:
    customer = _visible_for_write(actor, customer_id)
    if customer.merged_into_id:
        raise Conflict("This customer was merged; add identities to the survivor.",
                       field="customer_id")
    identity = _attach_identity(customer, normalise(kind, value, field="value"),
                                source=source, verified=verified)
    record_audit(actor=actor, action="identity.added", subject_type="customer",
                 subject_id=customer.pk, after={"kind": identity.kind, "value": identity.value})
    return identity


@transaction.atomic
def remove_identity(*, actor: Any, customer_id: int, identity_id: int) -> None:
    customer = _visible_for_write(actor, customer_id)
    identity = Identity.objects.filter(pk=identity_id, customer=customer).first()
    if identity is None:
        raise NotFound(f"Identity {identity_id} not found.", field="identity_id")
    identity.delete()
    record_audit(actor=actor, action="identity.removed", subject_type="customer",
                 subject_id=customer.pk, before={"kind": identity.kind, "value": identity.value})


@transaction.atomic
def merge_customers(*, actor: Any, survivor_id: int, loser_id: int,
                    choices: Mapping[str, str] | None = None) -> Merge:
    """Merge ``loser`` into ``survivor``: fields per ``choices``, every identity moves, and
    the loser's timeline and transactions appear under the survivor (it is kept, marked
    ``merged_into``, so the merge can be undone exactly)."""
    survivor = _visible_for_write(actor, survivor_id, field="survivor_id")
    loser = _visible_for_write(actor, loser_id, field="loser_id")
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
    _apply_names(survivor)
    survivor.updated_at = now
    survivor.save()
    _save_name_keys(survivor)
    loser.merged_into = survivor
    loser.updated_at = now
    loser.save(update_fields=["merged_into", "updated_at"])
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
    loser = Customer.objects.select_for_update().get(pk=merge.loser_id)
    saved = merge.snapshot
    for name in MERGEABLE_FIELDS:
        setattr(survivor, name, saved["survivor"][name])
    _apply_names(survivor)
    now = clock.now()
    survivor.updated_at = now
    survivor.save()
    _save_name_keys(survivor)
    loser.merged_into = None
    loser.updated_at = now
    loser.save(update_fields=["merged_into", "updated_at"])
    Identity.objects.filter(id__in=saved["moved_identity_ids"], customer=survivor).update(
        customer=loser)
    Customer.objects.filter(id__in=saved.get("people_ids", [])).update(organisation=loser)
    merge.undone_at = now
    merge.save(update_fields=["undone_at"])
    record_audit(actor=actor, action="customer.unmerged", subject_type="customer",
                 subject_id=survivor.pk, before={"merge_id": merge.pk},
                 after={"survivor": snapshot(survivor), "loser": snapshot(loser)})
    publish(CustomersUnmerged(merge_id=merge.pk, survivor_id=survivor.pk, loser_id=loser.pk))
    return merge


# ---------------------------------------------------------------------------------------
# Bulk loading, for the demo generator and very large imports. Rows go in through
# platform.bulk.copy_rows (executemany on SQLite, COPY on PostgreSQL) with ids the caller
# numbers from bulk_next_customer_id(); the per-row services above stay the way for
# anything interactive. A load leaves one audit row (bulk_customers_loaded), not one per row.


BULK_CUSTOMER_COLUMNS = (
    "id", "kind", "display_name", "given_name", "family_name", "organisation_id", "owner_id",
    "team_id", "preferred_channel", "language", "lifecycle", "created_at",
)
BULK_IDENTITY_COLUMNS = ("customer_id", "kind", "value", "display", "source", "seen_at")

_BULK_KINDS = frozenset(k.value for k in CustomerKind)
_BULK_LIFECYCLES = frozenset(x.value for x in Lifecycle)
_BULK_JUNK_PRONE = frozenset(("email", "phone"))  # what is_junk can refuse


def _bulk_fold(text: str) -> str:
    # Same key as fold_text; ASCII (nearly every demo and import name) skips unicodedata.
    if text.isascii():
        return " ".join(text.split()).lower()
    return fold_text(text)


def bulk_next_customer_id() -> int:
    """The first free customer id; a bulk load numbers its customers from here."""
    return next_id(Customer._meta.db_table)


def bulk_load_customers(rows: Iterable[Sequence[Any]]) -> int:
    """Insert customers given as tuples in ``BULK_CUSTOMER_COLUMNS`` order, with explicit
    ids. Name keys (the sort key and the search keys) are made here, once. Organisations
    may be in the same call (before their people). Returns the customers written."""
    prepared = [
        (cid, kind, display, given, family, org, owner, team, channel, language, lifecycle,
         at if at.__class__ is str else db_time(at))
        for cid, kind, display, given, family, org, owner, team, channel, language, lifecycle,
        at in rows]
    for column, allowed, name in ((1, _BULK_KINDS, "kind"), (10, _BULK_LIFECYCLES, "lifecycle")):
        unknown = {row[column] for row in prepared} - allowed
        if unknown:
            raise InvalidInput(f"Unknown {name} {sorted(unknown)[0]!r}.", field=f"rows.{name}")
    unnamed = [n for n, row in enumerate(prepared) if not (row[2] or row[3] or row[4])]
    if unnamed:
        raise InvalidInput("A customer needs a name.", field=f"rows[{unnamed[0]}].display_name")
    named = [_bulk_named(row) for row in prepared]
    written = copy_rows(
        Customer._meta.db_table,
        ("id", "kind", "display_name", "given_name", "family_name", "name_key", "family_key",
         "organisation_id", "owner_id", "team_id", "preferred_channel", "language",
         "lifecycle", "created_at", "updated_at"),
        [(cid, kind, display, given, family, _bulk_fold(display)[:200],
          _bulk_fold(family)[:100], org, owner, team, channel, language, lifecycle, at, at)
         for cid, kind, display, given, family, org, owner, team, channel, language,
         lifecycle, at in named],
    )
    # The same name search keys create_customer saves, so bulk-loaded names are found.
    copy_rows(NameKey._meta.db_table, ("customer_id", "key"),
              [(row[0], key) for row in named for key in name_search_keys(row[2])])
    return written


def _bulk_named(row: tuple[Any, ...]) -> tuple[Any, ...]:
    if row[2]:
        return row
    return (row[0], row[1], " ".join(p for p in (row[3], row[4]) if p), *row[3:])


def bulk_load_identities(rows: Iterable[Sequence[Any]]) -> int:
    """Insert identities given in ``BULK_IDENTITY_COLUMNS`` order. ``value`` and
    ``display`` must be what ``normalise()`` returns for the raw text (the caller
    normalises once, or builds the normal form and checks a sample against it); a
    (kind, value) already present fails the load, as the unique constraint demands."""
    prepared = []
    for customer_id, kind, value, display, source, seen in rows:
        if kind in _BULK_JUNK_PRONE and is_junk(NormalisedIdentity(IdentityKind(kind), value,
                                                                    display)):
            raise InvalidInput(f"{display!r} is a placeholder and cannot identify one "
                               "customer.", field="rows.value")
        at = seen if seen.__class__ is str else db_time(seen)
        prepared.append((customer_id, kind, value, display, False, source, at, at))
    return copy_rows(
        Identity._meta.db_table,
        ("customer_id", "kind", "value", "display", "verified", "source", "first_seen",
         "last_seen"),
        prepared,
    )


def bulk_customers_loaded(*, actor: Any, customers: int, identities: int,
                          source: str = "") -> None:
    """Close a bulk load (sequences, one audit row)."""
    finish_bulk_load(actor=actor, tables=bulk_tables(), action="customers.bulk_loaded",
                     subject_type="customer",
                     counts={"customers": customers, "identities": identities,
                             "source": source})


def bulk_tables() -> tuple[str, ...]:
    """The tables bulk_load_* write, for a loader that tunes them (indexes, statistics)."""
    return (Customer._meta.db_table, Identity._meta.db_table, NameKey._meta.db_table)
