"""Buying-pattern changes: what each customer did in the recent window, against what the
fitted BG/NBD (and, for spend, Gamma-Gamma) expected from their history before it.

The window is one length W for everybody (default 8 weeks), so one extra summary as of
the window start (as-of - W) serves every customer. Purchases are counted as the summary
counts them: distinct purchase days.

What is tested. The question is "has this customer changed?", so the null hypothesis is
"they carried on as before": alive at the window start and buying at their own rate,
whose posterior given their history is Gamma(r + x, alpha + T) (the BG/NBD's alive
branch). Dropping out is left out of the null on purpose: it is the change we look for.
The count in a window of length W is then negative binomial (Poisson-Gamma), with tails
in closed form (regularised incomplete beta), so there is no loop over customers:
  - rise: P(N >= n) < significance, for n >= 2 (one purchase is not a pattern);
  - drop with some purchases (n >= 1): P(N <= n) < significance, when at least one
    purchase was expected in the window ((r + x) / (alpha + T) * W >= 1);
  - drop to nothing (n = 0): the silence runs back to the last purchase, not only to the
    window start, so the test is on the whole silence g = time since the last purchase:
    given the history up to that purchase, P(no purchase for g) =
    ((alpha + t_x) / (alpha + t_x + g))^(r + x); flagged when that is below the
    significance, at least one purchase was expected over g, and the silence was not
    already improbable at the window start: a drop is news for one window, after which
    the churn risk and the segment carry it.
The probability of a change is 1 - the smaller tail probability of the tests a customer
was eligible for (0 when none applied).

Spend. Under Gamma-Gamma each purchase's spend is Gamma(p, nu) with nu | history ~
Gamma(q + p x, gamma + x m); the total S of n window purchases is then exactly
S / (S + gamma + x m) ~ Beta(p n, q + p x) (a compound gamma). A spend change is flagged
when its tail probability is below the significance AND the recent mean is at least 25%
away from the expected spend (a large, significant change: many small purchases would
make trivial departures significant)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from accord.analytics.domain.bgnbd import BgNbdParams
from accord.analytics.domain.bgnbd_scores import expected_purchases
from accord.analytics.domain.gamma_gamma import GammaGammaParams
from accord.platform.errors import InvalidInput

DEFAULT_WINDOW_DAYS = 56.0  # 8 weeks
DEFAULT_SIGNIFICANCE = 0.05
SPEND_CHANGE = 0.25  # how far the recent mean must move from the expected spend
DAYS_PER_MONTH = 365.25 / 12

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class PatternChanges:
    """One element per customer; "" / 0 / NaN where nothing applies."""

    expected: Floats  # BG/NBD expected purchases in the window, given the history before it
    purchase_change: NDArray[np.str_]  # "drop", "rise" or ""
    purchase_probability: Floats
    spend_change: NDArray[np.str_]
    spend_probability: Floats
    flag: NDArray[np.str_]  # the purchase change, else the spend change
    probability: Floats  # of the flagged change (the purchase one when there is none)
    explanation: list[str]  # plain words for flagged customers, "" for the others


def duration_words(days: float) -> str:
    """A duration as people say it: days under 2 weeks, weeks under 3 months, else months."""
    if days < 14:
        count, unit = max(round(days), 1), "day"
    elif days < 3 * DAYS_PER_MONTH:
        count, unit = round(days / 7), "week"
    else:
        count, unit = round(days / DAYS_PER_MONTH), "month"
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def _every(days: float) -> str:
    words = duration_words(days)
    return f"every {words[2:]}" if words.startswith("1 ") else f"every {words}"


def _check(x0: Floats, t_x0: Floats, t0: Floats, observed: Floats, window: float,
           days_per_unit: float, significance: float) -> NDArray[np.bool_]:
    """Refuse impossible input; returns which customers had bought before the window."""
    if not (x0.ndim == 1 and x0.shape == t_x0.shape == t0.shape == observed.shape):
        raise InvalidInput("x0, t_x0, t0 and observed need one value per customer.",
                           field="summary")
    if not (window > 0 and np.isfinite(window)):
        raise InvalidInput("The pattern window must be a positive length.", field="window")
    if not days_per_unit > 0:
        raise InvalidInput("days_per_unit must be positive.", field="days_per_unit")
    if not 0 < significance < 1:
        raise InvalidInput("The significance must lie between 0 and 1.", field="significance")
    if not np.all(np.isfinite(observed) & (observed >= 0)):
        raise InvalidInput("Recent purchase counts must be 0 or more.", field="observed")
    known = np.isfinite(x0) & np.isfinite(t_x0) & np.isfinite(t0)
    bad = known & ((x0 < 0) | (t_x0 < 0) | (t_x0 > t0 + 1e-9))
    if np.any(bad):
        raise InvalidInput(f"Customer row {int(np.flatnonzero(bad)[0])} has an impossible "
                           "summary (need 0 <= t_x0 <= t0, x0 >= 0).", field="summary")
    return known


def _purchase_tails(params: BgNbdParams, x0: Floats, t_x0: Floats, t0: Floats, n: Floats,
                    window: float, known: NDArray[np.bool_],
                    significance: float) -> tuple[Floats, Floats]:
    """Drop and rise tail probabilities under "carried on as before" (NaN: not eligible)."""
    drop = np.full(n.shape, np.nan)
    rise = np.full(n.shape, np.nan)
    shape = params.r + x0
    before = params.alpha + t0  # posterior rate at the window start
    # Drop to nothing: the whole silence since the last purchase.
    silent = np.flatnonzero(known & (n == 0))
    k, base = shape[silent], params.alpha + t_x0[silent]
    silence = t0[silent] - t_x0[silent] + window
    tail_now = np.exp(k * (np.log(base) - np.log(base + silence)))
    tail_then = np.exp(k * (np.log(base) - np.log(before[silent])))
    eligible = (k / base * silence >= 1) & (tail_then >= significance)
    drop[silent[eligible]] = tail_now[eligible]
    # Fewer purchases than expected in the window.
    some = np.flatnonzero(known & (n >= 1) & (shape / before * window >= 1))
    drop[some] = special.betainc(shape[some], n[some] + 1,
                                 before[some] / (before[some] + window))
    # More purchases than expected in the window.
    many = np.flatnonzero(known & (n >= 2))
    rise[many] = special.betainc(n[many], shape[many], window / (before[many] + window))
    return drop, rise


def _spend_tails(spend_params: GammaGammaParams, x0: Floats, monetary0: Floats,
                 recent_spend: Floats, n: Floats,
                 known: NDArray[np.bool_]) -> tuple[Floats, Floats, Floats]:
    """Expected spend per purchase at the window start, and the low and high tails of the
    recent mean under Gamma-Gamma (NaN: not tested)."""
    p, q, gamma = spend_params.p, spend_params.q, spend_params.gamma
    shape = q + p * np.where(known, x0, 0.0)
    scale = gamma + np.where(known & (x0 > 0), x0 * monetary0, 0.0)
    # The mean spend exists only for shape > 1 (always so for a fitted q > 1).
    expected = np.where(shape > 1, p * scale / np.maximum(shape - 1, 1e-300), np.nan)
    low = np.full(n.shape, np.nan)
    tested = np.flatnonzero(known & (n >= 1) & (shape > 1))
    total = n[tested] * recent_spend[tested]
    low[tested] = special.betainc(p * n[tested], shape[tested],
                                  total / (total + scale[tested]))
    return expected, low, 1.0 - low


def _changes(low: Floats, high: Floats, significance: float, low_ok: NDArray[np.bool_],
             high_ok: NDArray[np.bool_]) -> tuple[NDArray[np.str_], Floats]:
    """Flags ("drop"/"rise"/"") and 1 - the smaller eligible tail (0 where none)."""
    smallest = np.fmin(low, high)
    probability = np.where(np.isnan(smallest), 0.0, 1.0 - smallest)
    change = np.full(low.shape, "", dtype="<U4")
    change[(low < significance) & low_ok] = "drop"
    change[(high < significance) & high_ok] = "rise"
    return change, probability


def pattern_changes(params: BgNbdParams, x0: Floats, t_x0: Floats, t0: Floats, *,
                    window: float, observed: Floats, days_per_unit: float,
                    spend_params: GammaGammaParams | None = None,
                    monetary0: Floats | None = None, recent_spend: Floats | None = None,
                    significance: float = DEFAULT_SIGNIFICANCE) -> PatternChanges:
    """Flag significant drops and rises in buying (see the module docstring for the tests).

    ``x0``, ``t_x0``, ``t0``: each customer's summary (frequency, recency, age) as of the
    window start, in units of ``days_per_unit`` days; NaN for customers who first bought
    inside the window (they have no history to compare with). ``window``: its length in
    the same units. ``observed``: purchase days inside the window. For spend, give all of
    ``spend_params``, ``monetary0`` (mean repeat spend as of the window start) and
    ``recent_spend`` (mean spend of the window's purchase days; anything when none)."""
    x0, t_x0, t0, n = (np.asarray(v, dtype=np.float64) for v in (x0, t_x0, t0, observed))
    known = _check(x0, t_x0, t0, n, window, days_per_unit, significance)
    expected = np.full(n.shape, np.nan)
    rows = np.flatnonzero(known)
    expected[rows] = expected_purchases(params, window, x0[rows], t_x0[rows], t0[rows])
    drop, rise = _purchase_tails(params, x0, t_x0, t0, n, window, known, significance)
    always = np.ones(n.shape, dtype=bool)
    purchase_change, purchase_probability = _changes(drop, rise, significance, always, always)

    spend_change = np.full(n.shape, "", dtype="<U4")
    spend_probability = np.zeros(n.shape)
    usual_spend = recent = np.full(n.shape, np.nan)
    if spend_params is not None or monetary0 is not None or recent_spend is not None:
        if spend_params is None or monetary0 is None or recent_spend is None:
            raise InvalidInput("Spend changes need spend_params, monetary0 and recent_spend "
                               "together.", field="recent_spend")
        money0 = np.asarray(monetary0, dtype=np.float64)
        recent = np.asarray(recent_spend, dtype=np.float64)
        if money0.shape != n.shape or recent.shape != n.shape:
            raise InvalidInput("monetary0 and recent_spend need one value per customer.",
                               field="recent_spend")
        bought = n >= 1
        if not np.all(np.isfinite(recent[bought]) & (recent[bought] >= 0)):
            raise InvalidInput("Recent spend must be 0 or more for customers who bought.",
                               field="recent_spend")
        if not np.all(np.isfinite(money0[known]) & (money0[known] >= 0)):
            raise InvalidInput("monetary0 must be 0 or more.", field="monetary0")
        usual_spend, low, high = _spend_tails(spend_params, x0, money0, recent, n, known)
        with np.errstate(invalid="ignore"):
            spend_change, spend_probability = _changes(
                low, high, significance, recent <= (1 - SPEND_CHANGE) * usual_spend,
                recent >= (1 + SPEND_CHANGE) * usual_spend)

    by_purchases = purchase_change != ""
    flag = np.where(by_purchases, purchase_change, spend_change)
    probability = np.where(by_purchases | (spend_change == ""), purchase_probability,
                           spend_probability)
    explanation = [""] * n.size
    flagged = np.flatnonzero(flag != "")
    window_words = duration_words(window * days_per_unit)
    # Plain Python values for the flagged rows only: numpy scalars are slow one by one.
    columns = (purchase_change[flagged], spend_change[flagged] != "", x0[flagged],
               t_x0[flagged], t0[flagged], n[flagged], usual_spend[flagged], recent[flagged])
    for i, *row in zip(flagged.tolist(), *(c.tolist() for c in columns), strict=True):
        explanation[i] = _explain(*row, window=window, days_per_unit=days_per_unit,
                                  window_words=window_words)
    return PatternChanges(expected=expected, purchase_change=purchase_change,
                          purchase_probability=purchase_probability,
                          spend_change=spend_change, spend_probability=spend_probability,
                          flag=flag, probability=probability, explanation=explanation)


def _explain(purchase_change: str, spend_changed: bool, x0: float, t_x0: float, t0: float,
             observed: float, usual_spend: float, recent: float, *, window: float,
             days_per_unit: float, window_words: str) -> str:
    """"usually buys every 3 weeks; nothing for 11 weeks", and/or the spend sentence."""
    parts: list[str] = []
    count = int(observed)
    if purchase_change:
        if x0 >= 1:
            parts.append("usually buys " + _every(t_x0 / x0 * days_per_unit))
        else:
            parts.append("had bought once before")
        if count == 0:
            parts.append(f"nothing for {duration_words((t0 - t_x0 + window) * days_per_unit)}")
        else:
            noun = "purchase" if count == 1 else "purchases"
            parts.append(f"{count} {noun} in the last {window_words}")
    if spend_changed:
        parts.append(f"spends {usual_spend:.2f} a purchase on average")
        parts.append(f"the last one came to {recent:.2f}" if count == 1
                     else f"the last {count} averaged {recent:.2f}")
    return "; ".join(parts)
