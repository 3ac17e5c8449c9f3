"""Customer ROI: margin minus cost to serve, by hand, with a customer who cost nothing."""

from __future__ import annotations

import numpy as np
import pytest

from accord.analytics.domain.roi import (
    DEFAULT_CHANNEL_COSTS,
    cost_to_serve,
    cost_to_serve_from_rows,
    customer_roi,
)
from accord.platform.errors import InvalidInput


def test_cost_to_serve_by_channel_unknown_channels_cost_nothing() -> None:
    counts = {"email": np.array([4.0, 0.0, 0.0]), "call": np.array([1.0, 0.0, 2.0]),
              "meeting": np.array([0.0, 0.0, 1.0]), "carrier_pigeon": np.array([9.0, 9, 9])}
    # 4 x 0.50 + 1 x 4.00; nothing; 2 x 4.00 + 1 x 40.00
    assert cost_to_serve(counts, customers=3).tolist() == [6.0, 0.0, 48.0]
    assert cost_to_serve(counts, customers=3, costs={"email": 1.0}).tolist() == \
        [4.0, 0.0, 0.0]


def test_the_same_from_grouped_rows() -> None:
    got = cost_to_serve_from_rows(np.array([0, 0, 2, 2, 2]),
                                  np.array(["email", "call", "call", "meeting", "unknown"]),
                                  np.array([4.0, 1.0, 2.0, 1.0, 5.0]), customers=3)
    assert got.tolist() == [6.0, 0.0, 48.0]
    assert cost_to_serve_from_rows(np.array([], dtype=np.int64), np.array([], dtype=str),
                                   np.array([]), customers=2).tolist() == [0.0, 0.0]


def test_roi_with_a_customer_who_cost_nothing() -> None:
    got = customer_roi(revenue=np.array([100.0, 50.0, 200.0]), margin_rate=0.3,
                       cost_to_serve=np.array([6.0, 0.0, 48.0]))
    assert got.gross_margin.tolist() == pytest.approx([30.0, 15.0, 60.0])
    assert got.net_value.tolist() == pytest.approx([24.0, 15.0, 12.0])
    assert got.roi[0] == pytest.approx(4.0) and got.roi[2] == pytest.approx(0.25)
    assert np.isnan(got.roi[1])
    # a margin given per customer, and a loss
    loss = customer_roi(gross_margin=np.array([10.0]), cost_to_serve=np.array([40.0]))
    assert loss.net_value[0] == -30.0 and loss.roi[0] == -0.75
    # margin rate per customer
    per = customer_roi(revenue=np.array([100.0, 100.0]), margin_rate=np.array([0.1, 0.5]),
                       cost_to_serve=np.array([1.0, 1.0]))
    assert per.gross_margin.tolist() == pytest.approx([10.0, 50.0])


def test_default_costs_are_the_documented_ones_and_read_only() -> None:
    assert DEFAULT_CHANNEL_COSTS["meeting"] == 40.0 and DEFAULT_CHANNEL_COSTS["sms"] == 0.10
    assert len(DEFAULT_CHANNEL_COSTS) == 11
    with pytest.raises(TypeError):
        DEFAULT_CHANNEL_COSTS["email"] = 0.0  # type: ignore[index]


def test_bad_input_names_the_field() -> None:
    cases = [
        (lambda: cost_to_serve({"email": np.array([1.0])}, customers=2), "interactions"),
        (lambda: cost_to_serve({"email": np.array([-1.0])}, customers=1), "interactions"),
        (lambda: cost_to_serve({}, customers=1, costs={"call": -4.0}), "channel_costs"),
        (lambda: cost_to_serve_from_rows(np.array([5]), np.array(["call"]), np.array([1.0]),
                                         customers=2), "interactions"),
        (lambda: customer_roi(cost_to_serve=np.array([1.0])), "gross_margin"),
        (lambda: customer_roi(revenue=np.array([1.0]), cost_to_serve=np.array([1.0])),
         "margin_rate"),
        (lambda: customer_roi(revenue=np.array([1.0]), margin_rate=1.5,
                              cost_to_serve=np.array([1.0])), "margin_rate"),
        (lambda: customer_roi(gross_margin=np.array([1.0, 2.0]),
                              cost_to_serve=np.array([1.0])), "gross_margin"),
        (lambda: customer_roi(revenue=np.array([np.nan]), margin_rate=0.2,
                              cost_to_serve=np.array([1.0])), "revenue"),
        (lambda: customer_roi(gross_margin=np.array([1.0]), cost_to_serve=np.array([-1.0])),
         "cost_to_serve"),
    ]
    for call, field in cases:
        with pytest.raises(InvalidInput) as error:
            call()
        assert error.value.field == field


def test_a_million_customers_in_shape() -> None:
    rng = np.random.default_rng(1)
    n = 1_000_000
    counts = {channel: rng.poisson(1.0, n).astype(np.float64)
              for channel in DEFAULT_CHANNEL_COSTS}
    cost = cost_to_serve(counts, customers=n)
    rows = cost_to_serve_from_rows(rng.integers(0, n, 3 * n),
                                   np.array(list(DEFAULT_CHANNEL_COSTS))[
                                       rng.integers(0, 11, 3 * n)],
                                   np.ones(3 * n), customers=n)
    got = customer_roi(revenue=rng.gamma(2, 50, n), margin_rate=0.3, cost_to_serve=cost)
    assert cost.shape == rows.shape == got.roi.shape == got.net_value.shape == (n,)
