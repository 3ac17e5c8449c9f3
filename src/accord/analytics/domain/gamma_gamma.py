"""The Gamma-Gamma model of spend per transaction (Fader & Hardie, "The Gamma-Gamma
Model of Monetary Value", 2013): each customer's mean spend varies around their own
mean, which varies across customers; fitted on repeat buyers, by maximum likelihood."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from accord.analytics.domain.fitting import maximise, unique_rows
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


def fit_gamma_gamma(frequency: NDArray[np.float64], monetary: NDArray[np.float64], *,
                    start: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> GammaGammaParams:
    """(p, q, gamma) from the customers with at least one repeat purchase and a positive
    mean repeat spend."""
    buyers = (frequency > 0) & (monetary > 0)
    if not np.any(buyers):
        raise InvalidInput("Nobody bought twice: there is no spend to fit.", field="customers")
    (x, m), weight = unique_rows(frequency[buyers], monetary[buyers])
    params, ll, iterations = maximise(lambda v: log_likelihood(v, x, m), weight, start)
    p, q, gamma = (float(v) for v in params)
    return GammaGammaParams(p=p, q=q, gamma=gamma, log_likelihood=ll,
                            customers=int(buyers.sum()), iterations=iterations)


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
