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

from accord.analytics.domain.fitting import check_summaries, maximise, unique_rows


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


def fit_bgnbd(x: NDArray[np.float64], t_x: NDArray[np.float64], t: NDArray[np.float64],
              *, start: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
              ) -> BgNbdParams:
    """Maximum-likelihood (r, alpha, a, b) for customers with ``x`` repeat purchases, the
    last at ``t_x``, observed for ``t``."""
    check_summaries(x, t_x, t)
    (ux, utx, ut), weight = unique_rows(x, t_x, t)
    params, ll, iterations = maximise(lambda v: log_likelihood(v, ux, utx, ut), weight,
                                      start)
    r, alpha, a, b = (float(v) for v in params)
    return BgNbdParams(r=r, alpha=alpha, a=a, b=b, log_likelihood=ll,
                       customers=int(x.size), iterations=iterations)
