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
    segment = np.full(r.size, "others", dtype=object)
    unset = np.ones(r.size, dtype=bool)
    for name, (r_lo, r_hi), (f_lo, f_hi) in SEGMENTS:
        fits = unset & (r >= r_lo) & (r <= r_hi) & (f >= f_lo) & (f <= f_hi)
        segment[fits] = name
        unset &= ~fits
    return RfmScores(recency=r, frequency=f, monetary=m, segment=segment.astype(np.str_))
