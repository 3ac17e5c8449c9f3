"""The Company View's figures: aggregates over the scores of the customers the actor
may see (a consultant's Company View is their book of customers, an admin's the whole
base). Each figure is one grouped query, so the page costs the same for ten customers
or a million."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Avg, Count, F, FloatField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Floor

from accord.analytics.models import CustomerScore
from accord.analytics.selectors import SEGMENT_NAMES, visible_scores

ALIVE_BINS = 10
VALUE_BINS = 10
VALUE_QUANTILE = 0.99  # the value chart's range; the long tail goes in one last bar
KNOWN_BANDS = ("low", "medium", "high")
DASH = "\u2013"  # an en dash between the ends of a range


@dataclass(frozen=True)
class Bin:
    """One histogram bar: [low, high), ``high`` None for the open-ended last bar."""

    label: str
    low: float
    high: float | None
    count: int


@dataclass(frozen=True)
class SegmentRow:
    segment: str
    customers: int
    lifetime_value: float
    mean_churn_risk: float | None
    bands: dict[str, int]


@dataclass(frozen=True)
class CompanyOverview:
    customers: int
    as_of: date | None
    total_value: float
    mean_value: float | None
    mean_alive: float | None
    expected_purchases: float
    gross_margin: float
    cost_to_serve: float
    drops: int
    rises: int
    bands: list[str]
    band_totals: dict[str, int]
    segments: list[SegmentRow]
    value_bins: list[Bin]
    alive_bins: list[Bin]


def company_overview(actor: Any) -> CompanyOverview:
    """Totals, segment sizes, churn risk by segment and the two distributions."""
    scores = visible_scores(actor)
    totals = scores.aggregate(
        n=Count("customer_id"), as_of=Max("as_of"), value=Sum("lifetime_value"),
        mean_value=Avg("lifetime_value"), mean_alive=Avg("probability_alive"),
        expected=Sum("expected_purchases"), margin=Sum("gross_margin"),
        cost=Sum("cost_to_serve"), drops=Count("customer_id", filter=Q(pattern="drop")),
        rises=Count("customer_id", filter=Q(pattern="rise")))
    segments, bands, band_totals = _segments(scores)
    n = totals["n"] or 0
    return CompanyOverview(
        customers=n, as_of=totals["as_of"], total_value=totals["value"] or 0.0,
        mean_value=totals["mean_value"], mean_alive=totals["mean_alive"],
        expected_purchases=totals["expected"] or 0.0, gross_margin=totals["margin"] or 0.0,
        cost_to_serve=totals["cost"] or 0.0, drops=totals["drops"] or 0,
        rises=totals["rises"] or 0, bands=bands, band_totals=band_totals, segments=segments,
        value_bins=_value_bins(scores, n) if n else [], alive_bins=_alive_bins(scores, n))


def _segments(scores: QuerySet[CustomerScore]
              ) -> tuple[list[SegmentRow], list[str], dict[str, int]]:
    by_band: dict[str, dict[str, int]] = {}
    band_totals: dict[str, int] = {}
    for segment, band, count in (scores.values("segment", "churn_band")
                                 .annotate(n=Count("customer_id"))
                                 .values_list("segment", "churn_band", "n")):
        by_band.setdefault(segment, {})[band] = count
        band_totals[band] = band_totals.get(band, 0) + count
    bands = [b for b in KNOWN_BANDS if b in band_totals] + sorted(
        b for b in band_totals if b not in KNOWN_BANDS)
    rows = [SegmentRow(segment, count, value or 0.0, risk,
                       {b: by_band.get(segment, {}).get(b, 0) for b in bands})
            for segment, count, value, risk in (
                scores.values("segment").annotate(
                    n=Count("customer_id"), value=Sum("lifetime_value"),
                    risk=Avg("churn_risk"))
                .values_list("segment", "n", "value", "risk"))]
    order = {name: i for i, name in enumerate(SEGMENT_NAMES)}
    rows.sort(key=lambda r: (order.get(r.segment, len(order)), r.segment))
    return rows, bands, band_totals


def _alive_bins(scores: QuerySet[CustomerScore], n: int) -> list[Bin]:
    counts = [0] * ALIVE_BINS
    if n:
        for bucket, count in (scores.annotate(bucket=Floor(F("probability_alive") * ALIVE_BINS))
                              .values("bucket").annotate(n=Count("customer_id"))
                              .values_list("bucket", "n")):
            counts[min(max(int(bucket or 0), 0), ALIVE_BINS - 1)] += count
    step = 1 / ALIVE_BINS
    return [Bin(f"{i * 10}{DASH}{(i + 1) * 10}%", i * step, (i + 1) * step, counts[i])
            for i in range(ALIVE_BINS)]


def nice_width(upper: float, bins: int) -> float:
    """A round bar width (1, 2, 2.5 or 5 times a power of ten) covering ``upper``."""
    if not math.isfinite(upper) or upper <= 0:
        return 1.0
    raw = upper / bins
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(step * magnitude for step in (1, 2, 2.5, 5, 10) if step * magnitude >= raw)


def _value_bins(scores: QuerySet[CustomerScore], n: int) -> list[Bin]:
    # The 99th percentile by one ordered lookup: a plain equal-width range would be
    # stretched by a handful of very large customers into one tall bar.
    index = min(n - 1, int(n * VALUE_QUANTILE))
    found = list(scores.order_by("lifetime_value").values_list("lifetime_value", flat=True)
                 [index:index + 1])
    upper = found[0] if found else 0.0
    width = nice_width(upper, VALUE_BINS)
    counts = [0] * (VALUE_BINS + 1)  # the last: at or above the range
    for bucket, count in (scores.annotate(bucket=Floor(F("lifetime_value") / Value(
            width, output_field=FloatField()))).values("bucket")
            .annotate(n=Count("customer_id")).values_list("bucket", "n")):
        counts[min(max(int(bucket or 0), 0), VALUE_BINS)] += count
    bins = [Bin(f"{_amount(i * width)}{DASH}{_amount((i + 1) * width)}", i * width,
                (i + 1) * width, counts[i]) for i in range(VALUE_BINS)]
    if counts[VALUE_BINS]:
        low = VALUE_BINS * width
        bins.append(Bin(f"≥ {_amount(low)}", low, None, counts[VALUE_BINS]))
    return bins


def _amount(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.2f}"
