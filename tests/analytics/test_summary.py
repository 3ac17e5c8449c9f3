"""The per-customer summary: repeat days, recency, age, repeat spend, in days or weeks."""

from __future__ import annotations

import numpy as np
import pytest

from accord.analytics.domain.summary import summarise
from accord.platform.errors import InvalidInput


def _arrays(rows: list[tuple[int, int, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    customer, day, amount = zip(*rows, strict=True)
    return (np.array(customer, dtype=np.int64), np.array(day, dtype=np.int64),
            np.array(amount, dtype=np.float64))


def test_same_day_purchases_count_once_and_their_spend_adds_up() -> None:
    s = summarise(*_arrays([(7, 10, 5.0), (7, 10, 3.0), (7, 24, 20.0), (7, 24, 2.0),
                            (7, 31, 10.0)]), end_day=38, time_unit="days")
    assert list(s.customer) == [7]
    assert (s.frequency[0], s.recency[0], s.age[0]) == (2, 21, 28)
    assert s.monetary[0] == pytest.approx((22.0 + 10.0) / 2)  # repeat days only


def test_weeks_after_the_end_and_one_time_buyers() -> None:
    s = summarise(*_arrays([(2, 0, 9.0), (1, 7, 4.0), (1, 70, 4.0), (3, 100, 1.0)]),
                  end_day=21, time_unit="weeks")
    assert list(s.customer) == [1, 2]  # customer 3 first bought after the end
    assert list(s.frequency) == [0, 0]  # the day-70 purchase is after the end
    assert list(s.age) == [2.0, 3.0] and list(s.monetary) == [0.0, 0.0]


def test_no_transactions_and_bad_input() -> None:
    empty = np.array([], dtype=np.int64)
    assert len(summarise(empty, empty, np.array([]), end_day=5)) == 0
    with pytest.raises(InvalidInput):
        summarise(empty, empty, np.array([]), end_day=5, time_unit="months")
    with pytest.raises(InvalidInput):
        summarise(np.array([1]), np.array([1, 2]), np.array([1.0]), end_day=5)
