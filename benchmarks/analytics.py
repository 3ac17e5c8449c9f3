"""Accord's analytics pipeline against lifetimes 0.11.3, side by side on one customer base.

    python benchmarks/analytics.py                       # 1,000,000 customers (~10M purchases)
    python benchmarks/analytics.py --customers 20000     # a quick look
    python benchmarks/analytics.py --fits-only           # Accord's summary + fits, no pipeline

The data set (benchmarks/customer_base.py: seeded, from known BG/NBD and Gamma-Gamma
parameters) is generated into --data-dir once and reused. Then, in one run:
- Accord: `run_analytics(engine="duckdb", time_unit="weeks")` as of the data's end
  (warehouse sync, summary, BG/NBD, Pareto/NBD, Gamma-Gamma, lifetime value, RFM, pattern
  changes, write-back of every score), in a child process whose wall time and peak
  memory (resident set, sampled, children included) are measured against the issue's
  targets (<= 60 s, <= 3 GB);
- lifetimes, in benchmarks/.venv-lifetimes (created on first use; lifetimes pins old
  libraries the main venv must not get): summary, BetaGeoFitter, GammaGammaFitter,
  customer_lifetime_value, and ParetoNBDFitter in a child process killed after --pareto-cap
  seconds;
- a table of step times and ratios, and the largest relative difference between the two
  sets of parameters (must be <= 1e-4).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from customer_base import CustomerBase, ensure_customer_base  # noqa: E402

LIFETIMES_VENV = HERE / ".venv-lifetimes"
TOLERANCE = 1e-4
PARAMS = {"bgnbd": ("r", "alpha", "a", "b"), "gamma_gamma": ("p", "q", "gamma"),
          "pareto_nbd": ("r", "alpha", "s", "beta")}
console = Console()


def _rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{current}/task/{current}/children") as children:
                todo.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def run_measured(command: list[str], env: dict[str, str], timeout: float | None = None
                 ) -> tuple[subprocess.CompletedProcess[str] | None, float, float]:
    """Run a child; (result or None if it timed out, wall seconds, peak RSS in GiB)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss_kib(child.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = child.communicate(timeout=timeout)
        result: subprocess.CompletedProcess[str] | None = subprocess.CompletedProcess(
            command, child.returncode, out, err)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        result = None
    done.set()
    sampler.join()
    return result, time.perf_counter() - started, peak[0] / 1024 / 1024


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def accord_side(base: CustomerBase, fits_only: bool, incremental: bool = False
                ) -> tuple[dict[str, float], dict[str, dict[str, float]], float, float]:
    """Step seconds, fitted parameters, wall seconds and peak GiB of Accord's run. The
    warehouse is removed first, so its sync is a full copy, unless ``incremental``."""
    if not fits_only and not incremental:
        for name in ("warehouse.duckdb", "warehouse.duckdb.wal"):
            (Path(base.data_dir) / name).unlink(missing_ok=True)
    env = {**os.environ, "ACCORD_DATA_DIR": base.data_dir,
           "DJANGO_SETTINGS_MODULE": "accord.settings"}
    mode = "--accord-fits" if fits_only else "--accord-run"
    result, wall, peak = run_measured([sys.executable, __file__, mode, base.data_dir], env)
    if result is None or result.returncode != 0:
        sys.exit(f"Accord's run failed:\n{result.stderr[-3000:] if result else 'timeout'}")
    report = _json_lines(result.stdout)[-1]
    return report["timings"], report["parameters"], wall, peak


def _child_run(data_dir: str) -> None:
    """In the child: the real pipeline, printing its timings and parameters as JSON."""
    import django

    django.setup()
    from accord.analytics.services.runs import run_analytics
    from accord.platform.actors import SYSTEM

    marker = json.loads((Path(data_dir) / "benchmark-customer-base.json").read_text())
    from datetime import date

    run = run_analytics(actor=SYSTEM, engine="duckdb",
                        as_of=date.fromisoformat(marker["as_of"]), time_unit="weeks",
                        progress=None)
    print(json.dumps({"timings": run.timings, "parameters": run.parameters}, default=str))


def _child_fits(data_dir: str) -> None:
    """In the child: Accord's summary and fits on the Parquet export (no database)."""
    from datetime import date

    import numpy as np
    import pyarrow.parquet as pq

    from accord.analytics.domain.bgnbd import fit_bgnbd
    from accord.analytics.domain.gamma_gamma import fit_gamma_gamma
    from accord.analytics.domain.pareto_nbd import fit_pareto_nbd
    from accord.analytics.domain.summary import summarise

    marker = json.loads((Path(data_dir) / "benchmark-customer-base.json").read_text())
    timings: dict[str, float] = {}
    parameters: dict[str, dict[str, float]] = {}
    table = pq.read_table(marker["parquet"])
    started = time.perf_counter()
    summary = summarise(table["customer_id"].to_numpy(),
                        table["date"].cast("int32").to_numpy().astype(np.int64),
                        table["amount"].to_numpy(),
                        end_day=(date.fromisoformat(marker["as_of"]) - date(1970, 1, 1)).days,
                        time_unit="weeks")
    timings["summary"] = time.perf_counter() - started
    x, t_x, t = summary.frequency, summary.recency, summary.age
    for step, fit in (("bgnbd", lambda: fit_bgnbd(x, t_x, t)),
                      ("gamma_gamma", lambda: fit_gamma_gamma(x, summary.monetary)),
                      ("pareto_nbd", lambda: fit_pareto_nbd(x, t_x, t))):
        started = time.perf_counter()
        fitted = fit()
        timings[step] = time.perf_counter() - started
        parameters[step] = {k: getattr(fitted, k) for k in PARAMS[step]}
        parameters[step]["iterations"] = fitted.iterations
    print(json.dumps({"timings": timings, "parameters": parameters}))


def ensure_lifetimes() -> Path:
    python = LIFETIMES_VENV / "bin" / "python"
    if not python.exists():
        console.print(f"Creating {LIFETIMES_VENV} (lifetimes 0.11.3, pyarrow)")
        subprocess.run(["python3", "-m", "venv", str(LIFETIMES_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "lifetimes==0.11.3",
                        "pyarrow"], check=True)
    return python


def lifetimes_side(base: CustomerBase, cap: float) -> tuple[dict[str, float],
                                                            dict[str, dict[str, float]],
                                                            float]:
    """Step seconds (None for a step killed at the cap), parameters, peak GiB."""
    python = str(ensure_lifetimes())
    script = str(HERE / "lifetimes_reference.py")
    summary = str(Path(base.data_dir) / "lifetimes-summary.parquet")
    result, _, peak = run_measured([python, script, "core", base.parquet, base.as_of,
                                    summary], dict(os.environ))
    if result is None or result.returncode != 0:
        sys.exit(f"lifetimes failed:\n{result.stderr[-3000:] if result else 'timeout'}")
    timings: dict[str, Any] = {}
    parameters: dict[str, dict[str, float]] = {}
    for line in _json_lines(result.stdout):
        timings[line["step"]] = line["seconds"]
        if line["params"]:
            parameters[line["step"]] = line["params"]
    result, _wall, pareto_peak = run_measured([python, script, "pareto", summary],
                                             dict(os.environ), timeout=cap)
    if result is None:
        timings["pareto_nbd"] = None
        console.print(f"lifetimes' Pareto/NBD did not finish in {cap:.0f} s (killed)")
    elif result.returncode == 0:
        line = _json_lines(result.stdout)[-1]
        timings["pareto_nbd"] = line["seconds"]
        parameters["pareto_nbd"] = line["params"]
    return timings, parameters, max(peak, pareto_peak)


def largest_difference(ours: dict[str, dict[str, float]],
                       theirs: dict[str, dict[str, float]]) -> list[tuple[str, str, float,
                                                                         float, float]]:
    """(model, parameter, Accord, lifetimes, relative difference) for every shared one."""
    rows = []
    for model, names in PARAMS.items():
        if model not in ours or model not in theirs:
            continue
        for name in names:
            a, b = float(ours[model][name]), float(theirs[model][name])
            rows.append((model, name, a, b, abs(a - b) / abs(b)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--pareto-cap", type=float, default=600.0)
    parser.add_argument("--fits-only", action="store_true",
                        help="Accord's summary and fits only (no warehouse, no write-back)")
    parser.add_argument("--skip-lifetimes", action="store_true")
    parser.add_argument("--incremental", action="store_true",
                        help="keep the warehouse of an earlier run: time an incremental sync")
    args = parser.parse_args()
    data_dir = (args.data_dir or Path("var") / f"bench-analytics-{args.customers}"
                f"-{args.seed}").resolve()
    base = ensure_customer_base(data_dir, customers=args.customers, seed=args.seed)
    console.print(f"{base.customers:,} customers, {base.transactions:,} transactions, "
                  f"as of {base.as_of}; {os.cpu_count()} cores, load average "
                  f"{os.getloadavg()[0]:.1f} at start")
    ours, our_params, wall, peak = accord_side(base, args.fits_only, args.incremental)
    console.print(f"Accord {'fits' if args.fits_only else 'pipeline'}: {wall:.1f} s wall "
                  f"(target <= 60 s), peak memory {peak:.2f} GiB (target <= 3 GB)")
    theirs: dict[str, Any] = {}
    their_params: dict[str, dict[str, float]] = {}
    if not args.skip_lifetimes:
        theirs, their_params, their_peak = lifetimes_side(base, args.pareto_cap)
        console.print(f"lifetimes peak memory {their_peak:.2f} GiB")
    _print_tables(ours, theirs, our_params, their_params, wall, args.pareto_cap)
    console.print(f"load average at end {os.getloadavg()[0]:.1f}")


def _print_tables(ours: dict[str, float], theirs: dict[str, Any],
                  our_params: dict[str, dict[str, float]],
                  their_params: dict[str, dict[str, float]], wall: float, cap: float) -> None:
    table = Table(title="Step times (seconds)")
    for column in ("step", "Accord s", "lifetimes s", "ratio"):
        table.add_column(column, justify="left" if column == "step" else "right")
    for step in dict.fromkeys([*ours, *theirs]):
        a, b = ours.get(step), theirs.get(step, "")
        their_text = (f"> {cap:.0f} (killed)" if step in theirs and b is None
                      else "" if b == "" else f"{b:.2f}")
        ratio = f"{b / a:.1f}x" if a and isinstance(b, float) else ""
        table.add_row(step, "" if a is None else f"{a:.2f}", their_text, ratio)
    table.add_row("total (wall)", f"{wall:.1f}",
                  f"{sum(v for v in theirs.values() if v):.1f}" if theirs else "", "")
    console.print(table)
    rows = largest_difference(our_params, their_params)
    if not rows:
        return
    params = Table(title="Parameters")
    for column in ("model", "param", "Accord", "lifetimes", "rel. diff"):
        params.add_column(column)
    for model, name, a, b, diff in rows:
        params.add_row(model, name, f"{a:.8g}", f"{b:.8g}", f"{diff:.1e}")
    console.print(params)
    worst = max(rows, key=lambda row: row[4])
    verdict = "OK" if worst[4] <= TOLERANCE else "ABOVE"
    console.print(f"largest relative difference: {worst[4]:.2e} ({worst[0]} {worst[1]}) "
                  f"-> {verdict} the {TOLERANCE:g} limit")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--accord-run":
        _child_run(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "--accord-fits":
        _child_fits(sys.argv[2])
    else:
        main()
