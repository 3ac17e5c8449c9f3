"""From warehouse SQL to the arrays scoring reads. The same code serves a full run (the
whole warehouse) and a real-time update (a one-customer warehouse in memory), which is
what makes the two give identical scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from accord.analytics.domain.run_settings import RunSettings
from accord.analytics.domain.scoring import CustomerInputs
from accord.analytics.warehouse import queries
from accord.analytics.warehouse.engines import Engine

F64 = NDArray[np.float64]


def floats(table: pa.Table, name: str) -> F64:
    """A column as floats, nulls as NaN."""
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=np.float64)


def ints(table: pa.Table, name: str) -> NDArray[np.int64]:
    """A column as 64-bit integers, nulls as 0."""
    values = table.column(name).fill_null(0).to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=np.int64)


def aligned(ids: NDArray[np.int64], table: pa.Table, name: str, fill: float) -> F64:
    """``table[name]`` for each of ``ids`` (``table`` has a customer_id column, one row per
    customer, in ascending order); ``fill`` where a customer has no row."""
    result = np.full(ids.size, fill, dtype=np.float64)
    if table.num_rows == 0 or ids.size == 0:
        return result
    theirs = ints(table, "customer_id")
    values = floats(table, name)
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
    who = ints(rows, "customer_id")
    count = floats(rows, "contacts")
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
    ids = ints(s, "customer_id")
    start = as_of_day - settings.pattern_window_days
    window = engine.query(queries.window_activity(start, as_of_day, currency))
    contacts = engine.query(queries.contact_features(
        as_of_day - settings.contact_window_days, as_of_day))
    before = found.before_window
    frequency = floats(s, "frequency")
    return CustomerInputs(
        customer=ids, frequency=frequency, recency=floats(s, "recency"),
        age=floats(s, "age"), monetary=floats(s, "monetary"),
        last_day=ints(s, "last_day"),
        purchase_days=frequency + 1.0, revenue=floats(s, "revenue"),
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
