"""What a run analysed and what it left out, in words a reader of the run can check.

The models read purchases in one currency up to the as-of date. Purchases in another
currency, refunds and other kinds of transaction, and anything after the as-of date are
not in the scores; a run records how many of each, so nothing is left out silently."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

PURCHASE = "purchase"


def run_coverage(rows: Iterable[tuple[str, str, bool, int]], currency: str
                 ) -> dict[str, Any]:
    """From (kind, currency, after the as-of date, transactions) rows: the count analysed
    and the left-out groups, largest first, each with its reason."""
    analysed = 0
    left_out: dict[str, int] = {}
    for kind, code, after_as_of, count in rows:
        if after_as_of:
            reason = "after the as-of date"
        elif kind != PURCHASE:
            reason = f"{kind}: not netted from spend"
        elif code.upper() != currency.upper():
            reason = f"purchases in {code.upper()}: the run reports in {currency.upper()}"
        else:
            analysed += int(count)
            continue
        left_out[reason] = left_out.get(reason, 0) + int(count)
    ordered = sorted(left_out.items(), key=lambda item: (-item[1], item[0]))
    return {"analysed": analysed,
            "left_out": [{"reason": reason, "transactions": n} for reason, n in ordered]}
