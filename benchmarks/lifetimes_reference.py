"""The lifetimes (0.11.3) side of benchmarks/analytics.py, run in its own venv
(benchmarks/.venv-lifetimes: lifetimes pins libraries the main venv must not get).

    .venv-lifetimes/bin/python lifetimes_reference.py core \
        TRANSACTIONS.parquet AS_OF SUMMARY.parquet
    .venv-lifetimes/bin/python lifetimes_reference.py pareto SUMMARY.parquet

``core`` reads the transactions (customer_id, date, amount), and times lifetimes' summary
(days divided by 7: weeks, same-day purchases once, as Accord summarises), BG/NBD fit,
Gamma-Gamma fit (repeat buyers with positive spend) and 12-month lifetime value; it saves
the summary for ``pareto``, which times the Pareto/NBD fit alone (the caller caps it).
Each step prints one JSON line: {"step", "seconds", "params"}. Used the way its
documentation shows: one row per customer, no weights.
"""

from __future__ import annotations

import json
import sys
import time
import warnings

import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
from lifetimes.utils import summary_data_from_transaction_data

warnings.filterwarnings("ignore")


def _say(step: str, seconds: float, params: dict[str, float] | None = None,
         **extra: object) -> None:
    print(json.dumps({"step": step, "seconds": seconds, "params": params or {}, **extra}),
          flush=True)


def _params(fitter: object) -> dict[str, float]:
    return {str(k): float(v) for k, v in fitter.params_.items()}  # type: ignore[attr-defined]


def core(transactions_path: str, as_of: str, summary_path: str) -> None:
    transactions = pd.read_parquet(transactions_path)
    transactions["date"] = pd.to_datetime(transactions["date"])
    started = time.perf_counter()
    summary = summary_data_from_transaction_data(
        transactions, "customer_id", "date", monetary_value_col="amount",
        observation_period_end=pd.Timestamp(as_of), freq="D", freq_multiplier=7)
    _say("summary", time.perf_counter() - started, customers=len(summary))
    summary.to_parquet(summary_path)

    started = time.perf_counter()
    bgf = BetaGeoFitter(penalizer_coef=0.0)
    bgf.fit(summary["frequency"], summary["recency"], summary["T"])
    _say("bgnbd", time.perf_counter() - started, _params(bgf))

    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    started = time.perf_counter()
    ggf = GammaGammaFitter(penalizer_coef=0.0)
    ggf.fit(repeat["frequency"], repeat["monetary_value"])
    params = _params(ggf)
    _say("gamma_gamma", time.perf_counter() - started,
         {"p": params["p"], "q": params["q"], "gamma": params["v"]})

    started = time.perf_counter()
    ggf.customer_lifetime_value(bgf, summary["frequency"], summary["recency"], summary["T"],
                                summary["monetary_value"], time=12, discount_rate=0.01,
                                freq="W")
    _say("lifetime_value", time.perf_counter() - started)


def pareto(summary_path: str) -> None:
    summary = pd.read_parquet(summary_path)
    started = time.perf_counter()
    pnbd = ParetoNBDFitter(penalizer_coef=0.0)
    pnbd.fit(summary["frequency"], summary["recency"], summary["T"])
    _say("pareto_nbd", time.perf_counter() - started, _params(pnbd))


if __name__ == "__main__":
    if sys.argv[1] == "core":
        core(*sys.argv[2:5])
    else:
        pareto(sys.argv[2])
