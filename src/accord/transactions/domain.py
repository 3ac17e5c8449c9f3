"""Pure rules for transactions: kinds, money, and per-currency totals."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from accord.platform.errors import InvalidInput


class TransactionKind(enum.StrEnum):
    PURCHASE = "purchase"
    REFUND = "refund"
    PAYMENT = "payment"


_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_AMOUNT = Decimal("999999999999.99")


def parse_kind(raw: str, *, field: str = "kind") -> str:
    try:
        return TransactionKind(raw).value
    except ValueError as exc:
        allowed = ", ".join(k.value for k in TransactionKind)
        raise InvalidInput(f"{raw!r} is not one of: {allowed}.", field=field) from exc


def parse_currency(raw: str, *, field: str = "currency") -> str:
    code = (raw or "").strip().upper()
    if not _CURRENCY.match(code):
        raise InvalidInput(f"{raw!r} is not an ISO 4217 currency code.", field=field)
    return code


def parse_amount(raw: object, *, field: str = "amount", allow_negative: bool = False) -> Decimal:
    """Money as an exact Decimal with two places; floats are read via their text."""
    try:
        value = Decimal(str(raw).strip().replace(",", "")) if raw is not None else None
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(f"{raw!r} is not an amount.", field=field) from exc
    if value is None or not value.is_finite():
        raise InvalidInput(f"{raw!r} is not an amount.", field=field)
    if value < 0 and not allow_negative:
        raise InvalidInput("Amounts are positive; use kind 'refund' for money returned.",
                           field=field)
    if abs(value) > MAX_AMOUNT:
        raise InvalidInput("The amount is too large.", field=field)
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInput("Amounts have at most two decimal places.", field=field)
    return value.quantize(Decimal("0.01"))


def signed(kind: str, amount: Decimal) -> Decimal:
    """What a transaction adds to the customer's spend: refunds subtract, payments settle
    and do not count as spend."""
    if kind == TransactionKind.PURCHASE:
        return amount
    if kind == TransactionKind.REFUND:
        return -amount
    return Decimal("0")


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    purchases: int
    spend: Decimal  # purchases minus refunds
    refunds: Decimal


def totals(rows: Iterable[tuple[str, str, Decimal, int]]) -> list[CurrencyTotal]:
    """Aggregate (currency, kind, amount sum, count) rows into one total per currency."""
    acc: dict[str, dict[str, Decimal | int]] = {}
    for currency, kind, amount, count in rows:
        slot = acc.setdefault(currency, {"purchases": 0, "spend": Decimal("0"),
                                         "refunds": Decimal("0")})
        slot["spend"] = Decimal(slot["spend"]) + signed(kind, Decimal(amount))
        if kind == TransactionKind.PURCHASE:
            slot["purchases"] = int(slot["purchases"]) + count
        elif kind == TransactionKind.REFUND:
            slot["refunds"] = Decimal(slot["refunds"]) + Decimal(amount)
    cents = Decimal("0.01")  # databases sum decimals with varying scale; money has two places
    return [CurrencyTotal(c, int(v["purchases"]), Decimal(v["spend"]).quantize(cents),
                          Decimal(v["refunds"]).quantize(cents))
            for c, v in sorted(acc.items())]
