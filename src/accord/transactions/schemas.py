"""API shapes for transactions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field


class LineIn(Schema):
    sku: str = Field("", max_length=100)
    name: str = Field("", max_length=200)
    description: str = Field("", max_length=300)
    category: str = Field("", max_length=100)
    quantity: Decimal = Field(Decimal("1"), gt=0)
    unit_price: Decimal = Field(ge=0)


class TransactionIn(Schema):
    customer_id: int = Field(gt=0)
    occurred_at: datetime
    kind: Literal["purchase", "refund", "payment"] = "purchase"
    amount: Decimal = Field(ge=0)
    currency: str = Field(min_length=3, max_length=3)
    source: str = Field("api", max_length=100)
    external_id: str = Field("", max_length=255)
    metadata: dict[str, Any] = Field(default_factory=dict)
    lines: list[LineIn] = Field(default_factory=list, max_length=500)


class BulkIn(Schema):
    items: list[TransactionIn] = Field(min_length=1, max_length=1000)


class LineOut(Schema):
    sku: str | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal

    @staticmethod
    def resolve_sku(obj: Any) -> str | None:
        return obj.product.sku if obj.product_id else None


class TransactionOut(Schema):
    id: int
    customer_id: int
    occurred_at: datetime
    kind: str
    amount: Decimal
    currency: str
    source: str
    external_id: str
    metadata: dict[str, Any]
    lines: list[LineOut]
    created_at: datetime


class TotalOut(Schema):
    currency: str
    purchases: int
    spend: Decimal
    refunds: Decimal


class TransactionPageOut(Schema):
    items: list[TransactionOut]
    next_cursor: str | None
    totals: list[TotalOut] | None = None


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None


class BulkItemOut(Schema):
    index: int
    status: Literal["created", "existing", "rejected"]
    id: int | None
    error: ErrorOut | None


class BulkOut(Schema):
    created: int
    existing: int
    rejected: int
    results: list[BulkItemOut]
