"""Rows of the analytics tables made directly, as a run would leave them: the inputs of
the pages, the API and the exports (the run pipeline itself is tested on its own)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from accord.analytics.models import CustomerScore, ModelRun

AS_OF = date(2024, 6, 30)
FINISHED = datetime(2024, 7, 1, 2, 0, tzinfo=UTC)

FULL_PARAMETERS: dict[str, Any] = {
    "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426,
              "log_likelihood": -9582.43, "iterations": 31},
    "pareto_nbd": {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67,
                   "log_likelihood": -9595.0},
    "gamma_gamma": {"p": 6.25, "q": 3.74, "gamma": 15.44, "log_likelihood": -4000.1},
    "rfm": {"recency": [10, 30, 90, 180]},
    "churn": {"kind": "classifier", "auc": 0.812},
    "calibration": {"holdout_periods": 13, "rows": [
        {"frequency": f, "customers": 800 // (f + 1), "actual": 0.2 + f * 0.5,
         "expected": 0.24 + f * 0.48} for f in range(8)]},
    "offers": {"rules": [{"from_sku": "TEA-DJ", "from_name": "Darjeeling 250g",
                          "to_sku": "TEA-AS", "to_name": "Assam 250g", "lift": 3.2,
                          "customers": 41}]},
    "coverage": {"analysed": 14, "left_out": [
        {"reason": "refund: not netted from spend", "transactions": 2},
        {"reason": "purchases in USD: the run reports in GBP", "transactions": 1}]},
}
FULL_SETTINGS: dict[str, Any] = {
    "time_unit": "weeks", "horizon_days": 365, "lifetime_months": 36,
    "monthly_discount": 0.01, "margin": 0.3, "channel_costs": {"call": 4.0, "email": 0.2}}


def make_run(**fields: Any) -> ModelRun:
    """A successful run with every parameter a full run records (override any field)."""
    values: dict[str, Any] = {
        "status": ModelRun.Status.SUCCEEDED, "engine": "duckdb", "as_of": AS_OF,
        "time_unit": "weeks", "window_start": date(2022, 1, 3), "customers": 4,
        "transactions": 17, "parameters": FULL_PARAMETERS, "run_settings": FULL_SETTINGS,
        "timings": {"sync": 0.5, "summary": 0.25, "fit": 1.5, "score": 0.75, "write": 0.5},
        "started_at": FINISHED - timedelta(seconds=4), "finished_at": FINISHED}
    values.update(fields)
    return ModelRun.objects.create(**values)


def make_score(customer: Any, run: ModelRun | None = None, **fields: Any) -> CustomerScore:
    """A customer's scores as a run writes them back (override any field)."""
    values: dict[str, Any] = {
        "customer_id": customer.pk, "run": run, "as_of": AS_OF, "frequency": 4.0,
        "recency": 30.0, "age": 52.0, "monetary": 42.5, "first_purchase": date(2023, 7, 1),
        "last_purchase": date(2024, 1, 27), "probability_alive": 0.83,
        "expected_purchases": 2.4, "lifetime_value": 310.0, "rfm_recency": 4,
        "rfm_frequency": 4, "rfm_monetary": 3, "segment": "loyal", "churn_risk": 0.21,
        "churn_band": "low", "pattern": "", "pattern_probability": 0.0,
        "pattern_explanation": "", "next_purchase_on": date(2024, 7, 20),
        "next_best_offer": [{"sku": "TEA-AS", "name": "Assam 250g", "lift": 3.2}],
        "gross_margin": 120.0, "cost_to_serve": 15.0, "roi": 8.0,
        "updated_at": FINISHED, "updated_by": "run"}
    values.update(fields)
    return CustomerScore.objects.create(**values)


def score_world(world: Any) -> dict[str, CustomerScore]:
    """A run and scores for the four world customers, distinct enough to tell apart."""
    run = make_run()
    return {
        "ada": make_score(world.alice_customer, run, lifetime_value=900.0, segment="champions",
                          rfm_recency=5, rfm_frequency=5, rfm_monetary=5, churn_risk=0.05,
                          probability_alive=0.97),
        "niels": make_score(world.north_customer, run, lifetime_value=120.0, segment="at risk",
                            churn_risk=0.71, churn_band="high", pattern="drop",
                            pattern_probability=0.93, probability_alive=0.31,
                            pattern_explanation="usually buys every 3 weeks; nothing for "
                                                "11 weeks"),
        "bea": make_score(world.bob_customer, run, lifetime_value=450.0, segment="loyal",
                          churn_band="medium", churn_risk=0.4, pattern="rise",
                          pattern_probability=0.88, probability_alive=0.66),
        "orphan": make_score(world.orphan_customer, run, lifetime_value=15000.0,
                             segment="lost", churn_risk=0.95, churn_band="high",
                             probability_alive=0.02),
    }
