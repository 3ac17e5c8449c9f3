"""Customer ROI: what a customer's purchases earned (gross margin) against what serving
them cost (their interactions, channel by channel, at a cost per contact)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from accord.platform.errors import InvalidInput

Floats = NDArray[np.float64]

# Cost of one interaction by channel, in the account currency. Defaults only: every
# business sets its own (run settings); a channel missing from the mapping costs 0.
DEFAULT_CHANNEL_COSTS: Mapping[str, float] = MappingProxyType({
    "email": 0.50,
    "sms": 0.10,
    "call": 4.00,
    "meeting": 40.00,
    "letter": 2.00,
    "fax": 2.00,
    "chat": 1.50,
    "web_visit": 0.00,
    "campaign_response": 0.20,
    "survey": 0.50,
    "note": 0.00,
})


@dataclass(frozen=True)
class CustomerRoi:
    """One element per customer."""

    gross_margin: Floats
    cost_to_serve: Floats
    net_value: Floats  # margin - cost
    roi: Floats  # (margin - cost) / cost; NaN where serving cost nothing


def _check_costs(costs: Mapping[str, float]) -> None:
    for channel, cost in costs.items():
        if not (np.isfinite(cost) and cost >= 0):
            raise InvalidInput(f"The cost of a {channel} must be 0 or more.",
                               field="channel_costs")


def cost_to_serve(interactions: Mapping[str, NDArray[np.float64]], *, customers: int,
                  costs: Mapping[str, float] = DEFAULT_CHANNEL_COSTS) -> Floats:
    """Each customer's cost to serve from their interaction counts, given as channel ->
    counts (one per customer, ``customers`` long)."""
    _check_costs(costs)
    total = np.zeros(customers)
    for channel, counts in interactions.items():
        counts = np.asarray(counts, dtype=np.float64)
        if counts.shape != (customers,):
            raise InvalidInput(f"The {channel} counts need one value per customer.",
                               field="interactions")
        if not np.all(np.isfinite(counts) & (counts >= 0)):
            raise InvalidInput(f"The {channel} counts must be 0 or more.",
                               field="interactions")
        total += counts * float(costs.get(channel, 0.0))
    return total


def cost_to_serve_from_rows(customer_row: NDArray[np.int64], channel: NDArray[np.str_],
                            count: NDArray[np.float64], *, customers: int,
                            costs: Mapping[str, float] = DEFAULT_CHANNEL_COSTS) -> Floats:
    """The same from grouped rows (customer position 0..customers-1, channel, count), as
    a GROUP BY customer, channel query returns them."""
    _check_costs(costs)
    customer_row, channel = np.asarray(customer_row), np.asarray(channel)
    count = np.asarray(count, dtype=np.float64)
    if not (customer_row.ndim == 1 and customer_row.shape == channel.shape == count.shape):
        raise InvalidInput("customer_row, channel and count need one value per row.",
                           field="interactions")
    if customer_row.size == 0:
        return np.zeros(customers)
    if not (np.issubdtype(customer_row.dtype, np.integer) and customer_row.min() >= 0
            and customer_row.max() < customers):
        raise InvalidInput("customer_row must be positions 0..customers-1.",
                           field="interactions")
    if not np.all(np.isfinite(count) & (count >= 0)):
        raise InvalidInput("Interaction counts must be 0 or more.", field="interactions")
    # One comparison pass per priced channel: far faster than sorting millions of strings.
    unit_cost = np.zeros(count.shape)
    for name, cost in costs.items():
        if cost:
            unit_cost[channel == name] = float(cost)
    result: Floats = np.bincount(customer_row, weights=count * unit_cost,
                                 minlength=customers).astype(np.float64)
    return result


def customer_roi(*, cost_to_serve: Floats, gross_margin: Floats | None = None,
                 revenue: Floats | None = None,
                 margin_rate: float | Floats | None = None) -> CustomerRoi:
    """Net value and ROI per customer, from either ``gross_margin`` or ``revenue`` times
    ``margin_rate`` (a share between 0 and 1, one for all or one per customer)."""
    cost = np.asarray(cost_to_serve, dtype=np.float64)
    if cost.ndim != 1 or not np.all(np.isfinite(cost) & (cost >= 0)):
        raise InvalidInput("cost_to_serve must be 0 or more for each customer.",
                           field="cost_to_serve")
    if (gross_margin is None) == (revenue is None):
        raise InvalidInput("Give either gross_margin or revenue with a margin_rate.",
                           field="gross_margin")
    if gross_margin is not None:
        margin = np.asarray(gross_margin, dtype=np.float64)
        field = "gross_margin"
    else:
        if margin_rate is None:
            raise InvalidInput("Revenue needs a margin_rate.", field="margin_rate")
        rate = np.asarray(margin_rate, dtype=np.float64)
        if not np.all(np.isfinite(rate) & (rate >= 0) & (rate <= 1)):
            raise InvalidInput("margin_rate must lie between 0 and 1.", field="margin_rate")
        margin = np.asarray(revenue, dtype=np.float64) * rate
        field = "revenue"
    if margin.shape != cost.shape or not np.all(np.isfinite(margin)):
        raise InvalidInput(f"{field} needs one finite value per customer.", field=field)
    net = margin - cost
    served = cost > 0
    roi = np.full(cost.shape, np.nan)
    roi[served] = net[served] / cost[served]
    return CustomerRoi(gross_margin=margin, cost_to_serve=cost, net_value=net, roi=roi)
