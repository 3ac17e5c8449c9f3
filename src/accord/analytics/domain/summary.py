"""Per-customer summary of a transaction log, as the customer-base models read it.

For each customer, over the transactions up to the end of the calibration period:
  frequency  repeat purchases: distinct purchase days after the first (several purchases
             on one day count once, as in Fader, Hardie & Lee's CDNOW analysis);
  recency    time from the first to the last purchase day (t_x);
  age        time from the first purchase day to the end of the period (T);
  monetary   mean spend of the repeat purchase days (a day's purchases summed); 0 when
             there are none (Gamma-Gamma is fitted on repeat buyers only).
Times are in days divided by the time unit (1 for days, 7 for weeks)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.platform.errors import InvalidInput

TIME_UNITS = {"days": 1.0, "weeks": 7.0}


@dataclass(frozen=True)
class Summary:
    """One row per customer, in ascending customer order."""

    customer: NDArray[np.int64]
    frequency: NDArray[np.float64]
    recency: NDArray[np.float64]
    age: NDArray[np.float64]
    monetary: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.customer.shape[0])


def summarise(customer: NDArray[np.int64], day: NDArray[np.int64],
              amount: NDArray[np.float64], *, end_day: int,
              time_unit: str = "weeks") -> Summary:
    """Summarise transactions given as three aligned arrays (customer id, day number,
    e.g. days since 1970-01-01, amount). Transactions after ``end_day`` are ignored;
    customers whose first purchase is after it do not appear."""
    if time_unit not in TIME_UNITS:
        raise InvalidInput("time_unit must be days or weeks.", field="time_unit")
    if not (customer.shape == day.shape == amount.shape):
        raise InvalidInput("customer, day and amount must have one value per transaction.",
                           field="transactions")
    unit = TIME_UNITS[time_unit]
    keep = day <= end_day
    customer, day, amount = customer[keep], day[keep], amount[keep].astype(np.float64)
    if customer.size == 0:
        empty_i = np.empty(0, dtype=np.int64)
        empty_f = np.empty(0, dtype=np.float64)
        return Summary(empty_i, empty_f, empty_f, empty_f, empty_f)
    # One row per (customer, day), spend summed: sort by both, then cut at changes.
    order = np.lexsort((day, customer))
    customer, day, amount = customer[order], day[order], amount[order]
    new_day = np.ones(customer.size, dtype=bool)
    new_day[1:] = (customer[1:] != customer[:-1]) | (day[1:] != day[:-1])
    starts = np.flatnonzero(new_day)
    day_customer, day_day = customer[starts], day[starts]
    day_amount = np.add.reduceat(amount, starts)
    # Per customer: first and last day, number of days, spend after the first day.
    first_row = np.ones(day_customer.size, dtype=bool)
    first_row[1:] = day_customer[1:] != day_customer[:-1]
    firsts = np.flatnonzero(first_row)
    ids = day_customer[firsts]
    counts = np.diff(np.append(firsts, day_customer.size))
    first_day = day_day[firsts]
    last_day = day_day[np.append(firsts[1:], day_customer.size) - 1]
    total = np.add.reduceat(day_amount, firsts)
    frequency = (counts - 1).astype(np.float64)
    repeat_spend = total - day_amount[firsts]
    monetary = np.divide(repeat_spend, frequency, out=np.zeros_like(repeat_spend),
                         where=frequency > 0)
    return Summary(customer=ids.astype(np.int64), frequency=frequency,
                   recency=(last_day - first_day) / unit,
                   age=(end_day - first_day) / unit, monetary=monetary)
