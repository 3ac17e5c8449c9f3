"""Transactions API: record one, record many, list (per customer with totals)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from accord.transactions import selectors, services
from accord.transactions.models import Transaction
from accord.transactions.schemas import (
    BulkIn,
    BulkOut,
    TransactionIn,
    TransactionOut,
    TransactionPageOut,
)

router = Router(tags=["transactions"])


class ListParams(Schema):
    customer_id: int | None = None
    cursor: str | None = None
    limit: int = 50


def _input(item: TransactionIn) -> services.TransactionInput:
    return services.TransactionInput(
        customer_id=item.customer_id,
        occurred_at=item.occurred_at,
        amount=item.amount,
        currency=item.currency,
        kind=item.kind,
        source=item.source,
        external_id=item.external_id,
        metadata=item.metadata,
        lines=[
            services.LineInput(
                unit_price=line.unit_price,
                quantity=line.quantity,
                sku=line.sku,
                name=line.name,
                description=line.description,
                category=line.category,
            )
            for line in item.lines
        ],
    )


def _reload(pk: int) -> Transaction:
    return Transaction.objects.prefetch_related("lines__product").get(pk=pk)


@router.post(
    "",
    response={200: TransactionOut, 201: TransactionOut},
    summary="Record a transaction (idempotent per source + external_id)",
)
def record_transaction(request: HttpRequest, payload: TransactionIn) -> Any:
    result = services.record_transaction(actor=request.auth, item=_input(payload))
    return Status((201 if result.created else 200), _reload(result.transaction.pk))


@router.post(
    "/bulk",
    response=BulkOut,
    summary="Record up to 1,000 transactions; each item stands or fails alone",
)
def record_transactions(request: HttpRequest, payload: BulkIn) -> Any:
    results = services.record_transactions(
        actor=request.auth, items=[_input(i) for i in payload.items]
    )
    out = []
    for r in results:
        status = "rejected" if r.error else ("created" if r.created else "existing")
        out.append(
            {
                "index": r.index,
                "status": status,
                "id": r.transaction.pk if r.transaction else None,
                "error": r.error.as_dict() if r.error else None,
            }
        )
    return {
        "created": sum(o["status"] == "created" for o in out),
        "existing": sum(o["status"] == "existing" for o in out),
        "rejected": sum(o["status"] == "rejected" for o in out),
        "results": out,
    }


@router.get(
    "",
    response=TransactionPageOut,
    summary="List transactions, newest first; with customer_id, also totals",
)
def list_transactions(request: HttpRequest, params: Query[ListParams]) -> Any:
    page = selectors.list_transactions(
        request.auth, customer_id=params.customer_id, cursor=params.cursor, limit=params.limit
    )
    totals = (
        selectors.totals_of(request.auth, params.customer_id)
        if params.customer_id is not None
        else None
    )
    return {"items": page.items, "next_cursor": page.next_cursor, "totals": totals}
