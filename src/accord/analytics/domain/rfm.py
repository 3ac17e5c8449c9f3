"""RFM: recency, frequency and monetary value scored 1-5 by quintile across customers,
and the named segments marketers use, from the usual R x F grid."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

# (name, R range, F range), checked in order: the first that fits names the customer.
SEGMENTS: tuple[tuple[str, tuple[int, int], tuple[int, int]], ...] = (
    ("champions", (5, 5), (4, 5)),
    ("loyal", (3, 5), (4, 5)),
    ("potential loyalists", (4, 5), (2, 3)),
    ("new", (5, 5), (1, 1)),
    ("promising", (4, 4), (1, 1)),
    ("needs attention", (3, 3), (3, 3)),
    ("about to sleep", (3, 3), (1, 2)),
    ("at risk", (1, 2), (3, 4)),
    ("cannot lose", (1, 2), (5, 5)),
    ("hibernating", (2, 2), (1, 2)),
    ("lost", (1, 1), (1, 2)),
)


@dataclass(frozen=True)
class RfmScores:
    recency: NDArray[np.int64]  # 5: bought most recently
    frequency: NDArray[np.int64]  # 5: buys most often
    monetary: NDArray[np.int64]  # 5: spends most
    segment: NDArray[np.str_]


def quintile_scores(values: NDArray[np.float64]) -> NDArray[np.int64]:
    """1-5 by rank (ties share the lower score's group), 5 for the highest values."""
    if values.size == 0:
        return np.empty(0, dtype=np.int64)
    # Ties share a score: each value ranks where its first equal sits in sorted order.
    first_rank = np.searchsorted(np.sort(values), values, side="left")
    result: NDArray[np.int64] = (first_rank * 5 // values.size + 1).astype(np.int64)
    return result


def rfm(days_since_last: NDArray[np.float64], purchases: NDArray[np.float64],
        spend: NDArray[np.float64]) -> RfmScores:
    """Scores and segments; fewer days since the last purchase scores higher."""
    r = quintile_scores(-days_since_last)
    f = quintile_scores(purchases)
    m = quintile_scores(spend)
    return RfmScores(recency=r, frequency=f, monetary=m, segment=segments_of(r, f))


@dataclass(frozen=True)
class RfmBreakpoints:
    """The four quintile thresholds of each score, fixed by a run: a customer rescored
    later (in real time) is placed against the same population as the run placed them."""

    recency: tuple[float, ...]  # thresholds of -days_since_last
    frequency: tuple[float, ...]
    monetary: tuple[float, ...]

    def to_json(self) -> dict[str, list[float]]:
        return {"recency": list(self.recency), "frequency": list(self.frequency),
                "monetary": list(self.monetary)}

    @classmethod
    def from_json(cls, data: dict[str, list[float]]) -> RfmBreakpoints:
        return cls(recency=tuple(data["recency"]), frequency=tuple(data["frequency"]),
                   monetary=tuple(data["monetary"]))


def _thresholds(values: NDArray[np.float64]) -> tuple[float, ...]:
    # Score >= k+1 exactly when at least ceil(k*n/5) values are smaller, i.e. when the
    # value exceeds the ceil(k*n/5)-th smallest: the same groups as quintile_scores.
    ordered = np.sort(values)
    n = ordered.size
    return tuple(float(ordered[max(0, -(-k * n // 5) - 1)]) for k in range(1, 5))


def rfm_breakpoints(days_since_last: NDArray[np.float64], purchases: NDArray[np.float64],
                    spend: NDArray[np.float64]) -> RfmBreakpoints:
    """The thresholds that give every customer of this population its quintile scores."""
    if days_since_last.size == 0:
        return RfmBreakpoints((0.0,) * 4, (0.0,) * 4, (0.0,) * 4)
    return RfmBreakpoints(recency=_thresholds(-days_since_last),
                          frequency=_thresholds(purchases), monetary=_thresholds(spend))


def _place(values: NDArray[np.float64], thresholds: tuple[float, ...]) -> NDArray[np.int64]:
    above: NDArray[np.int64] = (values[:, None] > np.asarray(thresholds)[None, :]).sum(
        axis=1).astype(np.int64)
    return above + 1


def segments_of(r: NDArray[np.int64], f: NDArray[np.int64]) -> NDArray[np.str_]:
    segment = np.full(r.size, "others", dtype=object)
    unset = np.ones(r.size, dtype=bool)
    for name, (r_lo, r_hi), (f_lo, f_hi) in SEGMENTS:
        fits = unset & (r >= r_lo) & (r <= r_hi) & (f >= f_lo) & (f <= f_hi)
        segment[fits] = name
        unset &= ~fits
    return segment.astype(np.str_)


def rfm_with(breakpoints: RfmBreakpoints, days_since_last: NDArray[np.float64],
             purchases: NDArray[np.float64], spend: NDArray[np.float64]) -> RfmScores:
    """Scores and segments against a run's thresholds."""
    r = _place(-days_since_last, breakpoints.recency)
    f = _place(purchases, breakpoints.frequency)
    m = _place(spend, breakpoints.monetary)
    return RfmScores(recency=r, frequency=f, monetary=m, segment=segments_of(r, f))
