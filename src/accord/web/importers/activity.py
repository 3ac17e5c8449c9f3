"""Interaction and transaction rows -> the recording services, which are idempotent on
(source, external_id): a row already imported is found and left alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accord.interactions.services import ParticipantInput, record_interaction
from accord.platform.actors import SYSTEM
from accord.platform.errors import AccordError
from accord.transactions.services import LineInput, TransactionInput, record_transaction
from accord.web.importers.customers import customer_for
from accord.web.importers.fields import RowError, json_list, json_object, moment, text
from accord.web.importers.report import Outcome

# The customer's role when a row does not say: by channel, inbound / outbound.
DEFAULT_ROLES = {"email": ("from", "to"), "meeting": ("attendee", "attendee"),
                 "call": ("caller", "callee"), "sms": ("sender", "recipient"),
                 "letter": ("sender", "recipient"), "fax": ("sender", "recipient"),
                 "web_visit": ("visitor", "visitor"),
                 "campaign_response": ("respondent", "respondent"),
                 "note": ("subject", "subject"), "chat": ("from", "to"),
                 "survey": ("respondent", "respondent")}
# Channels with only one sensible direction need not say it.
DEFAULT_DIRECTIONS = {"web_visit": "inbound", "campaign_response": "inbound",
                      "survey": "inbound", "note": "internal"}


@dataclass(frozen=True)
class InteractionRows:
    source: str
    create_customers: bool = False

    def __call__(self, data: dict[str, Any]) -> Outcome:
        external_id = text(data, "external_id", required=True, limit=255)
        channel = text(data, "channel", required=True).lower()
        direction = text(data, "direction", default=DEFAULT_DIRECTIONS.get(channel, "")).lower()
        if not direction:
            raise RowError("direction", "direction is required: inbound, outbound or internal.")
        occurred_at = moment(data, "occurred_at")
        source = text(data, "source", default=self.source, limit=100)
        parties = self._participants(data, channel, direction, source)
        try:
            result = record_interaction(
                actor=SYSTEM, channel=channel, direction=direction, occurred_at=occurred_at,
                participants=parties, subject=text(data, "subject"), text=text(data, "text"),
                thread_key=text(data, "thread_key"), source=source, external_id=external_id,
                metadata=json_object(data, "metadata"))
        except AccordError as exc:
            raise RowError.from_accord(exc) from exc
        return Outcome.IMPORTED if result.created else Outcome.PRESENT

    def _participants(self, data: dict[str, Any], channel: str, direction: str,
                      source: str) -> list[ParticipantInput]:
        roles = DEFAULT_ROLES.get(channel, ("from", "to"))
        parties = []
        reference = text(data, "customer")
        if reference:
            customer_id = customer_for(reference, field="customer", create=self.create_customers,
                                       name=text(data, "customer_name"), source=source)
            role = text(data, "role", default=roles[1] if direction == "outbound" else roles[0])
            parties.append(ParticipantInput(role=role, customer_id=customer_id))
        for n, item in enumerate(json_list(data, "participants")):
            where = f"participants[{n}]"
            item_role = item.get("role")
            given = item.get("customer") or item.get("email") or item.get("phone") \
                or item.get("external_id")
            if not isinstance(item_role, str) or not isinstance(given, str) \
                    or not given.strip():
                raise RowError(where, "each participant needs a role and a customer "
                                      "(email, phone or external id).")
            customer_id = customer_for(given, field=where, create=self.create_customers,
                                       name=str(item.get("name") or ""), source=source)
            parties.append(ParticipantInput(role=item_role, customer_id=customer_id))
        if not parties:
            raise RowError("customer", "customer is required (or a participants list).")
        return parties


@dataclass(frozen=True)
class TransactionRows:
    source: str
    create_customers: bool = False

    def __call__(self, data: dict[str, Any]) -> Outcome:
        external_id = text(data, "external_id", required=True, limit=255)
        reference = text(data, "customer", required=True)
        occurred_at = moment(data, "occurred_at")
        amount = text(data, "amount", required=True)
        currency = text(data, "currency", required=True)
        source = text(data, "source", default=self.source, limit=100)
        lines = self._lines(data)
        customer_id = customer_for(reference, field="customer", create=self.create_customers,
                                   name=text(data, "customer_name"), source=source)
        try:
            result = record_transaction(actor=SYSTEM, item=TransactionInput(
                customer_id=customer_id, occurred_at=occurred_at, amount=amount,
                currency=currency, kind=text(data, "kind", default="purchase").lower(),
                source=source, external_id=external_id, lines=lines,
                metadata=json_object(data, "metadata")))
        except AccordError as exc:
            field = "customer" if exc.field == "customer_id" else None
            raise RowError.from_accord(exc, field) from exc
        return Outcome.IMPORTED if result.created else Outcome.PRESENT

    def _lines(self, data: dict[str, Any]) -> list[LineInput]:
        lines = [LineInput(unit_price=item.get("unit_price"), quantity=item.get("quantity", 1),
                           sku=str(item.get("sku") or ""), name=str(item.get("name") or ""),
                           description=str(item.get("description") or ""),
                           category=str(item.get("category") or ""))
                 for item in json_list(data, "lines")]
        if not lines and (text(data, "sku") or text(data, "product")):
            # A CSV row may describe a single line in flat columns.
            lines.append(LineInput(unit_price=text(data, "unit_price") or text(data, "amount"),
                                   quantity=text(data, "quantity") or 1,
                                   sku=text(data, "sku"), name=text(data, "product"),
                                   description=text(data, "product"),
                                   category=text(data, "category")))
        return lines
