"""A run from end to end on a real operational database (SQLite and PostgreSQL): sync,
fits, scores written back, the run recorded; and what the CLI shows of it."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from accord.analytics.models import CustomerScore, ModelRun
from accord.analytics.services.runs import latest_run, run_analytics
from accord.platform import clock
from accord.platform.actors import SYSTEM
from accord.platform.errors import InvalidInput, PermissionDenied
from tests.analytics.buyers import AS_OF, make_buyers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _warehouse(settings: Any, tmp_path: Any) -> None:
    settings.ANALYTICS_WAREHOUSE = str(tmp_path / "warehouse.duckdb")


def test_a_run_scores_every_buyer_and_records_what_it_fitted() -> None:
    base = make_buyers()
    run = run_analytics(actor=SYSTEM, as_of=AS_OF)
    assert run.status == ModelRun.Status.SUCCEEDED
    assert run.customers == CustomerScore.objects.count() > 100
    assert run.transactions == base.transactions
    assert run.window_start is not None and run.window_start < AS_OF
    for model, keys in (("bgnbd", ("r", "alpha", "a", "b")),
                        ("pareto_nbd", ("r", "alpha", "s", "beta")),
                        ("gamma_gamma", ("p", "q", "gamma"))):
        fitted = run.parameters[model]
        assert all(fitted[k] > 0 for k in keys)
        assert fitted["log_likelihood"] < 0
    assert {"sync", "summary", "bgnbd", "pareto_nbd", "gamma_gamma", "scores",
            "writeback"} <= set(run.timings)
    assert run.parameters["calibration"]["rows"]
    score = CustomerScore.objects.order_by("-lifetime_value").first()
    assert score is not None and score.run_id == run.pk and score.updated_by == "run"
    assert 0 <= score.probability_alive <= 1 and score.lifetime_value > 0
    assert score.segment and score.churn_band in {"low", "medium", "high"}
    # Written over ADBC, read back by Django: dates and times in its own formats.
    assert abs((score.updated_at - clock.now()).total_seconds()) < 600
    assert score.as_of == AS_OF and score.first_purchase <= score.last_purchase <= AS_OF
    assert latest_run() == run


def test_a_second_run_replaces_the_scores_of_the_first() -> None:
    make_buyers(120, seed=3)
    first = run_analytics(actor=SYSTEM, as_of=AS_OF, pareto=False)
    second = run_analytics(actor=SYSTEM, as_of=AS_OF, pareto=False)
    assert set(CustomerScore.objects.values_list("run_id", flat=True)) == {second.pk}
    assert CustomerScore.objects.count() == first.customers == second.customers


def test_a_run_records_what_it_left_out_of_the_scores_and_why() -> None:
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from accord.transactions.services import TransactionInput, record_transaction

    base = make_buyers(120, seed=11)
    buyer = base.customers[0]
    noon = datetime(AS_OF.year, AS_OF.month, AS_OF.day, 12, tzinfo=UTC)
    for days, kind, currency in ((-3, "purchase", "USD"), (-2, "refund", "GBP"),
                                 (-1, "refund", "GBP"), (5, "purchase", "GBP")):
        record_transaction(actor=SYSTEM, item=TransactionInput(
            customer_id=buyer, occurred_at=noon + timedelta(days=days), amount=Decimal("9"),
            currency=currency, kind=kind))
    run = run_analytics(actor=SYSTEM, as_of=AS_OF, pareto=False)
    coverage = run.parameters["coverage"]
    assert coverage["analysed"] == base.transactions
    assert coverage["left_out"] == [
        {"reason": "refund: not netted from spend", "transactions": 2},
        {"reason": "after the as-of date", "transactions": 1},
        {"reason": "purchases in USD: the run reports in GBP", "transactions": 1}]
    shown = StringIO()
    call_command("analytics", "show", stdout=shown)
    assert (f"Analysed {base.transactions:,} transactions; left out: 2 refund: not netted "
            "from spend; 1 after the as-of date; 1 purchases in USD") in shown.getvalue()


def test_a_run_without_purchases_fails_clearly_and_is_recorded() -> None:
    with pytest.raises(InvalidInput) as caught:
        run_analytics(actor=SYSTEM, as_of=AS_OF)
    assert caught.value.field == "transactions"
    run = ModelRun.objects.get()
    assert run.status == ModelRun.Status.FAILED and "no purchases" in run.error.lower()
    assert latest_run() is None


def test_only_administrators_run_analytics(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        run_analytics(actor=world.alice, as_of=AS_OF)
    assert not ModelRun.objects.exists()


def test_the_cli_runs_and_shows_the_latest_run() -> None:
    make_buyers(120, seed=5)
    out = StringIO()
    call_command("analytics", "run", "--as-of", AS_OF.isoformat(), "--time-unit", "days",
                 stdout=out)
    assert "BG/NBD" in out.getvalue() and "writeback" in out.getvalue()
    shown = StringIO()
    call_command("analytics", "show", "--json", stdout=shown)
    data = json.loads(shown.getvalue())
    assert data["time_unit"] == "days" and data["status"] == "succeeded"
    assert data["parameters"]["bgnbd"]["r"] > 0
