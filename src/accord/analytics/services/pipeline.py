"""The analysis of a run, over an engine: summaries, fits, churn classifier, calibration,
offers, then every customer's scores. Writes nothing; runs.py records and writes back."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.analytics.domain.bgnbd import BgNbdParams, fit_bgnbd
from accord.analytics.domain.bgnbd_scores import expected_purchases, probability_alive
from accord.analytics.domain.churn import ChurnModel, train_churn_model
from accord.analytics.domain.coverage import run_coverage
from accord.analytics.domain.gamma_gamma import GammaGammaParams, fit_gamma_gamma
from accord.analytics.domain.pareto_nbd import ParetoNbdParams, fit_pareto_nbd
from accord.analytics.domain.rfm import rfm_breakpoints
from accord.analytics.domain.run_settings import RunSettings
from accord.analytics.domain.scoring import (
    CustomerInputs,
    FittedModels,
    Scores,
    churn_features,
    score_customers,
)
from accord.analytics.services.inputs import (
    F64,
    aligned,
    customer_inputs,
    floats,
    ints,
    summaries,
)
from accord.analytics.services.offers import Offers, find_offers
from accord.analytics.warehouse import queries
from accord.analytics.warehouse.engines import Engine
from accord.platform.errors import InvalidInput

CALIBRATION_TOP = 7  # frequencies 0..6 each, 7 and more together


@dataclass
class StepTimer:
    """Wall time of each named step, and the progress callback told as each starts."""

    progress: Callable[[str], None] | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        if self.progress:
            self.progress(step)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[step] = round(self.seconds.get(step, 0.0)
                                       + time.perf_counter() - started, 4)


@dataclass
class Analysis:
    currency: str
    inputs: CustomerInputs
    models: FittedModels
    scores: Scores
    offers: Offers
    first_purchase_day: NDArray[np.int64]
    pareto_nbd: ParetoNbdParams | None
    extra: dict[str, Any]  # calibration table, churn notes: stored with the run



def main_currency(engine: Engine, settings: RunSettings) -> str:
    if settings.currency:
        return settings.currency.upper()
    found = engine.query(queries.main_currency())
    if found.num_rows == 0:
        raise InvalidInput("There are no purchases to analyse yet.", field="transactions")
    return str(found.column("currency")[0].as_py())


def _groups(engine: Engine, end_day: int, settings: RunSettings,
            currency: str) -> tuple[F64, F64, F64, F64]:
    g = engine.query(queries.summary_groups(end_day, settings.days_per_unit, currency))
    if g.num_rows == 0:
        raise InvalidInput("There are no purchases up to the as-of date.", field="as_of")
    return (floats(g, "frequency"), floats(g, "recency"), floats(g, "age"),
            floats(g, "customers"))


def _fit_gamma_gamma(inputs: CustomerInputs) -> GammaGammaParams | None:
    repeat = (inputs.frequency > 0) & (inputs.monetary > 0)
    if np.count_nonzero(repeat) < 10:
        return None
    return fit_gamma_gamma(inputs.frequency[repeat], inputs.monetary[repeat])


def _churn_set(engine: Engine, cutoff: int, settings: RunSettings, currency: str,
               bgnbd: BgNbdParams) -> tuple[F64, Any]:
    """Features as of ``cutoff`` and whether each customer then bought nothing for the
    churn window: one labelled set for the classifier."""
    summary = engine.query(queries.summary(cutoff, settings.days_per_unit, currency))
    ids = ints(summary, "customer_id")
    contacts = engine.query(queries.contact_features(
        cutoff - settings.contact_window_days, cutoff))
    x, t_x, t = floats(summary, "frequency"), floats(summary, "recency"), floats(summary, "age")
    features = churn_features(
        time_since_last=t - t_x, frequency=x, monetary=floats(summary, "monetary"), age=t,
        contacts=aligned(ids, contacts, "contacts", 0.0),
        complaints=aligned(ids, contacts, "complaints", 0.0),
        mean_wait=aligned(ids, contacts, "mean_wait_seconds", 0.0),
        alive=probability_alive(bgnbd, x, t_x, t))
    after = engine.query(queries.window_activity(cutoff, cutoff + settings.churn_window_days,
                                                 currency))
    churned = ~np.isin(ids, ints(after, "customer_id"))
    return features, churned


def _train_churn(engine: Engine, as_of_day: int, settings: RunSettings, currency: str,
                 bgnbd: BgNbdParams) -> tuple[ChurnModel | None, str]:
    """Time-split: trained on the window two churn windows back, validated (AUC) on the
    one just ended. None, with the reason, when the data cannot support a classifier."""
    w = settings.churn_window_days
    try:
        train = _churn_set(engine, as_of_day - 2 * w, settings, currency, bgnbd)
        holdout = _churn_set(engine, as_of_day - w, settings, currency, bgnbd)
        return train_churn_model(train[0], train[1], holdout[0], holdout[1]), ""
    except InvalidInput as exc:
        return None, exc.message


def _calibration(models: FittedModels, inputs: CustomerInputs,
                 settings: RunSettings) -> dict[str, Any]:
    """Purchases in the pattern window, expected by the model fitted before it versus
    what happened, by the number of repeat purchases before: the model's check."""
    known = ~np.isnan(inputs.x0)
    x0, t_x0, t0 = inputs.x0[known], inputs.t_x0[known], inputs.t0[known]
    window = settings.pattern_window_days / settings.days_per_unit
    expected = expected_purchases(models.pattern_model, window, x0, t_x0, t0)
    actual = inputs.window_days[known]
    bucket = np.minimum(x0, CALIBRATION_TOP).astype(np.int64)
    rows = []
    for b in range(CALIBRATION_TOP + 1):
        mine = bucket == b
        n = int(np.count_nonzero(mine))
        if n:
            rows.append({"frequency": b, "customers": n,
                         "actual": float(actual[mine].mean()),
                         "expected": float(expected[mine].mean())})
    return {"holdout_periods": window, "holdout_days": settings.pattern_window_days,
            "rows": rows}


