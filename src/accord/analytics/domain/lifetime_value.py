"""Customer lifetime value from a fitted BG/NBD (how many purchases) and Gamma-Gamma
(how much each): the expected margin of each coming month, discounted to today."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

from accord.analytics.domain.bgnbd import BgNbdParams
from accord.analytics.domain.bgnbd_scores import dropout_odds
from accord.platform.errors import InvalidInput

DAYS_PER_MONTH = 365.25 / 12  # an average month


def lifetime_value(params: BgNbdParams, spend: NDArray[np.float64], x: NDArray[np.float64],
                   t_x: NDArray[np.float64], t: NDArray[np.float64], *, months: int,
                   monthly_discount: float, margin: float = 1.0,
                   days_per_unit: float = 7.0,
                   days_per_month: float = DAYS_PER_MONTH) -> NDArray[np.float64]:
    """Sum over the next ``months`` of (purchases expected in that month) x ``spend`` (the
    expected spend per purchase) x ``margin``, each month discounted by
    (1 + monthly_discount)^month. Times (t_x, t) are in units of ``days_per_unit`` days."""
    if months < 0:
        raise InvalidInput("months must be 0 or more.", field="months")
    if monthly_discount < 0:
        raise InvalidInput("The discount rate cannot be negative.", field="discount_rate")
    # E(h) = (a+b+x-1)/(a-1) * (1 - B(x, T, h)) / (1 + dropout odds), and only B changes
    # with the month and it depends on (x, T) alone: sum its discounted monthly steps
    # once per distinct (x, T), not once per customer (a million rows share a few
    # thousand), then scale each customer by the month-independent factors.
    px, pt, inverse = _distinct_pairs(x, t)
    steps = np.zeros(px.size, dtype=np.float64)
    before = np.ones(px.size, dtype=np.float64)  # B at h = 0
    for month in range(1, months + 1):
        now = _unexpected_share(params, month * days_per_month / days_per_unit, px, pt)
        steps += (before - now) / (1 + monthly_discount) ** month
        before = now
    scale = (params.a + params.b + x - 1) / (params.a - 1) / (
        1.0 + dropout_odds(params, x, t_x, t))
    result: NDArray[np.float64] = steps[inverse] * scale * spend * margin
    return result


def _distinct_pairs(x: NDArray[np.float64], t: NDArray[np.float64]
                    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.intp]]:
    """The distinct (x, t) pairs and each row's pair: one integer key per row (1-D
    uniques are far cheaper than np.unique over rows)."""
    xs, x_code = np.unique(x, return_inverse=True)
    ts, t_code = np.unique(t, return_inverse=True)
    keys, inverse = np.unique(x_code.astype(np.int64) * ts.size + t_code, return_inverse=True)
    return xs[keys // ts.size], ts[keys % ts.size], inverse.astype(np.intp)


def _unexpected_share(p: BgNbdParams, horizon: float, x: NDArray[np.float64],
                      t: NDArray[np.float64]) -> NDArray[np.float64]:
    """B(x, T, h) = ((alpha+T)/(alpha+T+h))^(r+x) 2F1(r+x, b+x; a+b+x-1; h/(alpha+T+h)),
    the part of expected_purchases that varies with the horizon."""
    z = horizon / (p.alpha + t + horizon)
    hyp = special.hyp2f1(p.r + x, p.b + x, p.a + p.b + x - 1, z)
    ratio = np.exp((p.r + x) * (np.log(p.alpha + t) - np.log(p.alpha + t + horizon)))
    result: NDArray[np.float64] = ratio * hyp
    return result
