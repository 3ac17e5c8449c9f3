"""Churn risk, two ways: from the customer-base model (1 - probability alive), and from a
supervised classifier on purchase and service features, validated on a later holdout.

The classifier is a scikit-learn StandardScaler + LogisticRegression, but only its numbers
are kept (means, scales, coefficients, intercept): scoring is the closed form
logistic((x - mean) / scale . coef + intercept), so a single customer rescored in real
time from the stored JSON gets exactly what the nightly batch gives, without sklearn.

Training follows a time split: features as of an earlier cutoff, labelled by "no purchase
in the window after it", train the model; the same features as of a later cutoff, labelled
by the window after that, measure it (AUC). The caller builds both sets."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

from accord.platform.errors import InvalidInput

# Column order of every feature matrix. Times are in the run's unit (days or weeks).
CHURN_FEATURES: tuple[str, ...] = (
    "time_since_last_purchase",  # recency as marketers mean it: age - t_x
    "frequency",  # repeat purchases
    "monetary",  # mean repeat spend
    "age",  # time since the first purchase
    "contacts_90d",  # interactions of any channel in the last 90 days
    "complaints_90d",  # complaints in the last 90 days
    "mean_call_wait_seconds_90d",  # 0 when there was no call
    "probability_alive",  # the BG/NBD's view, as one feature among others
)

MIN_ROWS = 50  # fewer rows than this in either set: no classifier, use the model's risk
RANDOM_STATE = 0  # a fixed seed: the same data always gives the same coefficients
# A larger training set is sampled down to this many customers (with RANDOM_STATE): eight
# coefficients are pinned down long before a million rows, while the fit's time is not.
MAX_TRAIN_ROWS = 250_000

# Bands by risk, checked in order: below 0.3 low, below 0.6 medium, else high.
CHURN_BANDS: tuple[tuple[str, float], ...] = (
    ("low", 0.3),
    ("medium", 0.6),
    ("high", float("inf")),
)


@dataclass(frozen=True)
class ChurnModel:
    """A fitted churn classifier as plain numbers (stored in ModelRun.parameters["churn"])."""

    feature_names: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    coefficients: tuple[float, ...]
    intercept: float
    holdout_auc: float
    train_size: int
    holdout_size: int
    train_positive_rate: float  # share of churners in the training set
    holdout_positive_rate: float

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; ``from_json`` reads it back."""
        return {
            "feature_names": list(self.feature_names),
            "means": list(self.means),
            "scales": list(self.scales),
            "coefficients": list(self.coefficients),
            "intercept": self.intercept,
            "holdout_auc": self.holdout_auc,
            "train_size": self.train_size,
            "holdout_size": self.holdout_size,
            "train_positive_rate": self.train_positive_rate,
            "holdout_positive_rate": self.holdout_positive_rate,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChurnModel:
        """The model stored by ``to_json``; InvalidInput (field "churn") if it is damaged."""
        try:
            names = tuple(str(n) for n in data["feature_names"])
            vectors = [tuple(float(v) for v in data[key])
                       for key in ("means", "scales", "coefficients")]
            model = cls(feature_names=names, means=vectors[0], scales=vectors[1],
                        coefficients=vectors[2], intercept=float(data["intercept"]),
                        holdout_auc=float(data["holdout_auc"]),
                        train_size=int(data["train_size"]),
                        holdout_size=int(data["holdout_size"]),
                        train_positive_rate=float(data["train_positive_rate"]),
                        holdout_positive_rate=float(data["holdout_positive_rate"]))
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidInput(f"The stored churn model is incomplete: {error}.",
                               field="churn") from error
        if not len(names) == len(model.means) == len(model.scales) == len(model.coefficients):
            raise InvalidInput("The stored churn model's vectors differ in length.",
                               field="churn")
        return model


def _check_set(features: NDArray[np.float64], churned: NDArray[np.bool_], name: str,
               columns: int) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    features = np.asarray(features, dtype=np.float64)
    churned = np.asarray(churned).astype(bool)
    if features.ndim != 2 or features.shape[1] != columns:
        raise InvalidInput(f"The {name} features need {columns} columns "
                           f"({', '.join(CHURN_FEATURES)}).", field="churn")
    if churned.shape != (features.shape[0],):
        raise InvalidInput(f"The {name} set needs one label per row.", field="churn")
    if not np.all(np.isfinite(features)):
        column = CHURN_FEATURES[int(np.flatnonzero(~np.isfinite(features).all(axis=0))[0])]
        raise InvalidInput(f"The {name} feature {column} has missing or infinite values.",
                           field="churn")
    if features.shape[0] < MIN_ROWS:
        raise InvalidInput(f"The {name} set has {features.shape[0]} customers; the churn "
                           f"classifier needs at least {MIN_ROWS}.", field="churn")
    if churned.all() or not churned.any():
        raise InvalidInput(f"Every customer in the {name} set has the same label; the churn "
                           "classifier needs churners and stayers.", field="churn")
    return features, churned


def train_churn_model(train_features: NDArray[np.float64], train_churned: NDArray[np.bool_],
                      holdout_features: NDArray[np.float64],
                      holdout_churned: NDArray[np.bool_]) -> ChurnModel:
    """Fit the classifier on the train set (at most MAX_TRAIN_ROWS of it; balanced class
    weights: churners are often the minority) and measure its AUC on the whole later
    holdout. Rows are customers, columns
    CHURN_FEATURES; labels are True for "bought nothing in the following window".
    Raises InvalidInput (field "churn") when a set is too small or has one class only."""
    # Imported here: scoring and the rest of the domain never need scikit-learn loaded.
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import StandardScaler

    columns = len(CHURN_FEATURES)
    x_train, y_train = _check_set(train_features, train_churned, "training", columns)
    x_hold, y_hold = _check_set(holdout_features, holdout_churned, "holdout", columns)
    if y_train.size > MAX_TRAIN_ROWS:
        keep = np.sort(np.random.default_rng(RANDOM_STATE).choice(
            y_train.size, MAX_TRAIN_ROWS, replace=False))
        x_train, y_train = x_train[keep], y_train[keep]
    scaler = StandardScaler().fit(x_train)
    classifier = LogisticRegression(class_weight="balanced", random_state=RANDOM_STATE,
                                    max_iter=1000)
    classifier.fit(scaler.transform(x_train), y_train)
    model = ChurnModel(
        feature_names=CHURN_FEATURES,
        means=tuple(float(v) for v in scaler.mean_),
        scales=tuple(float(v) for v in scaler.scale_),
        coefficients=tuple(float(v) for v in classifier.coef_[0]),
        intercept=float(classifier.intercept_[0]), holdout_auc=0.0,
        train_size=int(y_train.size), holdout_size=int(y_hold.size),
        train_positive_rate=float(y_train.mean()),
        holdout_positive_rate=float(y_hold.mean()))
    auc = float(roc_auc_score(y_hold, churn_probability(model, x_hold)))
    return replace(model, holdout_auc=auc)


def churn_probability(model: ChurnModel, features: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each row's probability of churning: standardise, dot, logistic (closed form)."""
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or features.shape[1] != len(model.coefficients):
        raise InvalidInput(f"Churn scoring needs {len(model.coefficients)} feature columns.",
                           field="churn")
    means = np.asarray(model.means, dtype=np.float64)
    scales = np.asarray(model.scales, dtype=np.float64)
    logit = ((features - means) / scales) @ np.asarray(model.coefficients) + model.intercept
    result: NDArray[np.float64] = special.expit(logit)
    return result


def model_churn_risk(probability_alive: NDArray[np.float64]) -> NDArray[np.float64]:
    """The customer-base model's churn risk: the probability the customer has left."""
    alive = np.asarray(probability_alive, dtype=np.float64)
    if not np.all((alive >= 0) & (alive <= 1)):
        raise InvalidInput("probability_alive must lie between 0 and 1.",
                           field="probability_alive")
    result: NDArray[np.float64] = 1.0 - alive
    return result


def churn_band(risk: NDArray[np.float64] | float) -> NDArray[np.str_]:
    """"low", "medium" or "high" for each risk (a float gives a 1-element array)."""
    values = np.atleast_1d(np.asarray(risk, dtype=np.float64))
    if not np.all((values >= 0) & (values <= 1)):
        raise InvalidInput("Churn risk must lie between 0 and 1.", field="churn_risk")
    names = np.array([name for name, _ in CHURN_BANDS])
    limits = np.array([limit for _, limit in CHURN_BANDS[:-1]])
    result: NDArray[np.str_] = names[np.searchsorted(limits, values, side="right")]
    return result
