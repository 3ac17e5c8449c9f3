"""Churn: the supervised classifier on a generated set with a real signal, its closed-form
scoring against scikit-learn's own, the stored JSON, the model's risk and the bands."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from accord.analytics.domain.churn import (
    CHURN_FEATURES,
    ChurnModel,
    churn_band,
    churn_probability,
    model_churn_risk,
    train_churn_model,
)
from accord.platform.errors import InvalidInput


def _customers(seed: int, n: int) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Customers whose churn depends on time since the last purchase, complaints and call
    waits, against purchases and probability alive; plus noise."""
    rng = np.random.default_rng(seed)
    since_last = rng.exponential(10.0, n)
    frequency = rng.poisson(4.0, n).astype(np.float64)
    monetary = rng.gamma(4.0, 10.0, n)
    age = since_last + rng.uniform(5, 50, n)
    contacts = rng.poisson(2.0, n).astype(np.float64)
    complaints = rng.poisson(0.3, n).astype(np.float64)
    wait = rng.exponential(60.0, n)
    alive = np.clip(1 - since_last / 40 + rng.normal(0, 0.1, n), 0, 1)
    logit = (0.15 * since_last - 0.3 * frequency + 0.8 * complaints + 0.01 * wait
             - 1.5 * alive - 0.5)
    churned = rng.uniform(size=n) < 1 / (1 + np.exp(-logit))
    features = np.column_stack([since_last, frequency, monetary, age, contacts, complaints,
                                wait, alive])
    return features, churned


def test_classifier_finds_the_signal_and_scores_like_sklearn() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    train_x, train_y = _customers(1, 3000)
    hold_x, hold_y = _customers(2, 2000)
    model = train_churn_model(train_x, train_y, hold_x, hold_y)
    assert model.holdout_auc > 0.7
    assert model.feature_names == CHURN_FEATURES
    assert model.train_size == 3000 and model.holdout_size == 2000
    assert model.train_positive_rate == pytest.approx(train_y.mean())
    # complaints raise the risk, purchases lower it
    assert model.coefficients[CHURN_FEATURES.index("complaints_90d")] > 0
    assert model.coefficients[CHURN_FEATURES.index("frequency")] < 0
    # the closed form is sklearn's predict_proba
    scaler = StandardScaler().fit(train_x)
    reference = LogisticRegression(class_weight="balanced", random_state=0, max_iter=1000)
    reference.fit(scaler.transform(train_x), train_y)
    expected = reference.predict_proba(scaler.transform(hold_x))[:, 1]
    assert np.max(np.abs(churn_probability(model, hold_x) - expected)) < 1e-12


def test_a_big_training_set_is_sampled_the_same_way_every_time(monkeypatch: Any) -> None:
    from accord.analytics.domain import churn

    monkeypatch.setattr(churn, "MAX_TRAIN_ROWS", 1500)
    train_x, train_y = _customers(3, 6000)
    hold_x, hold_y = _customers(4, 2000)
    model = train_churn_model(train_x, train_y, hold_x, hold_y)
    assert model.train_size == 1500 and model.holdout_size == 2000  # the holdout is whole
    assert model == train_churn_model(train_x, train_y, hold_x, hold_y)
    assert model.holdout_auc > 0.7


def test_stored_json_scores_one_customer_exactly_as_the_batch() -> None:
    train_x, train_y = _customers(3, 500)
    hold_x, hold_y = _customers(4, 500)
    model = train_churn_model(train_x, train_y, hold_x, hold_y)
    import json

    restored = ChurnModel.from_json(json.loads(json.dumps(model.to_json())))
    assert restored == model
    batch = churn_probability(model, hold_x)
    single = churn_probability(restored, hold_x[17:18])
    assert single[0] == batch[17]


def test_too_few_rows_or_one_class_is_refused_naming_churn() -> None:
    train_x, train_y = _customers(5, 200)
    with pytest.raises(InvalidInput) as error:
        train_churn_model(train_x[:49], train_y[:49], train_x, train_y)
    assert error.value.field == "churn" and "at least 50" in error.value.message
    with pytest.raises(InvalidInput) as error:
        train_churn_model(train_x, np.zeros(200, dtype=bool), train_x, train_y)
    assert error.value.field == "churn" and "same label" in error.value.message
    with pytest.raises(InvalidInput):
        train_churn_model(train_x, train_y, train_x, np.ones(200, dtype=bool))
    with pytest.raises(InvalidInput):
        train_churn_model(train_x[:, :7], train_y, train_x, train_y)
    broken = train_x.copy()
    broken[3, 6] = np.nan
    with pytest.raises(InvalidInput) as error:
        train_churn_model(broken, train_y, train_x, train_y)
    assert "mean_call_wait_seconds_90d" in error.value.message


def test_damaged_json_is_refused() -> None:
    with pytest.raises(InvalidInput) as error:
        ChurnModel.from_json({"feature_names": ["a"]})
    assert error.value.field == "churn"
    train_x, train_y = _customers(6, 300)
    stored = train_churn_model(train_x, train_y, train_x, train_y).to_json()
    stored["means"] = stored["means"][:3]
    with pytest.raises(InvalidInput):
        ChurnModel.from_json(stored)


def test_model_risk_and_bands() -> None:
    risk = model_churn_risk(np.array([1.0, 0.8, 0.5, 0.0]))
    assert risk == pytest.approx([0.0, 0.2, 0.5, 1.0])
    assert list(churn_band(np.array([0.0, 0.29, 0.3, 0.59, 0.6, 1.0]))) == \
        ["low", "low", "medium", "medium", "high", "high"]
    assert list(churn_band(0.45)) == ["medium"]
    with pytest.raises(InvalidInput) as error:
        churn_band(np.array([0.2, np.nan]))
    assert error.value.field == "churn_risk"
    with pytest.raises(InvalidInput) as error:
        model_churn_risk(np.array([1.2]))
    assert error.value.field == "probability_alive"


def test_a_million_customers_score_in_shape() -> None:
    train_x, train_y = _customers(7, 200)
    model = train_churn_model(train_x, train_y, train_x, train_y)
    features = np.tile(train_x, (5000, 1))
    probability = churn_probability(model, features)
    assert probability.shape == (1_000_000,)
    assert churn_band(probability).shape == (1_000_000,)
    assert model_churn_risk(features[:, -1]).shape == (1_000_000,)
