"""Real-time scores: when a transaction is recorded, that customer's summary and scores
are recomputed at once from the latest run's fitted parameters (closed forms, no refit),
through the outbox. A change of RFM segment or churn band publishes an event for rules.

The customer's rows (the survivor of any merges and the records merged into it) are read
with the warehouse's own extracts into a DuckDB database in memory, and the run's SQL and
scoring code run on it: a real-time update is a full rescore restricted to one customer,
so the two cannot disagree."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import duckdb

from accord.analytics.domain.run_settings import RunSettings
from accord.analytics.domain.scoring import models_from_json
from accord.analytics.events import ChurnBandChanged, CustomerSegmentChanged
from accord.analytics.models import CustomerScore, ModelRun
from accord.analytics.services.pipeline import Analysis, StepTimer, analyse
from accord.analytics.services.runs import latest_run
from accord.analytics.services.writeback import EPOCH, score_rows
from accord.analytics.warehouse.engines import DuckDbEngine
from accord.analytics.warehouse.extracts import EXTRACTS, scoped
from accord.analytics.warehouse.operational import read_tables, vendor
from accord.analytics.warehouse.store import ensure_schema
from accord.analytics.warehouse.sync import ROOTS, refresh_derived
from accord.customers.selectors import merged_members, survivors
from accord.platform import clock
from accord.platform.events import publish
from accord.transactions.events import TransactionRecorded


def _small_warehouse(member_ids: list[int]) -> Any:
    """An in-memory warehouse holding only these customers' rows."""
    duck = duckdb.connect(":memory:")
    duck.execute("SET TimeZone = 'UTC'")
    ensure_schema(duck)
    dialect = vendor()
    tables = read_tables([scoped(extract, dialect, member_ids) for extract in EXTRACTS])
    for extract, table in zip(EXTRACTS, tables, strict=True):
        duck.register("incoming", table)
        duck.execute(f"INSERT INTO {extract.table} {extract.load}")
        duck.unregister("incoming")
    duck.execute(ROOTS)  # merged records count as their survivor, as after a sync
    refresh_derived(duck)
    return duck


def score_customers_now(run: ModelRun, customer_ids: list[int], as_of: date) -> Analysis:
    """These customers (survivors) scored with ``run``'s parameters as of ``as_of``."""
    members = merged_members(customer_ids)
    duck = _small_warehouse(sorted(members))
    try:
        return analyse(DuckDbEngine(duck), (as_of - EPOCH).days,
                       RunSettings.from_json(run.run_settings), StepTimer(),
                       models=models_from_json(run.parameters),
                       currency=run.parameters.get("currency"),
                       rules=(run.parameters.get("offers") or {}).get("rules", []))
    finally:
        duck.close()


def _save(analysis: Analysis, run: ModelRun, as_of: date) -> None:
    rows = score_rows(analysis, run_id=run.pk, as_of=as_of, updated_at=clock.now(),
                      updated_by="realtime").to_pylist()
    ids = [row["customer_id"] for row in rows]
    before = {s.customer_id: (s.segment, s.churn_band)
              for s in CustomerScore.objects.filter(customer_id__in=ids)}
    for row in rows:
        cid = row.pop("customer_id")
        row["next_best_offer"] = json.loads(row["next_best_offer"])
        CustomerScore.objects.update_or_create(customer_id=cid, defaults=row)
        old_segment, old_band = before.get(cid, ("", ""))
        if old_segment != row["segment"]:
            publish(CustomerSegmentChanged(customer_id=cid, previous=old_segment,
                                           current=row["segment"]))
        if old_band != row["churn_band"]:
            publish(ChurnBandChanged(customer_id=cid, previous=old_band,
                                     current=row["churn_band"],
                                     churn_risk=float(row["churn_risk"])))


def rescore_after_transactions(events: list[TransactionRecorded]) -> None:
    """Outbox subscriber: the customers of these transactions, rescored now."""
    run = latest_run()
    if run is None:
        return
    roots = sorted(set(survivors(sorted({e.customer_id for e in events})).values()))
    today = clock.now().date()
    analysis = score_customers_now(run, roots, today)
    if analysis.inputs.customer.size:
        _save(analysis, run, today)


def any_finished_run() -> bool:
    """Whether real-time scoring has parameters to work with (else events are skipped)."""
    return ModelRun.objects.filter(status=ModelRun.Status.SUCCEEDED).exists()