def _coverage(engine: Engine, as_of_day: int, currency: str) -> dict[str, Any]:
    found = engine.query(queries.coverage(as_of_day))
    columns = [found.column(name).to_pylist()
               for name in ("kind", "currency", "after_as_of", "transactions")]
    return run_coverage(zip(*columns, strict=True), currency)


def analyse(engine: Engine, as_of_day: int, settings: RunSettings, timer: StepTimer,
            *, models: FittedModels | None = None, currency: str | None = None,
            rules: list[dict[str, Any]] | None = None, pareto: bool = True) -> Analysis:
    """Fit and score; or, given a run's ``models``, its ``currency`` and offer ``rules``,
    score with them (a rescore: nothing refitted, nothing learnt from these customers)."""
    currency = currency or main_currency(engine, settings)
    extra: dict[str, Any] = {}
    with timer("summary"):
        found = summaries(engine, as_of_day, settings, currency)
        if found.summary.num_rows == 0:
            raise InvalidInput("There are no purchases up to the as-of date.", field="as_of")
        inputs = customer_inputs(engine, found, as_of_day, settings, currency)
        if models is None:  # a run records what it analysed; a rescore records nothing
            extra["coverage"] = _coverage(engine, as_of_day, currency)
    pareto_params = None
    if models is None:
        with timer("bgnbd"):
            x, t_x, t, weight = _groups(engine, as_of_day, settings, currency)
            bgnbd = fit_bgnbd(x, t_x, t, weights=weight)
        if pareto:
            with timer("pareto_nbd"):  # the same grouped rows
                pareto_params = fit_pareto_nbd(x, t_x, t, weights=weight)
        with timer("gamma_gamma"):
            gamma = _fit_gamma_gamma(inputs)
        with timer("pattern_model"):
            x0, t_x0, t0, weight0 = _groups(engine, as_of_day - settings.pattern_window_days,
                                            settings, currency)
            pattern_model = fit_bgnbd(x0, t_x0, t0, weights=weight0)
        with timer("churn"):
            churn, why_not = _train_churn(engine, as_of_day, settings, currency, bgnbd)
            if why_not:
                extra["churn_note"] = why_not
        with timer("rfm"):
            unit = settings.days_per_unit
            breakpoints = rfm_breakpoints((inputs.age - inputs.recency) * unit,
                                          inputs.purchase_days, inputs.revenue)
        models = FittedModels(bgnbd=bgnbd, gamma_gamma=gamma, pattern_model=pattern_model,
                              rfm=breakpoints, churn=churn)
    with timer("scores"):
        scores = score_customers(inputs, models, settings)
    with timer("calibration"):
        extra["calibration"] = _calibration(models, inputs, settings)
    with timer("offers"):
        offers = find_offers(engine, inputs.customer, as_of_day, settings, rules=rules)
    first_day = ints(found.summary, "first_day")
    return Analysis(currency=currency, inputs=inputs, models=models, scores=scores,
                    offers=offers, first_purchase_day=first_day, pareto_nbd=pareto_params,
                    extra=extra)

