"""API shapes for customer scores and model runs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema

from accord.analytics.selectors import number, offers_of


class OfferOut(Schema):
    sku: str
    name: str
    lift: float | None


class ScoreOut(Schema):
    """A customer's current analysis; summary figures are in the run's time unit."""

    customer_id: int
    customer_name: str
    run_id: int | None
    as_of: date
    frequency: float
    recency: float
    age: float
    monetary: float
    first_purchase: date
    last_purchase: date
    probability_alive: float
    expected_purchases: float
    lifetime_value: float
    rfm_recency: int
    rfm_frequency: int
    rfm_monetary: int
    segment: str
    churn_risk: float
    churn_band: str
    pattern: str
    pattern_probability: float
    pattern_explanation: str
    next_purchase_on: date | None
    next_best_offer: list[OfferOut]
    gross_margin: float
    cost_to_serve: float
    roi: float | None
    updated_at: datetime
    updated_by: str

    @staticmethod
    def resolve_customer_name(obj: Any) -> str:
        return str(obj.customer.display_name)

    @staticmethod
    def resolve_next_best_offer(obj: Any) -> list[dict[str, Any]]:
        return offers_of(obj)


class ScorePageOut(Schema):
    items: list[ScoreOut]
    next_cursor: str | None


class RunOut(Schema):
    """A model run. ``parameters`` holds the fits (bgnbd, pareto_nbd, gamma_gamma with
    their log_likelihood), rfm breakpoints, churn (kind, auc), calibration, offers and
    coverage (transactions analysed, and those left out with the reason); older or
    failed runs may lack any of them. ``timings``: seconds per step."""

    id: int
    status: str
    engine: str
    as_of: date
    time_unit: str
    window_start: date | None
    customers: int
    transactions: int
    parameters: dict[str, Any]
    run_settings: dict[str, Any]
    timings: dict[str, float]
    error: str
    started_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_parameters(obj: Any) -> dict[str, Any]:
        return obj.parameters if isinstance(obj.parameters, dict) else {}

    @staticmethod
    def resolve_run_settings(obj: Any) -> dict[str, Any]:
        return obj.run_settings if isinstance(obj.run_settings, dict) else {}

    @staticmethod
    def resolve_timings(obj: Any) -> dict[str, float]:
        raw = obj.timings if isinstance(obj.timings, dict) else {}
        return {str(k): v for k, value in raw.items() if (v := number(value)) is not None}


class RunPageOut(Schema):
    items: list[RunOut]
    next_cursor: str | None
