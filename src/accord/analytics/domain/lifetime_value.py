"""Customer lifetime value from a fitted BG/NBD (how many purchases) and Gamma-Gamma
(how much each): the expected margin of each coming month, discounted to today."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from accord.analytics.domain.bgnbd import BgNbdParams
from accord.analytics.domain.bgnbd_scores import expected_purchases
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
    total = np.zeros_like(spend, dtype=np.float64)
    before = np.zeros_like(spend, dtype=np.float64)
    for month in range(1, months + 1):
        horizon = month * days_per_month / days_per_unit
        upto = expected_purchases(params, horizon, x, t_x, t)
        total += (upto - before) * spend * margin / (1 + monthly_discount) ** month
        before = upto
    return total
