"""One customer row -> a customer with identities, or the one already there.

A customer is found again by any of its identities (external id, emails, phones,
address), so re-running a file adds nothing; an existing customer is left as it is.
Rows need an external_id or an email, or there would be nothing to find them by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from accord.accounts.selectors import staff_by_username, team_exists, team_id_by_name
from accord.customers.domain.identities import (
    NormalisedIdentity,
    fold_text,
    guess_identity,
)
from accord.customers.domain.kinds import IdentityKind
from accord.customers.selectors import (
    find_by_identity,
    get_customer,
    resolve_reference,
    search_customers,
)
from accord.customers.services import create_customer, normalise
from accord.platform.actors import SYSTEM
from accord.platform.errors import AccordError, InvalidInput
from accord.web.importers.fields import RowError, many, text
from accord.web.importers.report import Outcome

# What people call the columns -> what Accord calls them.
ALIASES = {"name": "display_name", "full_name": "display_name", "first_name": "given_name",
           "last_name": "family_name", "surname": "family_name", "company": "organisation",
           "organization": "organisation", "emails": "email", "phones": "phone",
           "telephone": "phone", "mobile": "phone", "postal_address": "address",
           "id": "external_id"}
KINDS = {"person": "person", "organisation": "organisation", "organization": "organisation",
         "company": "organisation"}


def with_aliases(data: dict[str, Any]) -> dict[str, Any]:
    return {ALIASES.get(k, k): v for k, v in data.items()}


def find_reference(reference: str) -> int | None:
    """The customer an import's reference names: email, phone, external id or #id."""
    found = resolve_reference(reference)
    value = reference.strip()
    if found is None and value and not value.startswith("#"):
        # An external id that happens to look like a (bad) phone number.
        found = find_by_identity(NormalisedIdentity(IdentityKind.EXTERNAL_ID, value, value))
    return found


def customer_for(reference: str, *, field: str, create: bool, name: str = "",
                 source: str) -> int:
    """The customer a reference names; with ``create``, a new one holding that identity."""
    found = find_reference(reference)
    if found is not None:
        return found
    if not create:
        raise RowError(field, f"No customer has {reference!r} (--create-customers adds "
                              "customers that are not found).")
    identity = guess_identity(reference, default_region=settings.DEFAULT_PHONE_REGION)
    if identity is None or reference.strip().startswith("#"):
        raise RowError(field, f"{reference!r} is not an email, phone number or external id.")
    try:
        return create_customer(actor=SYSTEM, source=source,
                               display_name=(name or identity.display)[:200],
                               identities=[(identity.kind.value, reference)]).pk
    except AccordError as exc:
        raise RowError.from_accord(exc, field) from exc


def organisation_for(reference: str, *, source: str) -> int:
    """An organisation by identity, #id or exact name; created by name if new."""
    found = find_reference(reference)
    if found is not None:
        if get_customer(SYSTEM, found).kind != "organisation":
            raise RowError("organisation", f"{reference!r} is a person, not an organisation.")
        return found
    key = fold_text(reference)
    page = search_customers(SYSTEM, name=reference, limit=200)
    for candidate in page.items:
        if candidate.kind == "organisation" and candidate.name_key == key:
            return candidate.pk
    return create_customer(actor=SYSTEM, kind="organisation", display_name=reference[:200],
                           source=source, owner_id=None).pk


def owner_and_team(data: dict[str, Any]) -> tuple[int | None, int | None]:
    owner_id = team_id = None
    owner = None
    username = text(data, "owner")
    if username:
        owner = staff_by_username(username)
        if owner is None or not owner.is_active:
            raise RowError("owner", f"No active user {username!r}.")
        owner_id = owner.pk
    team = text(data, "team")
    if team.isdigit():
        if not team_exists(int(team)):
            raise RowError("team", f"No team with id {team}.")
        team_id = int(team)
    elif team:
        team_id = team_id_by_name(team)
        if team_id is None:
            raise RowError("team", f"No team named {team!r}.")
    return owner_id, team_id


@dataclass(frozen=True)
class CustomerRows:
    source: str
    keys: tuple[str, ...] = ("external_id", "email")  # identity kinds a row must have one of

    def __call__(self, raw: dict[str, Any]) -> Outcome:
        data = with_aliases(raw)
        identities = self._identities(data)
        if not any(kind in self.keys for kind, _, _ in identities):
            raise RowError(self.keys[0], f"Give {' or '.join(self.keys)}, so that the "
                                         "customer is found again on the next import.")
        # The row's key is its first identity of a key kind (external_id before email):
        # found, the customer is already here; any other identity found elsewhere clashes.
        key = next(i for i in identities if i[0] in self.keys)
        if find_by_identity(key[2]) is not None:
            return Outcome.PRESENT
        for kind, _, identity in identities:
            if find_by_identity(identity) is not None:
                raise RowError(kind, f"This {kind} already belongs to another customer.")
        customer_kind = KINDS.get(text(data, "kind", default="person").lower())
        if customer_kind is None:
            raise RowError("kind", "kind must be 'person' or 'organisation'.")
        owner_id, team_id = owner_and_team(data)
        organisation = text(data, "organisation")
        fields: dict[str, Any] = {
            "kind": customer_kind, "display_name": text(data, "display_name", limit=200),
            "given_name": text(data, "given_name", limit=100),
            "family_name": text(data, "family_name", limit=100),
            "owner_id": owner_id, "team_id": team_id,
            "organisation_id": organisation_for(organisation, source=self.source)
            if organisation else None,
        }
        for name in ("lifecycle", "language", "preferred_channel"):
            if text(data, name):
                fields[name] = text(data, name)
        try:
            create_customer(actor=SYSTEM, source=self.source,
                            identities=[(k, raw_value) for k, raw_value, _ in identities],
                            **fields)
        except InvalidInput as exc:
            raise RowError.from_accord(exc) from exc
        return Outcome.IMPORTED

    def _identities(self, data: dict[str, Any]) -> list[tuple[str, str, NormalisedIdentity]]:
        found = []
        external, address = text(data, "external_id", limit=200), text(data, "address")
        wanted = [("external_id", external)] if external else []
        wanted += [("email", v) for v in many(data, "email")]
        wanted += [("phone", v) for v in many(data, "phone")]
        wanted += [("address", address)] if address else []
        for kind, raw in wanted:
            try:
                found.append((kind, raw, normalise(kind, raw, field=kind)))
            except InvalidInput as exc:
                raise RowError.from_accord(exc, kind) from exc
        return found
