"""From warehouse SQL to the arrays scoring reads. The same code serves a full run (the
whole warehouse) and a real-time update (a one-customer warehouse in memory), which is
what makes the two give identical scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from accord.analytics.domain.scoring import CustomerInputs
from accord.analytics.domain.run_settings import RunSettings
from accord.analytics.warehouse import queries
from accord.analytics.warehouse.engines import Engine

F64 = NDArray[np.float64]


def column(table: pa.Table, name: str, dtype: type = np.float64) -> NDArray[np.generic]:
    """A column as a numpy array, nulls as NaN (or 0 for integers)."""
    values = table.column(name)
    if dtype is np.float64:
        return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)
    return np.asarray(values.fill_null(0).to_numpy(zero_copy_only=False), dtype=dtype)


def aligned(ids: NDArray[np.int64], table: pa.Table, name: str, fill: float) -> F64:
    """``table[name]`` for each of ``ids`` (``table`` has a customer_id column, one row per
    customer, in ascending order); ``fill`` where a customer has no row."""
    result = np.full(ids.size, fill, dtype=np.float64)
    if table.num_rows == 0 or ids.size == 0:
        return result
    theirs = column(table, "customer_id", np.int64)
    values = column(table, name)
    where = np.searchsorted(theirs, ids)
    where = np.minimum(where, theirs.size - 1)
    found = theirs[where] == ids
    result[found] = values[where[found]]
    result[np.isnan(result)] = fill
    return result


@dataclass(frozen=True)
class Summaries:
    summary: pa.Table  # as of the as-of date
    before_window: pa.Table  # as of the start of the pattern window


def summaries(engine: Engine, as_of_day: int, settings: RunSettings,
              currency: str) -> Summaries:
    unit = settings.days_per_unit
    start = as_of_day - settings.pattern_window_days
    return Summaries(summary=engine.query(queries.summary(as_of_day, unit, currency)),
                     before_window=engine.query(queries.summary(start, unit, currency)))


def cost_to_serve(engine: Engine, ids: NDArray[np.int64], as_of_day: int,
                  settings: RunSettings) -> F64:
    """Contacts over the cost window, priced per channel (unknown channels cost 0)."""
    rows = engine.query(queries.contacts_by_channel(as_of_day - settings.cost_window_days,
                                                    as_of_day))
    cost = np.zeros(ids.size, dtype=np.float64)
    if rows.num_rows == 0:
        return cost
    who = column(rows, "customer_id", np.int64)
    count = column(rows, "contacts")
    prices = settings.channel_costs
    price = np.array([prices.get(str(c), 0.0) for c in rows.column("channel").to_pylist()])
    position = np.searchsorted(ids, who)
    known = (position < ids.size) & (ids[np.minimum(position, ids.size - 1)] == who)
    np.add.at(cost, position[known], (count * price)[known])
    return cost


def customer_inputs(engine: Engine, found: Summaries, as_of_day: int,
                    settings: RunSettings, currency: str) -> CustomerInputs:
    """Everything scoring needs for every customer in ``found.summary``."""
    s = found.summary
    ids = column(s, "customer_id", np.int64).astype(np.int64)
    start = as_of_day - settings.pattern_window_days
    window = engine.query(queries.window_activity(start, as_of_day, currency))
    contacts = engine.query(queries.contact_features(
        as_of_day - settings.contact_window_days, as_of_day))
    before = found.before_window
    frequency = column(s, "frequency")
    return CustomerInputs(
        customer=ids, frequency=frequency, recency=column(s, "recency"),
        age=column(s, "age"), monetary=column(s, "monetary"),
        last_day=column(s, "last_day", np.int64).astype(np.int64),
        purchase_days=frequency + 1.0, revenue=column(s, "revenue"),
        x0=aligned(ids, before, "frequency", np.nan),
        t_x0=aligned(ids, before, "recency", np.nan),
        t0=aligned(ids, before, "age", np.nan),
        monetary0=aligned(ids, before, "monetary", np.nan),
        window_days=aligned(ids, window, "days", 0.0),
        window_spend=aligned(ids, window, "spend", 0.0),
        contacts=aligned(ids, contacts, "contacts", 0.0),
        complaints=aligned(ids, contacts, "complaints", 0.0),
        mean_wait=aligned(ids, contacts, "mean_wait_seconds", 0.0),
        cost_to_serve=cost_to_serve(engine, ids, as_of_day, settings))
