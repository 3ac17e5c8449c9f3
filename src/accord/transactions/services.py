"""Recording transactions: idempotent per (source, external_id), exact money."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction

from accord.accounts.access import ensure_can_write
from accord.customers import selectors as customer_selectors
from accord.platform import clock
from accord.platform.audit import record_audit
from accord.platform.errors import AccordError, InvalidInput, NotFound
from accord.platform.events import publish
from accord.transactions.domain import parse_amount, parse_currency, parse_kind
from accord.transactions.events import TransactionRecorded
from accord.transactions.models import Product, Transaction, TransactionLine


@dataclass(frozen=True)
class LineInput:
    unit_price: object
    quantity: object = 1
    sku: str = ""
    name: str = ""
    description: str = ""
    category: str = ""


@dataclass(frozen=True)
class TransactionInput:
    customer_id: int
    occurred_at: datetime
    amount: object
    currency: str
    kind: str = "purchase"
    source: str = "manual"
    external_id: str = ""
    lines: Sequence[LineInput] = ()
    metadata: dict[str, Any] | None = None


@dataclass(frozen=True)
class RecordResult:
    transaction: Transaction
    created: bool


@dataclass(frozen=True)
class BulkItemResult:
    index: int
    transaction: Transaction | None
    created: bool
    error: AccordError | None


def _line(index: int, line: LineInput) -> tuple[LineInput, Decimal, Decimal, Decimal]:
    where = f"lines[{index}]"
    price = parse_amount(line.unit_price, field=f"{where}.unit_price")
    try:
        quantity = Decimal(str(line.quantity))
    except ArithmeticError as exc:
        raise InvalidInput(f"{line.quantity!r} is not a quantity.", field=f"{where}.quantity") \
            from exc
    if not quantity.is_finite() or quantity <= 0 or quantity > Decimal("1e9"):
        raise InvalidInput("The quantity must be a positive number.", field=f"{where}.quantity")
    if not (line.sku or line.description or line.name):
        raise InvalidInput("A line needs a sku or a description.", field=f"{where}.sku")
    amount = (quantity * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return line, quantity, price, amount


def record_transaction(*, actor: Any, item: TransactionInput) -> RecordResult:
    """Record a purchase, refund or payment for a customer the actor can see."""
    ensure_can_write(actor)
    kind = parse_kind(item.kind)
    amount = parse_amount(item.amount)
    currency = parse_currency(item.currency)
    if not isinstance(item.occurred_at, datetime):
        raise InvalidInput("occurred_at must be a date and time.", field="occurred_at")
    occurred_at = clock.ensure_aware(item.occurred_at)
    source = (item.source or "manual").strip()[:100] or "manual"
    external_id = (item.external_id or "").strip()
    if len(external_id) > 255:
        raise InvalidInput("external_id is longer than 255 characters.", field="external_id")
    lines = [_line(i, line) for i, line in enumerate(item.lines)]
    if not customer_selectors.visible_customers(actor).filter(pk=item.customer_id).exists():
        raise NotFound(f"Customer {item.customer_id} not found.", field="customer_id")
    if external_id:
        existing = Transaction.objects.filter(source=source, external_id=external_id).first()
        if existing is not None:
            return RecordResult(existing, False)
    try:
        with transaction.atomic():
            txn = Transaction.objects.create(
                customer_id=item.customer_id, occurred_at=occurred_at, kind=kind, amount=amount,
                currency=currency, source=source, external_id=external_id,
                metadata=item.metadata or {}, created_by_id=getattr(actor, "pk", None),
                created_at=clock.now())
            TransactionLine.objects.bulk_create([
                TransactionLine(transaction=txn, product=_product(line), quantity=qty,
                                unit_price=price, amount=line_amount,
                                description=(line.description or line.name)[:300])
                for line, qty, price, line_amount in lines
            ])
            record_audit(actor=actor, action="transaction.recorded", subject_type="transaction",
                         subject_id=txn.pk,
                         after={"customer_id": item.customer_id, "kind": kind,
                                "amount": str(amount), "currency": currency,
                                "source": source, "external_id": external_id})
            publish(TransactionRecorded(transaction_id=txn.pk, customer_id=item.customer_id,
                                        kind=kind, amount=str(amount), currency=currency,
                                        occurred_at=occurred_at.isoformat()))
    except IntegrityError:
        existing = Transaction.objects.filter(source=source, external_id=external_id).first()
        if existing is None or not external_id:
            raise
        return RecordResult(existing, False)
    return RecordResult(txn, True)


def _product(line: LineInput) -> Product | None:
    if not line.sku:
        return None
    product, _ = Product.objects.get_or_create(
        sku=line.sku.strip()[:100],
        defaults={"name": (line.name or line.description or line.sku)[:200],
                  "category": line.category[:100]})
    return product


def record_transactions(*, actor: Any, items: Sequence[TransactionInput]) -> list[BulkItemResult]:
    """Record many transactions; each item stands or fails alone, errors name the item."""
    ensure_can_write(actor)
    results: list[BulkItemResult] = []
    for index, item in enumerate(items):
        try:
            outcome = record_transaction(actor=actor, item=item)
        except AccordError as exc:
            exc.field = f"items[{index}].{exc.field}" if exc.field else f"items[{index}]"
            results.append(BulkItemResult(index, None, False, exc))
            continue
        results.append(BulkItemResult(index, outcome.transaction, outcome.created, None))
    return results
