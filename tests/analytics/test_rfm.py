"""RFM scores by quintile and the named segments."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.analytics.domain.rfm import (
    RfmBreakpoints,
    quintile_scores,
    rfm,
    rfm_breakpoints,
    rfm_with,
)


def test_quintiles_spread_evenly_and_ties_share_a_score() -> None:
    assert list(quintile_scores(np.arange(10, dtype=np.float64))) == \
        [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert list(quintile_scores(np.array([3.0, 3.0, 3.0, 9.0, 1.0]))) == [2, 2, 2, 5, 1]
    assert quintile_scores(np.array([])).size == 0


def test_segments_from_recency_and_frequency() -> None:
    # ten customers: the most recent and most frequent are champions, the oldest and
    # rarest are lost, old but frequent ones are at risk or cannot be lost
    days = np.array([1, 2, 3, 4, 5, 6, 300, 400, 500, 600], dtype=np.float64)
    purchases = np.array([20, 19, 1, 1, 5, 6, 25, 15, 1, 1], dtype=np.float64)
    spend = np.linspace(100, 10, 10)
    scores = rfm(days, purchases, spend)
    assert list(scores.recency) == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert scores.segment[0] == "champions" and scores.segment[1] == "champions"
    assert scores.segment[-1] == "lost"
    assert scores.segment[6] == "cannot lose"  # long gone, but the most frequent buyer
    assert scores.segment[7] == "at risk"
    assert scores.monetary[0] == 5 and scores.monetary[-1] == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.integers(1, 30), st.integers(0, 5000)),
                min_size=1, max_size=60))
def test_breakpoints_place_every_customer_where_the_quintiles_do(
        rows: list[tuple[int, int, int]]) -> None:
    days, purchases, spend = (np.array(col, dtype=np.float64) for col in zip(*rows, strict=True))
    by_rank = rfm(days, purchases, spend)
    by_thresholds = rfm_with(rfm_breakpoints(days, purchases, spend), days, purchases, spend)
    assert np.array_equal(by_rank.recency, by_thresholds.recency)
    assert np.array_equal(by_rank.frequency, by_thresholds.frequency)
    assert np.array_equal(by_rank.monetary, by_thresholds.monetary)
    assert np.array_equal(by_rank.segment, by_thresholds.segment)


def test_a_customer_scored_later_is_placed_against_the_run_s_population() -> None:
    days = np.array([1.0, 10, 20, 30, 40, 50, 60, 70, 80, 90])
    purchases = np.arange(1.0, 11)
    spend = np.arange(10.0, 110, 10)
    thresholds = rfm_breakpoints(days, purchases, spend)
    again = RfmBreakpoints.from_json(thresholds.to_json())
    one = rfm_with(again, np.array([0.0]), np.array([50.0]), np.array([5.0]))
    assert (one.recency[0], one.frequency[0], one.monetary[0]) == (5, 5, 1)
    assert one.segment[0] == "champions"
