"""Pure money rules: amounts, currencies, totals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accord.platform.errors import InvalidInput
from accord.transactions.domain import parse_amount, parse_currency, totals


@pytest.mark.parametrize(("raw", "value"), [("12.5", "12.50"), (3, "3.00"), ("1,200.00",
                                                                              "1200.00")])
def test_amounts_are_exact(raw: object, value: str) -> None:
    assert parse_amount(raw) == Decimal(value)


@pytest.mark.parametrize("raw", ["-1", "1.001", "abc", "NaN", "Infinity", None, "1e20"])
def test_bad_amounts_are_refused(raw: object) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_amount(raw)
    assert err.value.field == "amount"


def test_currency_codes() -> None:
    assert parse_currency(" gbp ") == "GBP"
    with pytest.raises(InvalidInput):
        parse_currency("pounds")


def test_totals_subtract_refunds_and_ignore_payments() -> None:
    rows = [("GBP", "purchase", Decimal("100"), 2), ("GBP", "refund", Decimal("15.5"), 1),
            ("GBP", "payment", Decimal("84.5"), 1), ("EUR", "purchase", Decimal("9.99"), 1)]
    by_currency = {t.currency: t for t in totals(rows)}
    assert by_currency["GBP"].spend == Decimal("84.50")
    assert by_currency["GBP"].purchases == 2
    assert by_currency["GBP"].refunds == Decimal("15.50")
    assert by_currency["EUR"].spend == Decimal("9.99")
