"""A run's record of what it analysed and what it left out, and why."""

from __future__ import annotations

from accord.analytics.domain.coverage import run_coverage


def test_every_transaction_is_either_analysed_or_left_out_with_its_reason() -> None:
    rows = [("purchase", "GBP", False, 90), ("purchase", "USD", False, 7),
            ("purchase", "GBP", True, 3), ("refund", "GBP", False, 5),
            ("refund", "USD", True, 1), ("purchase", "gbp", False, 10)]
    found = run_coverage(rows, "GBP")
    assert found["analysed"] == 100  # currency codes compare without case
    assert found["left_out"] == [
        {"reason": "purchases in USD: the run reports in GBP", "transactions": 7},
        {"reason": "refund: not netted from spend", "transactions": 5},
        {"reason": "after the as-of date", "transactions": 4},
    ]
    total = found["analysed"] + sum(g["transactions"] for g in found["left_out"])
    assert total == sum(row[3] for row in rows)


def test_nothing_left_out_is_an_empty_list() -> None:
    assert run_coverage([("purchase", "EUR", False, 3)], "EUR") == {
        "analysed": 3, "left_out": []}
