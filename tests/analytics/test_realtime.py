"""Real time: a new transaction rescoring its customer at once, from the latest run's
parameters, exactly as a full rescore with those parameters would; and the events rules
act on when a segment or churn band changes."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from accord.analytics.models import CustomerScore
from accord.analytics.services.runs import rescore, run_analytics
from accord.analytics.services.writeback import score_rows
from accord.platform import clock
from accord.platform.actors import SYSTEM
from accord.platform.models import OutboxEvent
from accord.transactions.services import LineInput, TransactionInput, record_transaction
from tests.analytics.buyers import AS_OF, make_buyers

pytestmark = pytest.mark.django_db(transaction=True)

COMPARED = ("frequency", "recency", "age", "monetary", "probability_alive",
            "expected_purchases", "lifetime_value", "rfm_recency", "rfm_frequency",
            "rfm_monetary", "segment", "churn_risk", "churn_band", "pattern",
            "pattern_probability", "pattern_explanation", "next_purchase_on",
            "gross_margin", "cost_to_serve", "roi", "first_purchase", "last_purchase")


@pytest.fixture(autouse=True)
def _warehouse(settings: Any, tmp_path: Any) -> None:
    settings.ANALYTICS_WAREHOUSE = str(tmp_path / "warehouse.duckdb")


def _buy(customer_id: int, days_ago: int = 0) -> None:
    record_transaction(actor=SYSTEM, item=TransactionInput(
        customer_id=customer_id, occurred_at=clock.now() - timedelta(days=days_ago),
        amount=Decimal("42.50"), currency="GBP",
        lines=[LineInput(unit_price=Decimal("42.50"), sku="TEA-DJ", name="Darjeeling")]))


def test_a_new_purchase_rescores_its_customer_as_a_full_rescore_would() -> None:
    base = make_buyers(150, seed=11)
    run = run_analytics(actor=SYSTEM, as_of=AS_OF, pareto=False)
    buyer = base.customers[4]
    before = CustomerScore.objects.filter(customer_id=buyer).first()
    _buy(buyer)
    after = CustomerScore.objects.get(customer_id=buyer)
    today = clock.now().date()
    assert after.updated_by == "realtime" and after.as_of == today and after.run_id == run.pk
    assert after.last_purchase == today
    if before is not None:
        assert after.frequency == before.frequency + 1 or before.last_purchase == today
    full = rescore(actor=SYSTEM, run_id=run.pk, as_of=today)
    rows = {r["customer_id"]: r for r in score_rows(
        full, run_id=run.pk, as_of=today, updated_at=clock.now(), updated_by="run").to_pylist()}
    expected = rows[buyer]
    for name in COMPARED:
        assert getattr(after, name) == expected[name], name
    assert after.next_best_offer == json.loads(expected["next_best_offer"])


def test_a_first_purchase_scores_a_new_customer_and_announces_its_segment() -> None:
    base = make_buyers(120, seed=13)
    run_analytics(actor=SYSTEM, as_of=AS_OF, pareto=False)
    from accord.customers.services import create_customer

    newcomer = create_customer(actor=SYSTEM, given_name="New", family_name="Buyer").pk
    assert not CustomerScore.objects.filter(customer_id=newcomer).exists()
    _buy(newcomer)
    score = CustomerScore.objects.get(customer_id=newcomer)
    assert score.frequency == 0 and score.segment
    announced = OutboxEvent.objects.filter(name="CustomerSegmentChanged")
    assert any(e.payload == {"customer_id": newcomer, "previous": "", "current": score.segment}
               for e in announced)
    assert OutboxEvent.objects.filter(name="ChurnBandChanged",
                                      payload__customer_id=newcomer).exists()
    assert base.customers


def test_without_a_finished_run_purchases_are_not_scored() -> None:
    base = make_buyers(20, seed=17)
    _buy(base.customers[0])
    assert not CustomerScore.objects.exists()
