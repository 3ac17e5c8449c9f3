"""A customer base generated from known BG/NBD and Gamma-Gamma parameters, for the
analytics benchmark: customers and their purchases written into an Accord data directory
(SQLite or ACCORD_DATABASE_URL) through the apps' bulk loaders, and the same purchases
exported as Parquet (customer_id, date, amount) for the lifetimes side.

    python benchmarks/customer_base.py --customers 1000000   # into var/bench-analytics-1000000-2026

Each customer's first purchase falls on a day in the first year of a two-year window
ending at AS_OF; while active they buy as a Poisson process (rate ~ Gamma(r, alpha) per
week) and after each repeat purchase drop out with probability p ~ Beta(a, b). Every
purchase is one transaction at noon UTC (so no time zone moves it to another day), its
amount ~ Gamma(p, nu) with the customer's nu ~ Gamma(q, gamma), in cents. Transactions
carry no lines: the models read only the transaction log. Generating is skipped when the
data directory already holds the data set of this seed and size (a marker file says so).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

AS_OF = date(2025, 12, 31)
WINDOW_DAYS = 728  # two years of weeks, first purchases in the first half
BIRTH_DAYS = 364
# Chosen to give ~10 transactions per customer (first purchase included) in the window.
BGNBD = {"r": 1.6, "alpha": 9.0, "a": 0.9, "b": 14.0}
GAMMA_GAMMA = {"p": 6.0, "q": 4.0, "gamma": 15.0}
MARKER = "benchmark-customer-base.json"
CHUNK = 100_000  # customers per load transaction


@dataclass(frozen=True)
class CustomerBase:
    """What was generated: where it lives, and the parameters it came from."""

    data_dir: str
    parquet: str
    customers: int
    transactions: int
    seed: int
    as_of: str
    bgnbd: dict[str, float]
    gamma_gamma: dict[str, float]


def simulate(customers: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(customer index, day offset from the window's start, amount in cents) of every
    purchase, sorted by customer then day; several purchases on one day are kept."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(BGNBD["r"], 1 / BGNBD["alpha"], customers) / 7  # per day
    dropout = rng.beta(BGNBD["a"], BGNBD["b"], customers)
    birth = rng.integers(0, BIRTH_DAYS, customers).astype(np.float64)
    spend_rate = rng.gamma(GAMMA_GAMMA["q"], 1 / GAMMA_GAMMA["gamma"], customers)
    who = [np.arange(customers)]
    when = [birth]
    alive = np.arange(customers)
    clock = birth.copy()
    while alive.size:  # one round = everyone still active makes their next purchase
        clock[alive] += rng.exponential(1 / rate[alive])
        alive = alive[clock[alive] < WINDOW_DAYS]
        who.append(alive)
        when.append(clock[alive].copy())
        alive = alive[rng.random(alive.size) >= dropout[alive]]
    customer = np.concatenate(who)
    day = np.floor(np.concatenate(when)).astype(np.int64)
    order = np.lexsort((day, customer))
    customer, day = customer[order], day[order]
    amount = rng.gamma(GAMMA_GAMMA["p"], 1 / spend_rate[customer])
    cents = np.maximum(np.rint(amount * 100), 1).astype(np.int64)
    return customer, day, cents


def _marker(data_dir: Path) -> dict[str, object] | None:
    path = data_dir / MARKER
    return json.loads(path.read_text()) if path.exists() else None


def ensure_customer_base(data_dir: Path, *, customers: int, seed: int) -> CustomerBase:
    """The data set in ``data_dir``, generated (in a child process that migrates and
    loads) unless its marker says it is there already."""
    marker = _marker(data_dir)
    if marker and marker.get("customers") == customers and marker.get("seed") == seed:
        return CustomerBase(**marker)  # type: ignore[arg-type]
    if marker or (data_dir / "accord.sqlite3").exists():
        sys.exit(f"{data_dir} holds another data set; use an empty directory.")
    data_dir.mkdir(parents=True, exist_ok=True)
    from accord.platform.secret_key import ensure_secret_key_file

    ensure_secret_key_file(data_dir / "secret_key")  # as `accord demo` does, once
    env = {**os.environ, "ACCORD_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, __file__, "--customers", str(customers), "--seed",
                    str(seed), "--load"], env=env, check=True)
    loaded = _marker(data_dir)
    assert loaded is not None
    return CustomerBase(**loaded)  # type: ignore[arg-type]


def _load(customers: int, seed: int) -> None:
    """Inside ACCORD_DATA_DIR: migrate, simulate, load, export, write the marker."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    django.setup()
    from django.conf import settings
    from django.db import transaction

    from accord.customers.services import bulk as customer_bulk
    from accord.platform.actors import SYSTEM
    from accord.transactions import services as transaction_services
    from accord.web.demo.fast_load import fast_load

    data_dir = Path(settings.DATA_DIR)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    customer, day, cents = simulate(customers, seed)
    print(f"simulated {customers:,} customers, {customer.size:,} purchases "
          f"in {time.perf_counter() - started:.1f} s")
    window_start = AS_OF - timedelta(days=WINDOW_DAYS - 1)
    customer_base = customer_bulk.bulk_next_customer_id()
    transaction_base = transaction_services.bulk_next_transaction_id()
    created = datetime.now(UTC)
    day_text = np.array([f"{window_start + timedelta(days=int(d))} 12:00:00"
                         for d in range(WINDOW_DAYS)], dtype=object)
    bounds = np.searchsorted(customer, np.arange(0, customers + CHUNK, CHUNK))
    tables = customer_bulk.bulk_tables() + transaction_services.bulk_tables()
    with fast_load(tables, say=print):
        for chunk, (lo, hi) in enumerate(itertools.pairwise(bounds)):
            first = chunk * CHUNK
            ids = range(customer_base + first, customer_base + min(first + CHUNK, customers))
            with transaction.atomic():
                customer_bulk.bulk_load_customers(
                    (cid, "person", f"Bench Customer {cid}", "Bench", f"Customer {cid}",
                     None, None, None, "", "", "customer", created) for cid in ids)
                tids = range(transaction_base + lo, transaction_base + hi)
                transaction_services.bulk_load_transactions(
                    zip(tids, (customer[lo:hi] + customer_base).tolist(),
                        day_text[day[lo:hi]].tolist(), ["purchase"] * (hi - lo),
                        cents[lo:hi].tolist(), ["EUR"] * (hi - lo),
                        ["benchmark"] * (hi - lo), [str(t) for t in tids],
                        ["{}"] * (hi - lo), strict=True),
                    (), created_at=created)
            print(f"  loaded {min(first + CHUNK, customers):,} customers "
                  f"({time.perf_counter() - started:.0f} s)")
    customer_bulk.bulk_customers_loaded(actor=SYSTEM, customers=customers, identities=0,
                                        source="benchmark")
    transaction_services.bulk_transactions_loaded(actor=SYSTEM, transactions=customer.size,
                                                  lines=0, source="benchmark")
    parquet = data_dir / f"benchmark-transactions-{customers}-{seed}.parquet"
    _export(parquet, customer + customer_base, day, cents, window_start)
    marker = CustomerBase(data_dir=str(data_dir), parquet=str(parquet), customers=customers,
                          transactions=int(customer.size), seed=seed, as_of=AS_OF.isoformat(),
                          bgnbd=BGNBD, gamma_gamma=GAMMA_GAMMA)
    (data_dir / MARKER).write_text(json.dumps(asdict(marker), indent=2))
    print(f"generated in {time.perf_counter() - started:.0f} s: {parquet}")


def _export(path: Path, customer: np.ndarray, day: np.ndarray, cents: np.ndarray,
            window_start: date) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    epoch_day = (window_start - date(1970, 1, 1)).days
    table = pa.table({
        "customer_id": pa.array(customer, type=pa.int64()),
        "date": pa.array((day + epoch_day).astype(np.int32), type=pa.int32()).cast(pa.date32()),
        "amount": pa.array(cents / 100.0, type=pa.float64()),
    })
    pq.write_table(table, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        _load(args.customers, args.seed)
        return
    default = f"var/bench-analytics-{args.customers}-{args.seed}"
    data_dir = Path(os.environ.get("ACCORD_DATA_DIR", default)).resolve()
    base = ensure_customer_base(data_dir, customers=args.customers, seed=args.seed)
    print(f"{base.customers:,} customers, {base.transactions:,} transactions in "
          f"{base.data_dir} (as of {base.as_of})")


if __name__ == "__main__":
    main()
