"""The Gamma-Gamma model of spend per transaction (Fader & Hardie, "The Gamma-Gamma
Model of Monetary Value", 2013): each customer's mean spend varies around their own
mean, which varies across customers; fitted on repeat buyers, by maximum likelihood."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from accord.analytics.domain.fitting import count_groups, maximise_rows, weighted_rows
from accord.platform.errors import InvalidInput


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: int  # repeat buyers it was fitted on
    iterations: int


def log_likelihood(params: NDArray[np.float64], x: NDArray[np.float64],
                   m: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each repeat buyer's log-likelihood of mean spend ``m`` over ``x`` transactions."""
    p, q, gamma = (float(v) for v in params)
    px = p * x
    result: NDArray[np.float64] = (special.gammaln(px + q) - special.gammaln(px)
                                   - special.gammaln(q) + q * np.log(gamma)
                                   + (px - 1) * np.log(m) + px * np.log(x)
                                   - (px + q) * np.log(x * m + gamma))
    return result


class _Likelihood:
    """The Gamma-Gamma log-likelihood of weighted (x, m) rows and its analytic gradient,
    with the log-gamma terms computed once per distinct count."""

    def __init__(self, x: NDArray[np.float64], m: NDArray[np.float64],
                 weight: NDArray[np.float64]) -> None:
        self.counts = count_groups(x, weight)
        self.x, self.m, self.w = x, m, weight
        log_m = np.log(m)
        # Sums that do not depend on the parameters.
        self.sum_w = float(weight.sum())
        self.sum_x_log_xm = float(np.dot(weight, x * (log_m + np.log(x))))
        self.sum_log_m = float(np.dot(weight, log_m))
        self.xm = x * m

    def __call__(self, params: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        p, q, gamma = (float(v) for v in params)
        c = self.counts
        px = p * c.values
        head = special.gammaln(px + q) - special.gammaln(px)
        psi_pxq = special.digamma(px + q)
        log_spend = np.log(self.xm + gamma)  # log(x m + gamma), per row
        pxq_row = p * self.x + q
        total = (float(np.dot(c.weight, head)) - self.sum_w * special.gammaln(q)
                 + self.sum_w * q * np.log(gamma) + p * self.sum_x_log_xm - self.sum_log_m
                 - float(np.dot(self.w, pxq_row * log_spend)))
        d_p = (float(np.dot(c.weight, c.values * (psi_pxq - special.digamma(px))))
               + self.sum_x_log_xm - float(np.dot(self.w, self.x * log_spend)))
        d_q = (float(np.dot(c.weight, psi_pxq)) - self.sum_w * special.digamma(q)
               + self.sum_w * np.log(gamma) - float(np.dot(self.w, log_spend)))
        d_gamma = self.sum_w * q / gamma - float(np.dot(self.w, pxq_row / (self.xm + gamma)))
        return total, np.array([d_p, d_q, d_gamma])


def fit_gamma_gamma(frequency: NDArray[np.float64], monetary: NDArray[np.float64], *,
                    weights: NDArray[np.float64] | None = None,
                    start: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> GammaGammaParams:
    """(p, q, gamma) from the customers with at least one repeat purchase and a positive
    mean repeat spend. With ``weights``, each row stands for that many customers."""
    buyers = (frequency > 0) & (monetary > 0)
    if not np.any(buyers):
        raise InvalidInput("Nobody bought twice: there is no spend to fit.", field="customers")
    (x, m), weight = weighted_rows((frequency[buyers], monetary[buyers]),
                                   None if weights is None else np.asarray(weights)[buyers])
    params, ll, iterations = maximise_rows(_Likelihood, [x, m], weight, start)
    p, q, gamma = (float(v) for v in params)
    return GammaGammaParams(p=p, q=q, gamma=gamma, log_likelihood=ll,
                            customers=round(weight.sum()), iterations=iterations)


def expected_spend(params: GammaGammaParams, frequency: NDArray[np.float64],
                   monetary: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each customer's expected spend per transaction: their own mean, shrunk towards the
    population's by how few purchases it rests on (one-time buyers get the population's)."""
    p, q, gamma = params.p, params.q, params.gamma
    population = p * gamma / (q - 1)
    x = frequency
    weight = (q - 1) / (p * x + q - 1)
    result: NDArray[np.float64] = weight * population + (1 - weight) * np.where(
        x > 0, monetary, 0.0)
    return result
