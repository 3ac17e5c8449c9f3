"""Expected next purchase: the posterior mean wait, checked by hand and by simulation."""

from __future__ import annotations

import numpy as np
import pytest

from accord.analytics.domain.bgnbd import BgNbdParams
from accord.analytics.domain.next_purchase import days_to_next_purchase
from accord.platform.errors import InvalidInput

CDNOW = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0,
                    customers=2357, iterations=0)


def test_posterior_mean_wait_by_hand() -> None:
    # 17 repeats, the last at week 51, as of week 54: (alpha + T) / (r + x - 1) weeks
    got = days_to_next_purchase(CDNOW, np.array([17.0]), np.array([51.0]), np.array([54.0]),
                                days_per_unit=7.0)
    assert got[0] == pytest.approx((4.414 + 54) / (0.243 + 17 - 1) * 7, rel=1e-12)
    in_days = days_to_next_purchase(CDNOW, np.array([17.0]), np.array([51.0 * 7]),
                                    np.array([54.0 * 7]), days_per_unit=1.0)
    assert in_days[0] > 0


def test_no_date_for_one_time_buyers_or_customers_probably_gone() -> None:
    x = np.array([0.0, 1.0, 7.0, 7.0])
    t_x = np.array([0.0, 10.0, 35.0, 5.0])
    t = np.array([38.0, 38.0, 38.0, 38.0])
    got = days_to_next_purchase(CDNOW, x, t_x, t, days_per_unit=7.0)
    assert np.isnan(got[0])  # r + x = 0.243: the mean wait is infinite
    assert np.isnan(got[1])  # r + x = 1.243 > 1, but alive with p = 0.44
    assert got[2] == pytest.approx((4.414 + 38) / (0.243 + 6) * 7)
    assert np.isnan(got[3])  # bought 7 times early, then silent for 33 weeks
    # the threshold is the caller's to move
    assert not np.isnan(days_to_next_purchase(CDNOW, x, t_x, t, days_per_unit=7.0,
                                              min_probability_alive=0.0)[1])


def test_the_mean_matches_a_simulation_of_the_posterior() -> None:
    rng = np.random.default_rng(0)
    shape, rate = 0.243 + 5, 4.414 + 30
    lam = rng.gamma(shape, 1 / rate, 1_000_000)
    simulated = np.mean(rng.exponential(1 / lam))
    got = days_to_next_purchase(CDNOW, np.array([5.0]), np.array([29.0]), np.array([30.0]),
                                days_per_unit=1.0)
    assert got[0] == pytest.approx(simulated, rel=0.02)


def test_bad_input_names_the_field() -> None:
    with pytest.raises(InvalidInput) as error:
        days_to_next_purchase(CDNOW, np.array([1.0]), np.array([5.0]), np.array([4.0]),
                              days_per_unit=7.0)
    assert error.value.field == "summary"
    with pytest.raises(InvalidInput) as error:
        days_to_next_purchase(CDNOW, np.array([1.0]), np.array([1.0]), np.array([4.0]),
                              days_per_unit=0.0)
    assert error.value.field == "days_per_unit"
    with pytest.raises(InvalidInput) as error:
        days_to_next_purchase(CDNOW, np.array([np.nan]), np.array([1.0]), np.array([4.0]),
                              days_per_unit=7.0)
    assert error.value.field == "summary"


def test_a_million_customers_in_shape() -> None:
    rng = np.random.default_rng(1)
    n = 1_000_000
    x = rng.poisson(3, n).astype(np.float64)
    t = rng.uniform(1, 80, n)
    t_x = np.where(x > 0, t * rng.uniform(0, 1, n), 0.0)
    assert days_to_next_purchase(CDNOW, x, t_x, t, days_per_unit=7.0).shape == (n,)
