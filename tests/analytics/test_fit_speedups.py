"""The fast fits are the same maximum-likelihood estimates as before: the Pareto/NBD
likelihood by quadrature equals the hyp2f1 form, the analytic gradients equal finite
differences, and the fits agree with Nelder-Mead over the per-row likelihoods."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import integrate

from accord.analytics.domain import bgnbd, fitting, gamma_gamma, pareto_nbd
from accord.analytics.domain.fitting import maximise, unique_rows

from .test_models_cdnow import _cdnow_summary

PARETO_POINTS = [  # the published optimum, beta >> alpha, beta << alpha, small alpha
    (0.553, 10.58, 0.606, 11.67), (0.8, 2.0, 1.5, 40.0), (0.5, 30.0, 0.4, 3.0),
    (2.0, 0.3, 0.9, 0.05),
]
# Where optimisers wander: far out on the flat (s, beta) ridge, and a tiny beta that puts
# the pole right next to the integration range. Both once made the quadrature ask for
# hundreds of millions of pieces (gigabytes); hyp2f1 gives NaN on the first.
WANDERING_POINTS = [(0.553, 10.58, 5e4, 1e6), (0.553, 10.58, 0.606, 1e-6)]


@pytest.fixture(scope="module")
def cdnow() -> Any:
    return _cdnow_summary()


@pytest.mark.parametrize("params", PARETO_POINTS)
def test_pareto_quadrature_equals_the_hyp2f1_likelihood(cdnow: Any,
                                                        params: tuple[float, ...]) -> None:
    (x, t_x, t), weight = unique_rows(cdnow.frequency, cdnow.recency, cdnow.age)
    quadrature = pareto_nbd.PiecewiseLikelihood(x, t_x, t, weight).per_row(np.array(params))
    closed = pareto_nbd.log_likelihood(np.array(params), x, t_x, t)
    assert np.max(np.abs(np.expm1(quadrature - closed))) < 1e-10


@pytest.mark.parametrize("params", WANDERING_POINTS)
def test_pareto_quadrature_stays_finite_and_small_where_optimisers_wander(
        cdnow: Any, params: tuple[float, ...]) -> None:
    (x, t_x, t), weight = unique_rows(cdnow.frequency, cdnow.recency, cdnow.age)
    quadrature = pareto_nbd.PiecewiseLikelihood(x, t_x, t, weight).per_row(np.array(params))
    assert np.all(np.isfinite(quadrature)) and np.all(quadrature <= 0)
    with np.errstate(invalid="ignore"):
        closed = pareto_nbd.log_likelihood(np.array(params), x, t_x, t)
    defined = np.isfinite(closed)
    assert np.max(np.abs(np.expm1(quadrature[defined] - closed[defined])), initial=0) < 1e-8


def test_pareto_quadrature_on_steep_integrands_equals_adaptive_quadrature() -> None:
    # Many purchases and a small alpha: the death-time integrand falls by e^-200.
    r, alpha, s, beta = 0.9, 0.5, 0.7, 0.05
    x = np.array([60.0, 60.0, 3.0, 0.0, 150.0])
    t_x = np.array([1.0, 30.0, 0.2, 0.0, 40.0])
    t = np.array([60.0, 30.5, 52.0, 52.0, 41.0])
    rows = pareto_nbd.PiecewiseLikelihood(x, t_x, t, np.ones(5)).per_row(
        np.array([r, alpha, s, beta]))
    for i in range(5):
        scale = (r + x[i]) * np.log(alpha + t_x[i]) + (s + 1) * np.log(beta + t_x[i])

        def integrand(tau: float, i: int = i, scale: float = scale) -> float:
            return float(np.exp(scale - (r + x[i]) * np.log(alpha + tau)
                                - (s + 1) * np.log(beta + tau)))

        died, _ = integrate.quad(integrand, t_x[i], t[i], epsabs=0, epsrel=1e-13, limit=500)
        alive = np.exp(scale - (r + x[i]) * np.log(alpha + t[i]) - s * np.log(beta + t[i]))
        head = (pareto_nbd.special.gammaln(r + x[i]) - pareto_nbd.special.gammaln(r)
                + r * np.log(alpha) + s * np.log(beta) - scale)
        expected = head + np.log(alive + s * died)
        assert rows[i] == pytest.approx(expected, abs=1e-10), i


def _gradient_check(likelihood: Any, params: np.ndarray) -> None:
    _, gradient = likelihood(params)
    for k in range(params.size):
        step = np.zeros_like(params)
        step[k] = 1e-6 * params[k]
        differenced = (likelihood(params + step)[0] - likelihood(params - step)[0]) / (
            2 * step[k])
        assert gradient[k] == pytest.approx(differenced, rel=1e-6, abs=1e-4), k


def test_gradients_equal_finite_differences(cdnow: Any) -> None:
    (x, t_x, t), weight = unique_rows(cdnow.frequency, cdnow.recency, cdnow.age)
    _gradient_check(bgnbd._Likelihood(x, t_x, t, weight), np.array([0.3, 4.0, 0.7, 2.5]))
    for point in PARETO_POINTS[1:]:
        _gradient_check(pareto_nbd.PiecewiseLikelihood(x, t_x, t, weight), np.array(point))
    buyers = (cdnow.frequency > 0) & (cdnow.monetary > 0)
    (fx, m), w = unique_rows(cdnow.frequency[buyers], cdnow.monetary[buyers])
    _gradient_check(gamma_gamma._Likelihood(fx, m, w), np.array([5.0, 3.0, 14.0]))


def _agree(fitted: Any, names: tuple[str, ...], reference: np.ndarray,
           reference_ll: float) -> None:
    for name, value in zip(names, reference, strict=True):
        assert getattr(fitted, name) == pytest.approx(value, rel=2e-5), name
    assert fitted.log_likelihood >= reference_ll - 1e-6  # never a worse optimum


def test_fits_agree_with_nelder_mead(cdnow: Any) -> None:
    (x, t_x, t), weight = unique_rows(cdnow.frequency, cdnow.recency, cdnow.age)
    params, ll, _ = maximise(lambda v: bgnbd.log_likelihood(v, x, t_x, t), weight,
                             (1.0, 1.0, 1.0, 1.0))
    _agree(bgnbd.fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow.age),
           ("r", "alpha", "a", "b"), params, ll)
    params, ll, _ = maximise(lambda v: pareto_nbd.log_likelihood(v, x, t_x, t), weight,
                             (1.0, 1.0, 1.0, 1.0))
    fitted = pareto_nbd.fit_pareto_nbd(cdnow.frequency, cdnow.recency, cdnow.age)
    _agree(fitted, ("r", "alpha", "s", "beta"), params, ll)
    assert fitted.log_likelihood == pytest.approx(-9594.98, abs=0.01)  # as published
    buyers = (cdnow.frequency > 0) & (cdnow.monetary > 0)
    (fx, m), w = unique_rows(cdnow.frequency[buyers], cdnow.monetary[buyers])
    params, ll, _ = maximise(lambda v: gamma_gamma.log_likelihood(v, fx, m), w,
                             (1.0, 1.0, 1.0))
    _agree(gamma_gamma.fit_gamma_gamma(cdnow.frequency, cdnow.monetary),
           ("p", "q", "gamma"), params, ll)


def test_weights_stand_for_grouped_rows(cdnow: Any) -> None:
    (x, t_x, t), weight = unique_rows(cdnow.frequency, cdnow.recency, cdnow.age)
    grouped = bgnbd.fit_bgnbd(x, t_x, t, weights=weight)
    plain = bgnbd.fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow.age)
    assert grouped.customers == plain.customers == 2357
    assert grouped.r == pytest.approx(plain.r, rel=1e-9)
    assert grouped.log_likelihood == pytest.approx(plain.log_likelihood, rel=1e-12)
    pareto = pareto_nbd.fit_pareto_nbd(x, t_x, t, weights=weight)
    assert pareto.customers == 2357 and pareto.r == pytest.approx(0.553, rel=0.005)
    spend = gamma_gamma.fit_gamma_gamma(cdnow.frequency, cdnow.monetary,
                                        weights=np.ones_like(cdnow.monetary))
    assert spend.customers == 946


def _simulated(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    rate, dropout = rng.gamma(1.5, 1 / 8.0, n), rng.beta(0.9, 12.0, n)
    age = np.round(rng.uniform(26, 78, n) * 7) / 7  # whole days, in weeks
    x, t_x = np.zeros(n), np.zeros(n)
    clock = np.zeros(n)
    alive = np.arange(n)
    while alive.size:
        clock[alive] += rng.exponential(1 / rate[alive])
        alive = alive[clock[alive] < age[alive]]
        x[alive] += 1
        t_x[alive] = np.floor(clock[alive] * 7) / 7
        alive = alive[rng.random(alive.size) >= dropout[alive]]
    return x, t_x, age


def test_warm_started_fits_equal_direct_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    x, t_x, t = _simulated(12_000)
    monkeypatch.setattr(fitting, "WARM_START_ROWS", 4_000)  # a subsample a third the size
    assert unique_rows(x, t_x, t)[1].size > fitting.WARM_START_ROWS
    warm_bg, warm_pn = bgnbd.fit_bgnbd(x, t_x, t), pareto_nbd.fit_pareto_nbd(x, t_x, t)
    monkeypatch.setattr(fitting, "WARM_START_ROWS", 10**9)
    direct_bg, direct_pn = bgnbd.fit_bgnbd(x, t_x, t), pareto_nbd.fit_pareto_nbd(x, t_x, t)
    for name in ("r", "alpha", "a", "b"):
        assert getattr(warm_bg, name) == pytest.approx(getattr(direct_bg, name), rel=1e-6)
    # Pareto/NBD's likelihood is nearly flat along a ridge in (s, beta): both fits reach
    # the same maximum, but the parameters on that ridge agree only to ~1e-4.
    assert warm_pn.log_likelihood == pytest.approx(direct_pn.log_likelihood, rel=1e-10)
    for name in ("r", "alpha", "s", "beta"):
        assert getattr(warm_pn, name) == pytest.approx(getattr(direct_pn, name), rel=1e-3)
