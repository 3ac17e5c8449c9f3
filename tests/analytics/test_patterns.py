"""Buying-pattern changes at the published CDNOW parameters (weeks), checked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from accord.analytics.domain.bgnbd import BgNbdParams
from accord.analytics.domain.gamma_gamma import GammaGammaParams
from accord.analytics.domain.patterns import duration_words, pattern_changes
from accord.platform.errors import InvalidInput

CDNOW = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0,
                    customers=2357, iterations=0)
SPEND = GammaGammaParams(p=6.25, q=3.74, gamma=15.44, log_likelihood=0.0, customers=946,
                         iterations=0)


def _one(x0: float, t_x0: float, t0: float, observed: float, **spend: object):  # type: ignore[no-untyped-def]
    arrays = {k: np.array([v]) for k, v in spend.items() if k != "spend_params"}
    return pattern_changes(CDNOW, np.array([x0]), np.array([t_x0]), np.array([t0]),
                           window=8.0, observed=np.array([observed]), days_per_unit=7.0,
                           spend_params=spend.get("spend_params"), **arrays)  # type: ignore[arg-type]


def test_a_three_weekly_buyer_silent_for_eleven_weeks_is_a_drop() -> None:
    # bought in weeks 0, 3, ..., 51 (17 repeats); as of week 62, the window starts at 54
    got = _one(17, 51, 54, 0)
    assert got.flag[0] == "drop" and got.purchase_change[0] == "drop"
    assert got.explanation[0] == "usually buys every 3 weeks; nothing for 11 weeks"
    # P(no purchase for 11 weeks | rate ~ Gamma(r + 17, alpha + 51)), by hand
    tail = ((4.414 + 51) / (4.414 + 62)) ** (0.243 + 17)
    assert tail == pytest.approx(0.0440, abs=1e-4)
    assert got.probability[0] == pytest.approx(1 - tail, rel=1e-12)
    assert got.expected[0] > 1  # the model expected purchases in the window


def test_an_old_silence_is_not_news_and_a_normal_window_is_not_flagged() -> None:
    # the same buyer 30 weeks after the last purchase: the drop was flagged long ago
    assert _one(17, 51, 73, 0).flag[0] == ""
    # three purchases in the 8 weeks: as usual
    usual = _one(17, 51, 54, 3)
    assert usual.flag[0] == "" and usual.explanation[0] == ""
    assert 0 < usual.probability[0] < 0.95
    # a customer who had only just started: too little was expected to call it a drop
    assert _one(0, 0, 2, 0).flag[0] == ""


def test_a_rise_and_a_drop_with_some_purchases() -> None:
    # 3 repeats in a year (every 4 months), then 5 purchases in the last 8 weeks
    rise = _one(3, 52, 54, 5)
    assert rise.flag[0] == "rise"
    assert rise.explanation[0] == "usually buys every 4 months; 5 purchases in the last 8 weeks"
    nb = stats.nbinom(0.243 + 3, (4.414 + 54) / (4.414 + 54 + 8))
    assert rise.probability[0] == pytest.approx(1 - nb.sf(4), rel=1e-9)
    # weekly for a year, then one purchase in 8 weeks
    drop = _one(50, 52, 52, 1)
    assert drop.flag[0] == "drop"
    assert drop.explanation[0] == "usually buys every 7 days; 1 purchase in the last 8 weeks"
    nb = stats.nbinom(0.243 + 50, (4.414 + 52) / (4.414 + 52 + 8))
    assert drop.probability[0] == pytest.approx(1 - nb.cdf(1), rel=1e-9)
    # a single purchase by a rare buyer is not a rise
    assert _one(1, 40, 54, 1).flag[0] == ""


def test_spend_drop_against_the_gamma_gamma_expectation() -> None:
    got = _one(10, 50, 54, 3, spend_params=SPEND, monetary0=40.0, recent_spend=12.0)
    expected_spend = 6.25 * (15.44 + 10 * 40.0) / (3.74 + 6.25 * 10 - 1)
    assert got.purchase_change[0] == "" and got.spend_change[0] == "drop"
    assert got.flag[0] == "drop"
    assert got.explanation[0] == (f"spends {expected_spend:.2f} a purchase on average; "
                                  "the last 3 averaged 12.00")
    assert got.probability[0] == got.spend_probability[0] > 0.99
    # a modest rise is not flagged; a single large purchase is, in its own words
    assert _one(10, 50, 54, 3, spend_params=SPEND, monetary0=40.0,
                recent_spend=45.0).flag[0] == ""
    big = _one(10, 50, 54, 1, spend_params=SPEND, monetary0=40.0, recent_spend=200.0)
    assert big.spend_change[0] == "rise"
    assert big.explanation[0].endswith("the last one came to 200.00")


def test_spend_tail_is_the_compound_gamma() -> None:
    # S | nu ~ Gamma(p n, nu), nu ~ Gamma(q + p x, gamma + x m): simulate and compare
    rng = np.random.default_rng(0)
    x, m, n, recent = 4, 30.0, 2, 20.0
    nu = rng.gamma(3.74 + 6.25 * x, 1 / (15.44 + x * m), 400_000)
    simulated = np.mean(rng.gamma(6.25 * n, 1 / nu) <= n * recent)
    got = _one(x, 40, 54, n, spend_params=SPEND, monetary0=m, recent_spend=recent)
    assert 1 - got.spend_probability[0] == pytest.approx(simulated, abs=3e-3)


def test_customers_without_history_are_left_alone() -> None:
    got = pattern_changes(CDNOW, np.array([np.nan, 17.0]), np.array([np.nan, 51.0]),
                          np.array([np.nan, 54.0]), window=8.0, observed=np.array([6.0, 0.0]),
                          days_per_unit=7.0)
    assert list(got.flag) == ["", "drop"]
    assert np.isnan(got.expected[0]) and got.probability[0] == 0.0
    assert got.explanation == ["", "usually buys every 3 weeks; nothing for 11 weeks"]


def test_durations_in_words() -> None:
    assert duration_words(1) == "1 day"
    assert duration_words(13) == "13 days"
    assert duration_words(14) == "2 weeks"
    assert duration_words(90) == "13 weeks"
    assert duration_words(92) == "3 months"
    assert duration_words(400) == "13 months"


def test_bad_input_names_the_field() -> None:
    cases = [
        (dict(x0=[1.0], t_x0=[5.0], t0=[4.0], observed=[0.0]), {}, "summary"),
        (dict(x0=[1.0], t_x0=[1.0], t0=[4.0], observed=[-1.0]), {}, "observed"),
        (dict(x0=[1.0, 2.0], t_x0=[1.0], t0=[4.0], observed=[0.0]), {}, "summary"),
        (dict(x0=[1.0], t_x0=[1.0], t0=[4.0], observed=[0.0]), {"window": 0.0}, "window"),
        (dict(x0=[1.0], t_x0=[1.0], t0=[4.0], observed=[1.0]),
         {"spend_params": SPEND}, "recent_spend"),
        (dict(x0=[1.0], t_x0=[1.0], t0=[4.0], observed=[1.0]),
         {"spend_params": SPEND, "monetary0": np.array([5.0]),
          "recent_spend": np.array([-2.0])}, "recent_spend"),
    ]
    for arrays, options, field in cases:
        kwargs = {"window": 8.0, "days_per_unit": 7.0, **options}
        with pytest.raises(InvalidInput) as error:
            pattern_changes(CDNOW, np.array(arrays["x0"]), np.array(arrays["t_x0"]),
                            np.array(arrays["t0"]), observed=np.array(arrays["observed"]),
                            **kwargs)  # type: ignore[arg-type]
        assert error.value.field == field


def test_a_million_customers_in_shape() -> None:
    rng = np.random.default_rng(1)
    n = 1_000_000
    x0 = rng.poisson(3, n).astype(np.float64)
    t0 = rng.uniform(8, 80, n)
    t_x0 = np.where(x0 > 0, t0 * rng.uniform(0, 1, n), 0.0)
    observed = rng.poisson(0.5, n).astype(np.float64)
    got = pattern_changes(CDNOW, x0, t_x0, t0, window=8.0, observed=observed,
                          days_per_unit=7.0, spend_params=SPEND,
                          monetary0=rng.gamma(4, 10, n), recent_spend=rng.gamma(4, 10, n))
    assert got.flag.shape == got.probability.shape == got.expected.shape == (n,)
    assert len(got.explanation) == n
