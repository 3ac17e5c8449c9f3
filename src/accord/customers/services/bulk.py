"""Bulk loading, for the demo generator and very large imports. Rows go in through
platform.bulk.copy_rows (executemany on SQLite, COPY on PostgreSQL) with ids the caller
numbers from bulk_next_customer_id(); the per-row services stay the way for anything
interactive. A load leaves one audit row (bulk_customers_loaded), not one per row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from accord.customers.domain.identities import (
    NormalisedIdentity,
    fold_text,
    is_junk,
    name_search_keys,
)
from accord.customers.domain.kinds import CustomerKind, IdentityKind, Lifecycle
from accord.customers.models import Customer, Identity, NameKey
from accord.platform.bulk import copy_rows, db_time, finish_bulk_load, next_id
from accord.platform.errors import InvalidInput

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
