"""The Company View (analytics over the customers the user may see), model runs, and
the score exports (CSV, Parquet; audited)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from accord.analytics import exports, selectors
from accord.analytics.selectors_company import CompanyOverview, company_overview
from accord.web.views.errors import HtmxHttpRequest, page

RUNS_SHOWN = 20


def _frequency_labels(rows: list[dict[str, float]]) -> list[str]:
    # The last calibration row gathers everyone at or above it (7 means 7 or more).
    labels = [f"{r['frequency']:g}" for r in rows]
    if rows and rows[-1]["frequency"] >= 7:
        labels[-1] += "+"
    return labels


def _charts(overview: CompanyOverview, report: selectors.RunReport | None) -> dict[str, Any]:
    """The charts' data, as the page's JSON island hands it to analytics.js."""
    segments = [s.segment for s in overview.segments]
    calibration = report.calibration if report else []
    return {
        "segments": {"labels": segments, "counts": [s.customers for s in overview.segments]},
        "value": {"labels": [b.label for b in overview.value_bins],
                  "counts": [b.count for b in overview.value_bins]},
        "alive": {"labels": [b.label for b in overview.alive_bins],
                  "counts": [b.count for b in overview.alive_bins]},
        "calibration": {"labels": _frequency_labels(calibration),
                        "actual": [r["actual"] for r in calibration],
                        "expected": [r["expected"] for r in calibration]},
        "churn": {"labels": segments,
                  # A list, not a dict: the JSON island sorts keys, the legend must not.
                  "bands": [[b, [s.bands.get(b, 0) for s in overview.segments]]
                            for b in overview.bands],
                  "mean_risk": [s.mean_churn_risk for s in overview.segments]},
    }


def _cards(overview: CompanyOverview, report: selectors.RunReport | None) -> list[dict[str, Any]]:
    """Each chart's title, caption and data table (the same figures the chart draws)."""
    none_yet = "No scores yet."
    calibration = report.calibration if report else []
    scored = overview.customers > 0
    return [
        {"id": "segments", "title": "RFM segments", "caption": "Customers per segment",
         "head": ["Segment", "Customers", "Lifetime value"], "empty": none_yet,
         "rows": [[s.segment.capitalize(), f"{s.customers:,}", f"{s.lifetime_value:,.0f}"]
                  for s in overview.segments]},
        {"id": "value", "title": "Lifetime value", "caption": "Customers by lifetime value",
         "head": ["Lifetime value", "Customers"], "empty": none_yet,
         "rows": [[b.label, f"{b.count:,}"] for b in overview.value_bins]},
        {"id": "alive", "title": "Probability alive",
         "caption": "Customers by probability of still being a customer",
         "head": ["P(alive)", "Customers"], "empty": none_yet,
         "rows": [[b.label, f"{b.count:,}"] for b in overview.alive_bins] if scored else []},
        {"id": "calibration", "title": "Calibration vs holdout",
         "caption": "Mean holdout purchases, actual and expected, by calibration purchases",
         "head": ["Calibration purchases", "Customers", "Actual", "Expected"],
         "empty": "The latest run recorded no holdout calibration.",
         "rows": [[label, f"{r['customers']:,.0f}", f"{r['actual']:.2f}",
                   f"{r['expected']:.2f}"]
                  for label, r in zip(_frequency_labels(calibration), calibration,
                                      strict=True)]},
        {"id": "churn", "title": "Churn risk by segment",
         "caption": "Customers per churn band in each segment",
         "head": ["Segment", "Mean risk", *(b.capitalize() for b in overview.bands)],
         "empty": none_yet,
         "rows": [[s.segment.capitalize(), f"{(s.mean_churn_risk or 0):.0%}",
                   *(f"{s.bands.get(b, 0):,}" for b in overview.bands)]
                  for s in overview.segments]},
    ]


@page
def company(request: HtmxHttpRequest) -> HttpResponse:
    """Segment sizes, value and probability-alive distributions, churn risk by segment,
    calibration against the holdout, and the latest run's fits and timings."""
    actor = request.user
    overview = company_overview(actor)
    latest = selectors.latest_run(actor)
    report = selectors.run_report(latest) if latest else None
    return render(request, "web/analytics/company.html", {
        "overview": overview, "report": report, "charts": _charts(overview, report),
        "cards": _cards(overview, report),
        "runs": selectors.list_runs(actor, limit=RUNS_SHOWN).items,
        "segment_names": selectors.SEGMENT_NAMES, "patterns": selectors.PATTERNS,
    })


@page
def run_detail(request: HtmxHttpRequest, run_id: int) -> HttpResponse:
    """One model run: status, data window, fits, churn AUC, settings and step timings."""
    run = selectors.get_run(request.user, run_id)
    return render(request, "web/analytics/run.html", {"report": selectors.run_report(run)})


def _export(request: HtmxHttpRequest, fmt: str) -> HttpResponse:
    filters = selectors.score_filters(segment=request.GET.get("segment"),
                                      churn_band=request.GET.get("churn_band"),
                                      pattern=request.GET.get("pattern"))
    export = exports.export_scores(request.user, filters, fmt)
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response  # type: ignore[return-value]  # streamed: the same protocol to Django


@page
def scores_csv(request: HtmxHttpRequest) -> HttpResponse:
    """The scores of the customers the user may see, as CSV (filters as on the API)."""
    return _export(request, "csv")


@page
def scores_parquet(request: HtmxHttpRequest) -> HttpResponse:
    """The same as Parquet, typed columns for pandas, DuckDB or Spark."""
    return _export(request, "parquet")
