"""`accord analytics sync|run|show`: the warehouse, model runs and their results."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from accord.analytics.services import runs
from accord.analytics.warehouse.engines import ENGINES
from accord.platform.actors import SYSTEM
from accord.platform.errors import AccordError, InvalidInput


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(f"{raw!r} is not a date (YYYY-MM-DD).", field="as_of") from exc


def run_summary(run: Any) -> dict[str, Any]:
    """What `show` prints: the run and its fitted parameters."""
    return {"id": run.pk, "status": run.status, "engine": run.engine,
            "as_of": run.as_of.isoformat(), "time_unit": run.time_unit,
            "window_start": run.window_start.isoformat() if run.window_start else None,
            "customers": run.customers, "transactions": run.transactions,
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "parameters": run.parameters, "settings": run.run_settings,
            "timings": run.timings, "error": run.error}


class Command(BaseCommand):
    help = "Analytics: sync the warehouse, run the models, show the latest run."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sync", help="copy what changed into the DuckDB warehouse")
        run = sub.add_parser("run", help="sync, fit, score every customer, write back")
        run.add_argument("--engine", choices=ENGINES, default="duckdb")
        run.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")
        run.add_argument("--time-unit", dest="time_unit", choices=("days", "weeks"))
        show = sub.add_parser("show", help="print the latest run")
        show.add_argument("--json", action="store_true", help="as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=getattr(self.stdout, "_out", sys.stdout), highlight=False,
                          soft_wrap=True)
        try:
            getattr(self, f"_{options['action']}")(console, options)
        except AccordError as exc:
            where = f" ({exc.field})" if exc.field else ""
            raise CommandError(f"{exc.message}{where}") from exc

    def _progress(self, console: Console) -> Progress:
        return Progress(SpinnerColumn(), TextColumn("{task.description}"),
                        TimeElapsedColumn(), console=console, transient=True)

    def _sync(self, console: Console, options: dict[str, Any]) -> None:
        with self._progress(console) as bar:
            task = bar.add_task("sync")
            report = runs.sync(actor=SYSTEM,
                               progress=lambda step: bar.update(task, description=step))
        table = Table("table", "rows", "added", "removed", "moved")
        for name, t in report.tables.items():
            table.add_row(name, f"{t.rows:,}", f"{t.added:,}", f"{t.removed:,}", f"{t.moved:,}")
        console.print(table)
        console.print(f"Warehouse synced in {report.seconds:.1f} s.")

    def _run(self, console: Console, options: dict[str, Any]) -> None:
        as_of = _day(options["as_of"]) if options["as_of"] else None
        with self._progress(console) as bar:
            task = bar.add_task("starting")
            run = runs.run_analytics(actor=SYSTEM, engine=options["engine"], as_of=as_of,
                                     time_unit=options["time_unit"],
                                     progress=lambda step: bar.update(task, description=step))
        self._print(console, run)

    def _show(self, console: Console, options: dict[str, Any]) -> None:
        run = runs.latest_run()
        if run is None:
            raise CommandError("No analytics run has finished yet: try `accord analytics run`.")
        if options["json"]:
            console.print_json(json.dumps(run_summary(run), default=str))
            return
        self._print(console, run)

    def _print(self, console: Console, run: Any) -> None:
        p = run.parameters
        console.print(f"Run {run.pk} ({run.engine}) as of {run.as_of}, in {run.time_unit}: "
                      f"{run.customers:,} customers, {run.transactions:,} transactions since "
                      f"{run.window_start}.")
        coverage = p.get("coverage") or {}
        if coverage.get("left_out"):
            console.print(f"Analysed {coverage.get('analysed', 0):,} transactions; left out: "
                          + "; ".join(f"{g['transactions']:,} {g['reason']}"
                                      for g in coverage["left_out"]) + ".")
        models = Table("model", "parameters", "log-likelihood")
        for name, keys in (("BG/NBD", ("r", "alpha", "a", "b")),
                           ("Pareto/NBD", ("r", "alpha", "s", "beta")),
                           ("Gamma-Gamma", ("p", "q", "gamma"))):
            key = {"BG/NBD": "bgnbd", "Pareto/NBD": "pareto_nbd",
                   "Gamma-Gamma": "gamma_gamma"}[name]
            fitted = p.get(key)
            if fitted:
                models.add_row(name, ", ".join(f"{k}={fitted[k]:.4g}" for k in keys),
                               f"{fitted['log_likelihood']:.2f}")
        console.print(models)
        churn = p.get("churn") or {}
        if churn.get("kind") == "classifier":
            console.print(f"Churn classifier: holdout AUC {churn.get('holdout_auc', 0):.3f}.")
        else:
            console.print("Churn risk from the model (1 - probability alive)"
                          + (f": {p['churn_note']}" if p.get("churn_note") else "."))
        steps = Table("step", "seconds")
        for step, seconds in run.timings.items():
            steps.add_row(step, f"{seconds:.2f}")
        steps.add_row("total", f"{sum(run.timings.values()):.2f}")
        console.print(steps)
