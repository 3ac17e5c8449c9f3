"""BG/NBD scores: probability alive and expected purchases, at the published CDNOW
parameters. The paper's worked example gives 1.226 purchases in the next 39 weeks for a
customer with 2 repeat purchases, the last at week 30.43, observed for 38.86 weeks; the
other figures are the `lifetimes` package's (0.11.3) at the same parameters."""

from __future__ import annotations

import numpy as np
import pytest

from accord.analytics.domain.bgnbd import BgNbdParams
from accord.analytics.domain.bgnbd_scores import expected_purchases, probability_alive

CDNOW = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0,
                    customers=2357, iterations=0)
X = np.array([0.0, 2.0, 7.0, 1.0])
T_X = np.array([0.0, 30.43, 35.0, 2.0])
T = np.full(4, 38.86)


def test_expected_purchases_in_the_next_39_weeks() -> None:
    got = expected_purchases(CDNOW, 39.0, X, T_X, T)
    assert got[1] == pytest.approx(1.226, abs=5e-4)  # the paper's example
    assert got == pytest.approx([0.19509805201125396, 1.226028174767135,
                                 4.387487854487884, 0.2125463006511991], rel=1e-9)


def test_probability_alive() -> None:
    got = probability_alive(CDNOW, X, T_X, T)
    assert got == pytest.approx([1.0, 0.726578570080673, 0.8437678219280121,
                                 0.22187090056481518], rel=1e-9)
    # a long silence after a burst of buying makes a customer less likely alive
    assert probability_alive(CDNOW, np.array([7.0]), np.array([5.0]), np.array([38.86]))[0] \
        < got[2]


def test_lifetime_value_matches_lifetimes_at_the_same_parameters() -> None:
    from accord.analytics.domain.gamma_gamma import GammaGammaParams, expected_spend
    from accord.analytics.domain.lifetime_value import lifetime_value

    spend_params = GammaGammaParams(p=6.25, q=3.74, gamma=15.44, log_likelihood=0.0,
                                    customers=946, iterations=0)
    monetary = np.array([0.0, 30.0, 45.5, 12.0])
    spend = expected_spend(spend_params, X, monetary)
    assert spend == pytest.approx([35.21897810218978, 30.938320209973753,
                                   44.89406323940632, 19.07675194660734], rel=1e-12)
    # lifetimes counts a month as 4.345 weeks
    value = lifetime_value(CDNOW, spend, X, T_X, T, months=12, monthly_discount=0.01,
                           days_per_month=4.345 * 7)
    assert value == pytest.approx([8.369004358920185, 45.52141814624588,
                                   234.16565057714317, 4.891903908981008], rel=1e-9)
    halved = lifetime_value(CDNOW, spend, X, T_X, T, months=12, monthly_discount=0.01,
                            margin=0.5, days_per_month=4.345 * 7)
    assert halved == pytest.approx(value / 2)
