"""What every customer write shares: the editable fields and their snapshot, identity
normalisation, the write-access check, and keeping the name keys in step."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from accord.accounts.access import customer_scope, ensure_can_write
from accord.customers.domain.identities import (
    NormalisedIdentity,
    fold_text,
    name_search_keys,
    normalise_identity,
    parse_kind,
)
from accord.customers.models import Customer, NameKey
from accord.platform.errors import InvalidInput, NotFound

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


def visible_for_write(actor: Any, customer_id: int, *, field: str = "customer_id") -> Customer:
    ensure_can_write(actor)
    customer = (Customer.objects.select_for_update()
                .filter(customer_scope(actor), pk=customer_id).first())
    if customer is None:
        raise NotFound(f"Customer {customer_id} not found.", field=field)
    return customer


def apply_names(customer: Customer) -> None:
    if not customer.display_name:
        customer.display_name = " ".join(
            p for p in (customer.given_name, customer.family_name) if p).strip()
    if not customer.display_name:
        raise InvalidInput("A customer needs a display name or a given/family name.",
                           field="display_name")
    customer.name_key = fold_text(customer.display_name)[:200]
    customer.family_key = fold_text(customer.family_name)[:100]


def save_name_keys(customer: Customer, *, new: bool = False) -> None:
    """Keep the name search keys in step with the display name (after every save); a
    ``new`` customer has none yet, so they are only written."""
    keys = name_search_keys(customer.display_name)
    if new:
        NameKey.objects.bulk_create([NameKey(customer=customer, key=k) for k in keys])
        return
    NameKey.objects.filter(customer=customer).exclude(key__in=keys).delete()
    present = set(NameKey.objects.filter(customer=customer).values_list("key", flat=True))
    NameKey.objects.bulk_create([NameKey(customer=customer, key=k) for k in keys
                                 if k not in present])

