"""Creating and editing customers. Keyword-only, explicit actor, one transaction each,
an audit row per write, events on commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from accord.accounts.access import customer_scope, ensure_can_write, role_of
from accord.accounts.domain import Role
from accord.accounts.selectors import active_user_exists, team_exists
from accord.customers.domain.kinds import CustomerKind, Lifecycle
from accord.customers.events import CustomerCreated, CustomerUpdated
from accord.customers.models import Customer
from accord.customers.services.identities import attach_identity
from accord.customers.services.records import (
    EDITABLE_FIELDS,
    apply_names,
    normalise,
    save_name_keys,
    snapshot,
    visible_for_write,
)
from accord.platform import clock
from accord.platform.audit import record_audit
from accord.platform.errors import Conflict, InvalidInput
from accord.platform.events import publish


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
    apply_names(customer)
    _check_links(actor, customer)
    customer.save()
    save_name_keys(customer, new=True)
    for index, (kind, raw) in enumerate(identities):
        where = f"identities[{index}]"
        attach_identity(customer, normalise(kind, raw, field=f"{where}.value",
                                             kind_field=f"{where}.kind"),
                         source=source, verified=False, field=f"{where}.value")
    record_audit(actor=actor, action="customer.created", subject_type="customer",
                 subject_id=customer.pk, after=snapshot(customer))
    publish(CustomerCreated(customer_id=customer.pk))
    return customer


@transaction.atomic
def update_customer(*, actor: Any, customer_id: int, **fields: Any) -> Customer:
    customer = visible_for_write(actor, customer_id)
    if customer.merged_into_id:
        raise Conflict("This customer was merged; edit the surviving record.", field="customer_id")
    before = snapshot(customer)
    values = _clean_fields(fields)
    _check_assignment(actor, values)
    for name, value in values.items():
        setattr(customer, name, value)
    if "display_name" in values and not values["display_name"]:
        customer.display_name = ""
    apply_names(customer)
    _check_links(actor, customer)
    if customer.organisation_id == customer.pk:
        raise InvalidInput("A customer cannot be its own organisation.", field="organisation_id")
    customer.updated_at = clock.now()
    customer.save()
    save_name_keys(customer)
    after = snapshot(customer)
    changed = sorted(k for k in after if after[k] != before[k])
    record_audit(actor=actor, action="customer.updated", subject_type="customer",
                 subject_id=customer.pk, before=before, after=after)
    publish(CustomerUpdated(customer_id=customer.pk, fields=changed))
    return customer

