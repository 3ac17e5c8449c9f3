"""BG/NBD, Pareto/NBD and Gamma-Gamma on the CDNOW sample reproduce the published
parameters (within 0.5%); BG/NBD on data generated from known parameters recovers them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from accord.analytics.domain.bgnbd import fit_bgnbd, log_likelihood
from accord.analytics.domain.summary import summarise
from accord.platform.errors import InvalidInput

CDNOW = Path(__file__).resolve().parents[1] / "fixtures" / "cdnow" / "CDNOW_sample.txt"
CALIBRATION_END = date(1997, 9, 30)


def _days(yyyymmdd: np.ndarray) -> np.ndarray:
    years, rest = np.divmod(yyyymmdd, 10_000)
    months, days = np.divmod(rest, 100)
    stamps = np.array([date(int(y), int(m), int(d)).toordinal()
                       for y, m, d in zip(years, months, days, strict=True)])
    return stamps.astype(np.int64)


def _cdnow_summary():  # type: ignore[no-untyped-def]
    raw = np.loadtxt(CDNOW)
    return summarise(raw[:, 1].astype(np.int64), _days(raw[:, 2].astype(np.int64)),
                     raw[:, 4], end_day=CALIBRATION_END.toordinal(), time_unit="weeks")


def test_cdnow_summary_matches_the_paper() -> None:
    summary = _cdnow_summary()
    assert len(summary) == 2357
    # Customer 1 bought on 1997-01-01, 01-18 and 08-02 in the calibration period.
    assert summary.frequency[0] == 2
    assert summary.recency[0] == pytest.approx((date(1997, 8, 2) - date(1997, 1, 1)).days / 7)
    assert summary.age[0] == pytest.approx(272 / 7)
    assert summary.monetary[0] == pytest.approx((29.73 + 14.96) / 2)
    assert int((summary.frequency == 0).sum()) == 1411  # the paper's 1,411 one-time buyers


def test_bgnbd_reproduces_the_published_cdnow_parameters() -> None:
    s = _cdnow_summary()
    fitted = fit_bgnbd(s.frequency, s.recency, s.age)
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert getattr(fitted, name) == pytest.approx(value, rel=0.005), name
    assert fitted.log_likelihood == pytest.approx(-9582.4, abs=0.5)  # as published


def test_bgnbd_recovers_the_parameters_it_was_generated_from() -> None:
    rng = np.random.default_rng(20261123)
    r, alpha, a, b = 0.5, 6.0, 0.8, 3.0
    n, horizon = 20_000, 52.0
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    age = rng.uniform(20, horizon, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    for i in range(n):  # simulate each customer: purchases until dropout or the horizon
        t, alive = 0.0, True
        while alive:
            t += rng.exponential(1 / lam[i])
            if t > age[i]:
                break
            x[i] += 1
            t_x[i] = t
            alive = rng.random() > p[i]
    fitted = fit_bgnbd(x, t_x, age)
    for name, value in {"r": r, "alpha": alpha, "a": a, "b": b}.items():
        assert getattr(fitted, name) == pytest.approx(value, rel=0.05), name


def test_fitting_refuses_impossible_summaries() -> None:
    with pytest.raises(InvalidInput):
        fit_bgnbd(np.array([1.0]), np.array([5.0]), np.array([3.0]))
    with pytest.raises(InvalidInput):
        fit_bgnbd(np.array([]), np.array([]), np.array([]))


def test_log_likelihood_of_a_one_time_buyer() -> None:
    # x = 0: only the "still active" term, in closed form.
    r, alpha, a, b, t = 0.25, 4.4, 0.8, 2.4, 30.0
    got = log_likelihood(np.array([r, alpha, a, b]), np.array([0.0]), np.array([0.0]),
                         np.array([t]))[0]
    assert got == pytest.approx(r * np.log(alpha / (alpha + t)))


def test_gamma_gamma_reproduces_the_published_cdnow_parameters() -> None:
    from accord.analytics.domain.gamma_gamma import expected_spend, fit_gamma_gamma

    s = _cdnow_summary()
    fitted = fit_gamma_gamma(s.frequency, s.monetary)
    assert fitted.customers == 946  # the repeat buyers of the calibration period
    for name, value in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert getattr(fitted, name) == pytest.approx(value, rel=0.005), name
    spend = expected_spend(fitted, s.frequency, s.monetary)
    population = fitted.p * fitted.gamma / (fitted.q - 1)
    assert spend[s.frequency == 0] == pytest.approx(population)  # one-time buyers
    heavy = np.argmax(s.frequency)  # many purchases: close to their own mean
    assert abs(spend[heavy] - s.monetary[heavy]) < abs(population - s.monetary[heavy])


def test_pareto_nbd_reproduces_the_published_cdnow_parameters() -> None:
    from accord.analytics.domain.pareto_nbd import fit_pareto_nbd

    s = _cdnow_summary()
    fitted = fit_pareto_nbd(s.frequency, s.recency, s.age)
    for name, value in {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}.items():
        assert getattr(fitted, name) == pytest.approx(value, rel=0.005), name
