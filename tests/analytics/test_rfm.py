"""RFM scores by quintile and the named segments."""

from __future__ import annotations

import numpy as np

from accord.analytics.domain.rfm import quintile_scores, rfm


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
