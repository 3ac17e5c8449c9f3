"""Every per-customer score from fitted models, in closed form: what a run writes back for
all customers and what a new transaction recomputes for one. One function for both, so
a customer rescored in real time gets exactly what a full rescore would give."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.analytics.domain.bgnbd import BgNbdParams
from accord.analytics.domain.bgnbd_scores import expected_purchases, probability_alive
from accord.analytics.domain.churn import (
    ChurnModel,
    churn_band,
    churn_probability,
    model_churn_risk,
)
from accord.analytics.domain.gamma_gamma import GammaGammaParams, expected_spend
from accord.analytics.domain.lifetime_value import lifetime_value
from accord.analytics.domain.next_purchase import days_to_next_purchase
from accord.analytics.domain.patterns import pattern_changes
from accord.analytics.domain.rfm import RfmBreakpoints, rfm_with
from accord.analytics.domain.run_settings import RunSettings

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class CustomerInputs:
    """What scoring reads, one element per customer, times in the run's unit."""

    customer: NDArray[np.int64]
    frequency: F64
    recency: F64
    age: F64
    monetary: F64
    last_day: NDArray[np.int64]
    purchase_days: F64  # distinct purchase days (frequency + 1)
    revenue: F64
    # The same summary as of the start of the pattern window; NaN for customers who had
    # not bought by then. And what they did inside the window.
    x0: F64
    t_x0: F64
    t0: F64
    monetary0: F64
    window_days: F64
    window_spend: F64
    contacts: F64
    complaints: F64
    mean_wait: F64  # 0 when no call had a wait
    cost_to_serve: F64


@dataclass(frozen=True)
class FittedModels:
    bgnbd: BgNbdParams
    gamma_gamma: GammaGammaParams | None  # none when too few repeat buyers
    pattern_model: BgNbdParams  # fitted on the data before the pattern window
    rfm: RfmBreakpoints
    churn: ChurnModel | None  # none: the model-based risk (1 - probability alive)


@dataclass(frozen=True)
class Scores:
    probability_alive: F64
    expected_purchases: F64
    expected_spend: F64
    lifetime_value: F64
    rfm_recency: NDArray[np.int64]
    rfm_frequency: NDArray[np.int64]
    rfm_monetary: NDArray[np.int64]
    segment: NDArray[np.str_]
    churn_risk: F64
    churn_band: NDArray[np.str_]
    pattern: NDArray[np.str_]
    pattern_probability: F64
    pattern_explanation: list[str]
    days_to_next_purchase: F64  # NaN: no purchase expected
    gross_margin: F64
    roi: F64  # NaN when nothing was spent serving the customer


def churn_features(*, time_since_last: F64, frequency: F64, monetary: F64, age: F64,
                   contacts: F64, complaints: F64, mean_wait: F64, alive: F64) -> F64:
    """The classifier's feature matrix, columns in CHURN_FEATURES order."""
    return np.column_stack([time_since_last, frequency, monetary, age, contacts, complaints,
                            mean_wait, alive]).astype(np.float64)


def features_of(inputs: CustomerInputs, alive: F64) -> F64:
    """``churn_features`` of the customers in ``inputs``."""
    return churn_features(time_since_last=inputs.age - inputs.recency,
                          frequency=inputs.frequency, monetary=inputs.monetary,
                          age=inputs.age, contacts=inputs.contacts,
                          complaints=inputs.complaints, mean_wait=inputs.mean_wait,
                          alive=alive)


def _spend(models: FittedModels, inputs: CustomerInputs) -> F64:
    if models.gamma_gamma is None:
        fallback: F64 = np.where(inputs.frequency > 0, inputs.monetary,
                                 inputs.revenue / np.maximum(inputs.purchase_days, 1.0))
        return fallback
    return expected_spend(models.gamma_gamma, inputs.frequency, inputs.monetary)


def score_customers(inputs: CustomerInputs, models: FittedModels,
                    settings: RunSettings) -> Scores:
    """All scores of the customers in ``inputs`` from ``models``, as the run's settings say."""
    unit = settings.days_per_unit
    x, t_x, t = inputs.frequency, inputs.recency, inputs.age
    alive = probability_alive(models.bgnbd, x, t_x, t)
    expected = expected_purchases(models.bgnbd, settings.horizon_days / unit, x, t_x, t)
    spend = _spend(models, inputs)
    value = lifetime_value(models.bgnbd, spend, x, t_x, t, months=settings.lifetime_months,
                           monthly_discount=settings.monthly_discount, margin=settings.margin,
                           days_per_unit=unit)
    rfm = rfm_with(models.rfm, (t - t_x) * unit, inputs.purchase_days, inputs.revenue)
    if models.churn is not None:
        risk = churn_probability(models.churn, features_of(inputs, alive))
    else:
        risk = model_churn_risk(alive)
    with np.errstate(divide="ignore", invalid="ignore"):
        recent_spend = np.where(inputs.window_days > 0,
                                inputs.window_spend / inputs.window_days, 0.0)
    changes = pattern_changes(models.pattern_model, inputs.x0, inputs.t_x0, inputs.t0,
                              window=settings.pattern_window_days / unit,
                              observed=inputs.window_days, days_per_unit=unit,
                              spend_params=models.gamma_gamma, monetary0=inputs.monetary0,
                              recent_spend=recent_spend)
    margin = inputs.revenue * settings.margin
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(inputs.cost_to_serve > 0,
                       (margin - inputs.cost_to_serve) / inputs.cost_to_serve, np.nan)
    return Scores(
        probability_alive=alive, expected_purchases=expected, expected_spend=spend,
        lifetime_value=value, rfm_recency=rfm.recency, rfm_frequency=rfm.frequency,
        rfm_monetary=rfm.monetary, segment=rfm.segment, churn_risk=risk,
        churn_band=churn_band(risk), pattern=changes.flag,
        pattern_probability=changes.probability, pattern_explanation=changes.explanation,
        days_to_next_purchase=days_to_next_purchase(models.bgnbd, x, t_x, t,
                                                    days_per_unit=unit),
        gross_margin=margin, roi=roi)


def models_to_json(models: FittedModels) -> dict[str, Any]:
    """The parameters a run stores, enough to rebuild ``models`` for real-time scoring."""
    def params(p: Any) -> dict[str, Any]:
        return {k: v for k, v in vars(p).items()}

    return {
        "bgnbd": params(models.bgnbd),
        "gamma_gamma": params(models.gamma_gamma) if models.gamma_gamma else None,
        "pattern_model": params(models.pattern_model),
        "rfm": models.rfm.to_json(),
        "churn": ({"kind": "classifier", "auc": models.churn.holdout_auc,
                   **models.churn.to_json()} if models.churn else {"kind": "model"}),
    }


def models_from_json(data: dict[str, Any]) -> FittedModels:
    gamma = data.get("gamma_gamma")
    churn = data.get("churn") or {}
    return FittedModels(
        bgnbd=BgNbdParams(**data["bgnbd"]),
        gamma_gamma=GammaGammaParams(**gamma) if gamma else None,
        pattern_model=BgNbdParams(**data["pattern_model"]),
        rfm=RfmBreakpoints.from_json(data["rfm"]),
        churn=(ChurnModel.from_json({k: v for k, v in churn.items()
                                     if k not in ("kind", "auc")})
               if churn.get("kind") == "classifier" else None))
