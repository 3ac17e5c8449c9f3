"""Recording transactions: idempotent per (source, external_id), exact money."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction

from accord.accounts.access import ensure_can_write
from accord.customers import selectors as customer_selectors
from accord.platform import clock
from accord.platform.audit import record_audit
from accord.platform.bulk import copy_rows, db_time, finish_bulk_load, next_id
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


def _recorded(source: str, external_id: str) -> Transaction | None:
    # The exclude repeats the partial unique index's condition: without it SQLite cannot
    # tell the index applies and scans every transaction.
    return (Transaction.objects.filter(source=source, external_id=external_id)
            .exclude(external_id="").first())


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
        existing = _recorded(source, external_id)
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
        existing = _recorded(source, external_id)
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


# ---------------------------------------------------------------------------------------
# Bulk loading, for the demo generator and very large imports: rows through
# platform.bulk.copy_rows with ids the caller numbers from bulk_next_transaction_id().
# Money arrives in integer minor units (cents), exact and cheap to generate. One audit
# row per load.


BULK_TRANSACTION_COLUMNS = ("id", "customer_id", "occurred_at", "kind", "amount_minor",
                            "currency", "source", "external_id", "metadata")
BULK_LINE_COLUMNS = ("transaction_id", "product_id", "description", "quantity",
                     "unit_price_minor", "amount_minor")

_BULK_KINDS = frozenset(("purchase", "refund", "payment"))


def _bulk_money() -> Callable[[int], Any]:
    """Minor units to the column's type: SQLite keeps decimals as REAL (as Django does
    when it writes a Decimal), PostgreSQL wants an exact numeric."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return lambda minor: Decimal(minor).scaleb(-2)
    return lambda minor: minor / 100


def bulk_next_transaction_id() -> int:
    """The first free transaction id; a bulk load numbers its transactions from here."""
    return next_id(Transaction._meta.db_table)


def bulk_ensure_products(products: Iterable[tuple[str, str, str]]) -> dict[str, int]:
    """Make sure each (sku, name, category) exists; returns sku -> product id."""
    wanted = {sku.strip()[:100]: (name[:200], category[:100]) for sku, name, category in products}
    existing = set(Product.objects.filter(sku__in=list(wanted)).values_list("sku", flat=True))
    Product.objects.bulk_create([Product(sku=sku, name=name or sku, category=category)
                                 for sku, (name, category) in wanted.items()
                                 if sku not in existing])
    return dict(Product.objects.filter(sku__in=list(wanted)).values_list("sku", "id"))


def bulk_load_transactions(transactions: Iterable[Sequence[Any]],
                           lines: Iterable[Sequence[Any]], *,
                           created_at: Any) -> tuple[int, int]:
    """Insert transactions (``BULK_TRANSACTION_COLUMNS`` order, explicit ids, amounts in
    minor units, metadata as a dict or JSON text) and their lines (``BULK_LINE_COLUMNS``).
    Returns (transactions, lines) written."""
    import json

    created = db_time(created_at)
    money = _bulk_money()
    rows = [(tid, customer_id, at if at.__class__ is str else db_time(at), kind,
             money(amount), currency, source, external,
             meta if meta.__class__ is str else json.dumps(meta or {}), created)
            for tid, customer_id, at, kind, amount, currency, source, external, meta
            in transactions]
    unknown = {row[3] for row in rows} - _BULK_KINDS
    if unknown:
        raise InvalidInput(f"Unknown kind {sorted(unknown)[0]!r}.", field="transactions.kind")
    if rows and min(row[4] for row in rows) < 0:
        raise InvalidInput("Amounts are positive.", field="transactions.amount")
    written = copy_rows(Transaction._meta.db_table,
                        ("id", "customer_id", "occurred_at", "kind", "amount", "currency",
                         "source", "external_id", "metadata", "created_at"),
                        rows)
    itemised = copy_rows(TransactionLine._meta.db_table,
                         ("transaction_id", "product_id", "description", "quantity",
                          "unit_price", "amount"),
                         [(tid, product_id, description, quantity, money(unit), money(amount))
                          for tid, product_id, description, quantity, unit, amount in lines])
    return written, itemised


def bulk_transactions_loaded(*, actor: Any, transactions: int, lines: int,
                             source: str = "") -> None:
    """Close a bulk load (sequences, one audit row)."""
    finish_bulk_load(actor=actor, tables=bulk_tables(), action="transactions.bulk_loaded",
                     subject_type="transaction",
                     counts={"transactions": transactions, "lines": lines, "source": source})


def bulk_tables() -> tuple[str, ...]:
    """The tables bulk_load_transactions writes, for a loader that tunes them."""
    return (Transaction._meta.db_table, TransactionLine._meta.db_table)
