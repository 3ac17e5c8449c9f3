"""A small customer base that buys the way the models assume (seeded), written through
the operational services: what the run, sync and real-time tests analyse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from accord.customers.services import create_customer
from accord.interactions.services import ParticipantInput, record_interaction
from accord.platform.actors import SYSTEM
from accord.transactions.services import (
    bulk_ensure_products,
    bulk_load_transactions,
    bulk_next_transaction_id,
    bulk_transactions_loaded,
)

AS_OF = date(2024, 6, 30)
START = date(2023, 1, 1)
PRODUCTS = [("TEA-DJ", "Darjeeling", "tea"), ("TEA-AS", "Assam", "tea"),
            ("CUP-1", "Cup", "ware"), ("POT-1", "Teapot", "ware"), ("MUG-1", "Mug", "ware")]


@dataclass
class Base:
    customers: list[int]
    transactions: int


def make_buyers(n: int = 240, *, seed: int = 7) -> Base:
    """``n`` customers with BG/NBD-style purchase histories between START and AS_OF,
    baskets where tea and cups go together, and some calls and complaints."""
    rng = np.random.default_rng(seed)
    skus = bulk_ensure_products(PRODUCTS)
    ids = [create_customer(actor=SYSTEM, given_name=f"Buyer{i}", family_name="Test").pk
           for i in range(n)]
    span = (AS_OF - START).days
    next_id = bulk_next_transaction_id()
    rows: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []
    for index, cid in enumerate(ids):
        rate = rng.gamma(0.8, 1 / 30)  # purchases a day
        death = rng.exponential(span * 1.5)
        day = float(rng.integers(0, span))
        spend = rng.gamma(6.0, 8.0)
        alive_until = day + death
        while day <= span:
            at = datetime.combine(START + timedelta(days=int(day)), datetime.min.time(),
                                  tzinfo=UTC) + timedelta(hours=int(rng.integers(8, 20)))
            amount = int(max(1.0, rng.normal(spend, spend / 4)) * 100)
            rows.append((next_id, cid, at, "purchase", amount, "GBP", "test", "", {}))
            first = "TEA-DJ" if index % 2 else "CUP-1"
            lines.append((next_id, skus[first], first, 1, amount, amount))
            if index % 3 == 0:
                second = "CUP-1" if first == "TEA-DJ" else "TEA-DJ"
                lines.append((next_id, skus[second], second, 1, 0, 0))
            next_id += 1
            day += max(1.0, float(rng.exponential(1 / max(rate, 1e-4))))
            if day > alive_until:
                break
    bulk_load_transactions(rows, lines, created_at=datetime(2024, 7, 1, tzinfo=UTC))
    bulk_transactions_loaded(actor=SYSTEM, transactions=len(rows), lines=len(lines))
    for cid in ids[::5]:
        record_interaction(
            actor=SYSTEM, channel="call", direction="inbound",
            occurred_at=datetime(2024, 6, 1, 10, tzinfo=UTC),
            participants=[ParticipantInput(role="caller", customer_id=cid)],
            subject="Complaint about a late parcel" if cid % 2 else "Order question",
            metadata={"wait_seconds": 30 + cid % 100})
    return Base(customers=ids, transactions=len(rows))
