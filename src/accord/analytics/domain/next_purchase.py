"""When each customer is expected to buy next, from the fitted BG/NBD.

Derivation. Given a customer's history (x repeat purchases, the last at t_x, observed
for T) and that they are still active, the BG/NBD posterior of their purchase rate is
Gamma(r + x, alpha + T) (the dropout part of the likelihood does not involve lambda once
the customer is alive at T). An active customer cannot drop out before their next
purchase (in BG/NBD dropout happens only just after a purchase), and the Poisson process
is memoryless, so the wait from T to the next purchase is Exponential(lambda), with mean
1 / lambda. Its expectation over the posterior is E[1/lambda] = (alpha + T) / (r + x - 1),
the mean of an inverse gamma, finite only when r + x > 1 (below that the predictive wait
is a Lomax with an infinite mean: there is no expected date, NaN).

Customers who have more likely left than not (probability alive < 0.5) get no date
either: "expected next purchase" would then describe a customer who probably is gone."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from accord.analytics.domain.bgnbd import BgNbdParams
from accord.analytics.domain.bgnbd_scores import probability_alive
from accord.platform.errors import InvalidInput

MIN_PROBABILITY_ALIVE = 0.5


def days_to_next_purchase(params: BgNbdParams, x: NDArray[np.float64],
                          t_x: NDArray[np.float64], t: NDArray[np.float64], *,
                          days_per_unit: float,
                          min_probability_alive: float = MIN_PROBABILITY_ALIVE,
                          ) -> NDArray[np.float64]:
    """Expected days from the as-of date (the end of ``t``) to each customer's next
    purchase, NaN when there is none (see the module docstring). ``x``, ``t_x``, ``t``
    are the summary as of that date, in units of ``days_per_unit`` days."""
    x, t_x, t = (np.asarray(v, dtype=np.float64) for v in (x, t_x, t))
    if not (x.ndim == 1 and x.shape == t_x.shape == t.shape):
        raise InvalidInput("x, t_x and t need one value per customer.", field="summary")
    if not days_per_unit > 0:
        raise InvalidInput("days_per_unit must be positive.", field="days_per_unit")
    if not 0 <= min_probability_alive <= 1:
        raise InvalidInput("min_probability_alive must lie between 0 and 1.",
                           field="min_probability_alive")
    bad = ~(np.isfinite(x) & np.isfinite(t_x) & np.isfinite(t)) | (x < 0) | (t_x < 0) \
        | (t_x > t + 1e-9)
    if np.any(bad):
        raise InvalidInput(f"Customer row {int(np.flatnonzero(bad)[0])} has an impossible "
                           "summary (need 0 <= t_x <= t, x >= 0).", field="summary")
    shape = params.r + x
    has_mean = (shape > 1) & (probability_alive(params, x, t_x, t) >= min_probability_alive)
    mean_wait = (params.alpha + t) / np.where(has_mean, shape - 1, 1.0)
    result: NDArray[np.float64] = np.where(has_mean, mean_wait * days_per_unit, np.nan)
    return result
