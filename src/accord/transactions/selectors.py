"""Reads over transactions, always through a customer the actor may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum

from accord.accounts.access import customer_scope
from accord.customers import selectors as customer_selectors
from accord.platform.errors import InvalidInput
from accord.platform.pagination import decode_time_cursor, encode_time_cursor
from accord.transactions.domain import CurrencyTotal, totals
from accord.transactions.models import Transaction, TransactionLine

MAX_PAGE = 500


@dataclass(frozen=True)
class TransactionPage:
    items: list[Transaction]
    next_cursor: str | None


def transactions_of(actor: Any, customer_id: int, *, cursor: str | None = None,
                    limit: int = 50, customer: Any = None) -> TransactionPage:
    """A customer's transactions (merged records included), newest first."""
    customer = customer_selectors.resolve_customer(actor, customer_id, customer)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}.", field="limit")
    query = Transaction.objects.filter(
        customer_id__in=customer_selectors.merged_ids_of(customer))
    if cursor:
        at, last_id = decode_time_cursor(cursor)
        query = query.filter(occurred_at__lte=at).exclude(occurred_at=at, id__gte=last_id)
    return _page(query, limit)


def _page(query: QuerySet[Transaction], limit: int) -> TransactionPage:
    rows = list(query.order_by("-occurred_at", "-id").prefetch_related(
        Prefetch("lines", queryset=TransactionLine.objects.select_related("product")
                 .order_by("id")))[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_time_cursor(rows[-1].occurred_at, rows[-1].pk)
    return TransactionPage(rows, next_cursor)


def totals_of(actor: Any, customer_id: int, *, customer: Any = None) -> list[CurrencyTotal]:
    """Lifetime spend per currency (purchases minus refunds) and purchase counts."""
    customer = customer_selectors.resolve_customer(actor, customer_id, customer)
    rows = (Transaction.objects.filter(customer_id__in=customer_selectors.merged_ids_of(customer))
            .values("currency", "kind").annotate(total=Sum("amount"), n=Count("id"))
            .values_list("currency", "kind", "total", "n"))
    return totals(rows)


def transaction_counts(customer_ids: list[int]) -> dict[int, int]:
    """How many transactions each customer has (records merged into it included), for
    customers the caller has already checked the actor may see (the Duplicates page)."""
    owner = customer_selectors.merged_members(list(customer_ids))
    counts = dict.fromkeys(customer_ids, 0)
    for member, n in (Transaction.objects.filter(customer_id__in=list(owner))
                      .values("customer_id").annotate(n=Count("id"))
                      .values_list("customer_id", "n")):
        counts[owner[member]] += n
    return counts


def list_transactions(actor: Any, *, customer_id: int | None = None, cursor: str | None = None,
                      limit: int = 50) -> TransactionPage:
    """Transactions across every customer the actor may see, newest first."""
    if customer_id is not None:
        return transactions_of(actor, customer_id, cursor=cursor, limit=limit)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}.", field="limit")
    query = Transaction.objects.filter(customer_scope(actor, prefix="customer__"))
    if cursor:
        at, last_id = decode_time_cursor(cursor)
        query = query.filter(occurred_at__lte=at).exclude(occurred_at=at, id__gte=last_id)
    return _page(query, limit)
