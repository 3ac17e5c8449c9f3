"""What a fitted BG/NBD says about each customer (Fader, Hardie & Lee 2005, equations
10 and 13): the probability they are still active, and how many purchases to expect in
the next t periods. Closed forms, so a customer's scores follow a new purchase at once."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

from accord.analytics.domain.bgnbd import BgNbdParams


def dropout_odds(p: BgNbdParams, x: NDArray[np.float64], t_x: NDArray[np.float64],
                  t: NDArray[np.float64]) -> NDArray[np.float64]:
    """a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x) for repeat buyers, 0 for the others
    (in BG/NBD nobody drops out before a repeat purchase)."""
    odds = np.zeros_like(x, dtype=np.float64)
    repeat = x > 0
    xr = x[repeat]
    odds[repeat] = (p.a / (p.b + xr - 1)) * np.exp(
        (p.r + xr) * (np.log(p.alpha + t[repeat]) - np.log(p.alpha + t_x[repeat])))
    return odds


def probability_alive(p: BgNbdParams, x: NDArray[np.float64], t_x: NDArray[np.float64],
                      t: NDArray[np.float64]) -> NDArray[np.float64]:
    """P(still active | x repeat purchases, the last at t_x, observed for T)."""
    result: NDArray[np.float64] = 1.0 / (1.0 + dropout_odds(p, x, t_x, t))
    return result


def expected_purchases(p: BgNbdParams, horizon: float, x: NDArray[np.float64],
                       t_x: NDArray[np.float64], t: NDArray[np.float64]) -> NDArray[np.float64]:
    """Expected purchases in the next ``horizon`` periods, given each customer's past.
    (The closed form holds for any a other than 1: with a < 1 both (a-1) and the bracket
    are negative.)"""
    ab = p.a + p.b + x - 1
    z = horizon / (p.alpha + t + horizon)
    hyp = special.hyp2f1(p.r + x, p.b + x, ab, z)
    ratio = np.exp((p.r + x) * (np.log(p.alpha + t) - np.log(p.alpha + t + horizon)))
    numerator = (ab / (p.a - 1)) * (1.0 - ratio * hyp)
    result: NDArray[np.float64] = numerator / (1.0 + dropout_odds(p, x, t_x, t))
    return result
