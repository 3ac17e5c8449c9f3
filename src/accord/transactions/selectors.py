"""Reads over transactions, always through a customer the actor may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Sum

from accord.customers import selectors as customer_selectors
from accord.platform.errors import InvalidInput
from accord.platform.pagination import decode_cursor, encode_cursor
from accord.transactions.domain import CurrencyTotal, totals
from accord.transactions.models import Transaction, TransactionLine

MAX_PAGE = 500


@dataclass(frozen=True)
class TransactionPage:
    items: list[Transaction]
    next_cursor: str | None


def transactions_of(actor: Any, customer_id: int, *, cursor: str | None = None,
                    limit: int = 50) -> TransactionPage:
    """A customer's transactions (merged records included), newest first."""
    customer = customer_selectors.get_customer(actor, customer_id)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}.", field="limit")
    query = Transaction.objects.filter(
        customer_id__in=customer_selectors.merged_ids(customer.pk))
    if cursor:
        at_text, last_id = decode_cursor(cursor, arity=2)
        try:
            at = datetime.fromisoformat(at_text)
        except (TypeError, ValueError) as exc:
            raise InvalidInput("The cursor is not one this server issued.", field="cursor") from exc
        query = query.filter(occurred_at__lte=at).exclude(occurred_at=at, id__gte=last_id)
    rows = list(query.order_by("-occurred_at", "-id").prefetch_related(
        Prefetch("lines", queryset=TransactionLine.objects.select_related("product")
                 .order_by("id")))[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].occurred_at.isoformat(), rows[-1].pk)
    return TransactionPage(rows, next_cursor)


def totals_of(actor: Any, customer_id: int) -> list[CurrencyTotal]:
    """Lifetime spend per currency (purchases minus refunds) and purchase counts."""
    customer = customer_selectors.get_customer(actor, customer_id)
    rows = (Transaction.objects.filter(customer_id__in=customer_selectors.merged_ids(customer.pk))
            .values("currency", "kind").annotate(total=Sum("amount"), n=Count("id"))
            .values_list("currency", "kind", "total", "n"))
    return totals(rows)
