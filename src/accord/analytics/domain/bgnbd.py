"""The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way"):
maximum-likelihood fit, vectorised, with customers of identical (frequency, recency, age)
fitted once with a weight.

While active a customer buys as a Poisson process (rate lambda ~ Gamma(r, alpha)); after
any purchase they drop out with probability p ~ Beta(a, b)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from accord.analytics.domain.fitting import (
    check_summaries,
    count_groups,
    maximise_rows,
    weighted_rows,
)


@dataclass(frozen=True)
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float  # of the whole data set at these parameters
    customers: int
    iterations: int


def log_likelihood(params: NDArray[np.float64], x: NDArray[np.float64],
                   t_x: NDArray[np.float64], t: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each customer's log-likelihood (the paper's equation 6) at (r, alpha, a, b)."""
    r, alpha, a, b = (float(v) for v in params)
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.betaln(a, b + x) - special.betaln(a, b)
    a3 = -(r + x) * np.log(alpha + t)
    repeat = x > 0
    a4 = np.full_like(x, -np.inf)
    a4[repeat] = (np.log(a) - np.log(b + x[repeat] - 1)
                  - (r + x[repeat]) * np.log(alpha + t_x[repeat]))
    result: NDArray[np.float64] = a1 + a2 + np.logaddexp(a3, a4)
    return result


class _Likelihood:
    """The BG/NBD log-likelihood of weighted rows and its analytic gradient; the terms
    that depend only on the purchase count are computed once per distinct count."""

    def __init__(self, x: NDArray[np.float64], t_x: NDArray[np.float64],
                 t: NDArray[np.float64], weight: NDArray[np.float64]) -> None:
        self.counts = count_groups(x, weight)
        self.x, self.t, self.w = x, t, weight
        repeat = x > 0
        self.rx, self.rtx, self.rw = x[repeat], t_x[repeat], weight[repeat]
        self.repeat = repeat

    def __call__(self, params: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        r, alpha, a, b = (float(v) for v in params)
        c = self.counts
        xs = c.values
        # Per distinct count: gamma and beta functions and their derivatives.
        head = (special.gammaln(r + xs) - special.gammaln(r) + r * np.log(alpha)
                + special.betaln(a, b + xs) - special.betaln(a, b))
        psi_abx = special.digamma(a + b + xs)
        d_r = special.digamma(r + xs) - special.digamma(r) + np.log(alpha)
        d_a = special.digamma(a + b) - psi_abx
        d_b = special.digamma(b + xs) - psi_abx - special.digamma(b) + special.digamma(a + b)
        total = float(np.dot(c.weight, head))
        grad = np.array([np.dot(c.weight, d_r), c.weight.sum() * r / alpha,
                         np.dot(c.weight, d_a), np.dot(c.weight, d_b)])
        # Per row: still active at T, or dropped out after the last purchase at t_x.
        log_at = np.log(alpha + self.t)
        rx_all = r + self.x
        a3 = -rx_all * log_at
        mix = a3.copy()
        w3 = np.ones_like(a3)
        rx = r + self.rx
        log_atx = np.log(alpha + self.rtx)
        a4 = np.log(a) - np.log(b + self.rx - 1) - rx * log_atx
        mix[self.repeat] = np.logaddexp(a3[self.repeat], a4)
        w3[self.repeat] = np.exp(a3[self.repeat] - mix[self.repeat])
        w4 = 1.0 - w3[self.repeat]
        total += float(np.dot(self.w, mix))
        w = self.w
        grad[0] -= np.dot(w, w3 * log_at) + np.dot(self.rw, w4 * log_atx)
        grad[1] -= (np.dot(w, w3 * rx_all / (alpha + self.t))
                    + np.dot(self.rw, w4 * rx / (alpha + self.rtx)))
        grad[2] += np.dot(self.rw, w4) / a
        grad[3] -= np.dot(self.rw, w4 / (b + self.rx - 1))
        return total, grad


def fit_bgnbd(x: NDArray[np.float64], t_x: NDArray[np.float64], t: NDArray[np.float64],
              *, weights: NDArray[np.float64] | None = None,
              start: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
              ) -> BgNbdParams:
    """Maximum-likelihood (r, alpha, a, b) for customers with ``x`` repeat purchases, the
    last at ``t_x``, observed for ``t``. With ``weights``, each row stands for that many
    customers (rows already grouped); without, identical rows are grouped here."""
    check_summaries(x, t_x, t)
    (ux, utx, ut), weight = weighted_rows((x, t_x, t), weights)
    params, ll, iterations = maximise_rows(_Likelihood, [ux, utx, ut], weight, start)
    r, alpha, a, b = (float(v) for v in params)
    return BgNbdParams(r=r, alpha=alpha, a=a, b=b, log_likelihood=ll,
                       customers=round(weight.sum()), iterations=iterations)
