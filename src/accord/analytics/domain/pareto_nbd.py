"""The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987), with the likelihood as
Fader, Hardie & Lee write it in "A Note on Deriving the Pareto/NBD Model" (2005): while
alive a customer buys as a Poisson process (rate ~ Gamma(r, alpha)) and dies after an
exponential lifetime (rate ~ Gamma(s, beta)). Maximum likelihood, vectorised, in logs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from accord.analytics.domain.fitting import check_summaries, maximise, unique_rows


@dataclass(frozen=True)
class ParetoNbdParams:
    r: float
    alpha: float
    s: float
    beta: float
    log_likelihood: float
    customers: int
    iterations: int


def _log_a0_term(r: float, alpha: float, s: float, beta: float, x: NDArray[np.float64],
                 at: NDArray[np.float64]) -> NDArray[np.float64]:
    """log of 2F1(...) / (max(alpha, beta) + at)^(r+s+x), the paper's A0 pieces."""
    rsx = r + s + x
    if alpha >= beta:
        z = (alpha - beta) / (alpha + at)
        hyp = special.hyp2f1(rsx, s + 1, rsx + 1, z)
        base = alpha + at
    else:
        z = (beta - alpha) / (beta + at)
        hyp = special.hyp2f1(rsx, r + x, rsx + 1, z)
        base = beta + at
    result: NDArray[np.float64] = np.log(hyp) - rsx * np.log(base)
    return result


def log_likelihood(params: NDArray[np.float64], x: NDArray[np.float64],
                   t_x: NDArray[np.float64], t: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each customer's log-likelihood at (r, alpha, s, beta)."""
    r, alpha, s, beta = (float(v) for v in params)
    head = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + t) - s * np.log(beta + t)
    at_last = _log_a0_term(r, alpha, s, beta, x, t_x)
    at_end = _log_a0_term(r, alpha, s, beta, x, t)
    # log(exp(at_last) - exp(at_end)), at_last >= at_end; then add the "died" branch.
    # A customer last seen at the very end has a zero difference: log 0 = -inf is right.
    with np.errstate(divide="ignore"):
        died = (np.log(s) - np.log(r + s + x) + at_last
                + np.log1p(-np.exp(np.minimum(at_end - at_last, 0.0))))
    result: NDArray[np.float64] = head + np.logaddexp(alive, died)
    return result


def fit_pareto_nbd(x: NDArray[np.float64], t_x: NDArray[np.float64], t: NDArray[np.float64],
                   *, start: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
                   ) -> ParetoNbdParams:
    """Maximum-likelihood (r, alpha, s, beta) for customers with ``x`` repeat purchases,
    the last at ``t_x``, observed for ``t``."""
    check_summaries(x, t_x, t)
    (ux, utx, ut), weight = unique_rows(x, t_x, t)
    params, ll, iterations = maximise(lambda v: log_likelihood(v, ux, utx, ut), weight,
                                      start)
    r, alpha, s, beta = (float(v) for v in params)
    return ParetoNbdParams(r=r, alpha=alpha, s=s, beta=beta, log_likelihood=ll,
                           customers=int(x.size), iterations=iterations)
