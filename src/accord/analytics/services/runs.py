"""`accord analytics run`: sync the warehouse, summarise, fit, score, write every
customer's scores back and record the run (parameters, log-likelihoods, data window,
timings). A failed run is recorded with its error and changes no scores."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.conf import settings as django_settings

from accord.accounts.access import ensure_admin
from accord.analytics.domain.run_settings import RunSettings
from accord.analytics.domain.scoring import models_from_json, models_to_json
from accord.analytics.events import ModelRunFinished
from accord.analytics.models import ModelRun
from accord.analytics.services.pipeline import Analysis, StepTimer, analyse
from accord.analytics.services.writeback import EPOCH, replace_scores, score_rows
from accord.analytics.warehouse.engines import ENGINES, open_engine
from accord.analytics.warehouse.store import open_warehouse
from accord.analytics.warehouse.sync import SyncReport, sync_warehouse
from accord.platform import clock
from accord.platform.audit import record_audit
from accord.platform.errors import AccordError, InvalidInput, NotFound
from accord.platform.events import publish


def configured_settings() -> RunSettings:
    """Defaults, with what ACCORD_ANALYTICS (settings.ANALYTICS) overrides."""
    overrides = getattr(django_settings, "ANALYTICS", None) or {}
    return RunSettings().with_overrides(**overrides)


def latest_run() -> ModelRun | None:
    """The newest successful run: whose parameters real-time scoring uses."""
    return (ModelRun.objects.filter(status=ModelRun.Status.SUCCEEDED)
            .order_by("-finished_at", "-id").first())


def sync(*, actor: Any, progress: Callable[[str], None] | None = None) -> SyncReport:
    """`accord analytics sync`: only bring the warehouse up to date."""
    ensure_admin(actor)
    with open_warehouse() as duck:
        return sync_warehouse(duck, progress=progress)


def _parameters(analysis: Analysis) -> dict[str, Any]:
    params = models_to_json(analysis.models)
    if analysis.pareto_nbd is not None:
        params["pareto_nbd"] = dataclasses.asdict(analysis.pareto_nbd)
    params["offers"] = {"rules": analysis.offers.rules}
    params.update(analysis.extra)
    params["currency"] = analysis.currency
    return params


def run_analytics(*, actor: Any, engine: str = "duckdb", as_of: date | None = None,
                  time_unit: str | None = None, settings: RunSettings | None = None,
                  progress: Callable[[str], None] | None = None,
                  pareto: bool = True) -> ModelRun:
    """A full run, recorded as a ModelRun; returns it (succeeded) or raises (recorded as
    failed). ``as_of`` defaults to today: purchases after it are not seen."""
    ensure_admin(actor)
    if engine not in ENGINES:
        raise InvalidInput(f"engine must be one of: {', '.join(ENGINES)}.", field="engine")
    chosen = (settings or configured_settings()).with_overrides(time_unit=time_unit)
    day = as_of or clock.now().date()
    run = ModelRun.objects.create(
        engine=engine, as_of=day, time_unit=chosen.time_unit,
        run_settings=chosen.to_json(), started_at=clock.now(),
        started_by=actor if getattr(actor, "pk", None) else None)
    timer = StepTimer(progress)
    try:
        with open_warehouse() as duck:
            with timer("sync"):
                synced = sync_warehouse(duck)
            worker = open_engine(engine, duck)
            try:
                analysis = analyse(worker, (day - EPOCH).days, chosen, timer, pareto=pareto)
            finally:
                worker.close()
        with timer("writeback"):
            rows = score_rows(analysis, run_id=run.pk, as_of=day, updated_at=clock.now(),
                              updated_by="run")
            replace_scores(rows)
    except AccordError as exc:
        _failed(run, exc.message, timer)
        raise
    except Exception as exc:
        _failed(run, f"{type(exc).__name__}: {exc}", timer)
        raise
    first = int(analysis.first_purchase_day.min())
    run.status = ModelRun.Status.SUCCEEDED
    run.customers = int(analysis.inputs.customer.size)
    run.transactions = synced.tables["transactions"].rows
    run.window_start = EPOCH + timedelta(days=first)
    run.parameters = _parameters(analysis)
    run.timings = timer.seconds
    run.finished_at = clock.now()
    run.save()
    record_audit(actor=actor, action="analytics.run", subject_type="model_run",
                 subject_id=run.pk, before=None,
                 after={"engine": engine, "as_of": day.isoformat(),
                        "customers": run.customers})
    publish(ModelRunFinished(run_id=run.pk, customers=run.customers))
    return run


def _failed(run: ModelRun, error: str, timer: StepTimer) -> None:
    run.status = ModelRun.Status.FAILED
    run.error = error[:2000]
    run.timings = timer.seconds
    run.finished_at = clock.now()
    run.save(update_fields=["status", "error", "timings", "finished_at"])


def rescore(*, actor: Any, run_id: int, as_of: date, engine: str = "duckdb") -> Analysis:
    """Every customer scored with a finished run's parameters as of ``as_of``, without
    refitting or writing anything: the reference real-time updates are held to."""
    ensure_admin(actor)
    run = ModelRun.objects.filter(pk=run_id, status=ModelRun.Status.SUCCEEDED).first()
    if run is None:
        raise NotFound(f"Model run {run_id} not found.", field="run_id")
    chosen = RunSettings.from_json(run.run_settings)
    with open_warehouse() as duck:
        sync_warehouse(duck)
        worker = open_engine(engine, duck)
        try:
            return analyse(worker, (as_of - EPOCH).days, chosen, StepTimer(),
                           models=models_from_json(run.parameters))
        finally:
            worker.close()
