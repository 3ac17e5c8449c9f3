"""The Spark engine answers every warehouse query exactly as DuckDB does: same columns,
same types, same rows, floats equal to the bit. Spark runs for real, in local mode; the
tests are skipped only where pyspark is not installed (CI installs it, and Java)."""

from __future__ import annotations

import inspect
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

pytest.importorskip("pyspark")

import duckdb

from accord.analytics.warehouse import queries
from accord.analytics.warehouse.engines import DuckDbEngine, open_engine
from accord.analytics.warehouse.spark import SparkEngine
from accord.analytics.warehouse.store import ensure_schema
from accord.analytics.warehouse.sync import refresh_derived
from accord.platform.errors import InvalidInput

pytestmark = pytest.mark.spark

BASE_DAY = 9_862  # 1997-01-01
LAST_DAY = BASE_DAY + 420
CHANNELS = ("email", "call", "meeting", "sms", "web_visit")
# Merged customers point at the survivor; 9 -> 8 -> 7 is a chain (root 7).
MERGED_INTO = {5: 4, 9: 8, 8: 7, 23: 22}
ROOTS = {5: 4, 9: 7, 8: 7, 23: 22}


def _fill_warehouse(duck: Any, seed: int = 20_240_601) -> None:
    """Sixty customers with varied histories: same-day purchases, refunds, a second
    currency, lines with and without products, contacts with complaints and waits."""
    rng = np.random.default_rng(seed)
    ensure_schema(duck)
    customers = [(cid, MERGED_INTO.get(cid), ROOTS.get(cid, cid),
                  "organisation" if cid % 7 == 0 else "person")
                 for cid in range(1, 61)]
    duck.executemany("INSERT INTO customers VALUES (?, ?, ?, ?, TIMESTAMP '1996-12-01')",
                     customers)
    duck.executemany("INSERT INTO products VALUES (?, ?, ?, ?)",
                     [(pid, f"SKU-{pid}", f"Product {pid}", "cat" + str(pid % 3))
                      for pid in range(1, 9)])
    transactions, lines, contacts = [], [], []
    for cid in range(1, 61):
        if cid == 60:
            continue  # a customer who never bought anything
        start = BASE_DAY + int(rng.integers(0, 300))
        currency = "EUR" if cid % 11 == 0 else "USD"
        visits = int(rng.poisson(4))
        days = sorted({start, *(start + int(d) for d in rng.integers(0, 400, size=visits))})
        for day in days:
            # Sometimes two purchases the same day; sometimes a refund after.
            for _ in range(1 + int(rng.random() < 0.25)):
                tid = len(transactions) + 1
                cents = int(rng.integers(99, 25_000))
                transactions.append((tid, cid, day, "purchase", cents, currency))
                for _ in range(int(rng.integers(0, 3))):
                    product = None if rng.random() < 0.15 else int(rng.integers(1, 9))
                    lines.append((len(lines) + 1, tid, product, float(rng.integers(1, 4)),
                                  cents // 2))
            if rng.random() < 0.2:
                transactions.append((len(transactions) + 1, cid, day + 3, "refund",
                                     -int(rng.integers(100, 2_000)), currency))
        for _ in range(int(rng.poisson(3))):
            channel = CHANNELS[int(rng.integers(0, len(CHANNELS)))]
            wait = round(float(rng.random() * 900), 3) if channel == "call" else None
            contacts.append((len(contacts) + 1, 1000 + len(contacts), cid,
                             BASE_DAY + int(rng.integers(0, 420)), channel,
                             "inbound" if rng.random() < 0.6 else "outbound", "from", wait,
                             float(rng.integers(30, 3600)), bool(rng.random() < 0.2)))
    duck.executemany(
        "INSERT INTO transactions SELECT ?, ?, DATE '1970-01-01' + CAST(? AS INTEGER) "
        "+ INTERVAL 10 HOUR, ?, ?, ?, ?",
        [(tid, cid, day, day, kind, cents, cur)
         for tid, cid, day, kind, cents, cur in transactions])
    duck.executemany("INSERT INTO lines VALUES (?, ?, ?, ?, ?)", lines)
    duck.executemany(
        "INSERT INTO contacts SELECT ?, ?, ?, DATE '1970-01-01' + CAST(? AS INTEGER) "
        "+ INTERVAL 9 HOUR, ?, ?, ?, ?, ?, ?, ?",
        [(kid, iid, cid, day, day, *rest) for kid, iid, cid, day, *rest in contacts])


# Every public query of queries.py, with the arguments it is tried with: an ordinary
# window, weeks and an odd unit, the second currency, and a window before any data.
CASES: dict[str, list[tuple[Any, ...]]] = {
    "summary": [(LAST_DAY, 1.0, "USD"), (BASE_DAY + 273, 7.0, "USD"),
                (LAST_DAY, 30.4375, "eur"), (BASE_DAY + 200, 7.1, "USD"),
                (BASE_DAY - 1, 7.0, "USD")],
    "summary_groups": [(LAST_DAY, 7.0, "USD"), (BASE_DAY + 273, 1.0, "USD"),
                       (LAST_DAY, 7.0, "EUR")],
    "window_activity": [(BASE_DAY + 273, LAST_DAY, "USD"), (BASE_DAY, LAST_DAY, "EUR"),
                        (LAST_DAY, LAST_DAY + 30, "USD")],
    "contact_features": [(BASE_DAY, LAST_DAY), (BASE_DAY + 100, BASE_DAY + 200),
                         (LAST_DAY, LAST_DAY + 5)],
    "contacts_by_channel": [(BASE_DAY, LAST_DAY), (BASE_DAY + 100, BASE_DAY + 200)],
    "baskets": [(LAST_DAY,), (BASE_DAY + 150,), (BASE_DAY - 1,)],
    "products": [()],
    "main_currency": [()],
    "data_window": [()],
    "coverage": [(LAST_DAY,), (BASE_DAY + 150,), (BASE_DAY - 1,)],
}
# Queries whose SQL leaves the row order open: compared sorted.
UNORDERED = {"summary_groups"}


def _public_queries() -> dict[str, Callable[..., str]]:
    return {name: fn for name, fn in inspect.getmembers(queries, inspect.isfunction)
            if not name.startswith("_") and fn.__module__ == queries.__name__}


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by([(name, "ascending") for name in table.column_names])


def assert_identical(spark: pa.Table, duck: pa.Table) -> None:
    """Same schema, same rows, and floating-point columns equal bit for bit."""
    assert spark.schema.equals(duck.schema), f"{spark.schema}\n!=\n{duck.schema}"
    assert spark.num_rows == duck.num_rows
    for name in duck.column_names:
        ours, theirs = spark.column(name), duck.column(name)
        assert pc.is_null(ours).equals(pc.is_null(theirs)), name
        if pa.types.is_floating(theirs.type):
            bits_ours = ours.fill_null(0.0).to_numpy().view(np.int64)
            bits_theirs = theirs.fill_null(0.0).to_numpy().view(np.int64)
            assert np.array_equal(bits_ours, bits_theirs), name
        else:
            assert ours.equals(theirs), name


@pytest.fixture(scope="module")
def warehouse() -> Iterator[Any]:
    duck = duckdb.connect()
    duck.execute("SET TimeZone = 'UTC'")
    _fill_warehouse(duck)
    refresh_derived(duck)
    yield duck
    duck.close()


@pytest.fixture(scope="module")
def spark(warehouse: Any) -> Iterator[SparkEngine]:
    started = time.perf_counter()
    engine = SparkEngine(warehouse)
    print(f"\nspark engine open: {time.perf_counter() - started:.2f}s {engine.timings}")
    yield engine
    engine.close()


def test_every_query_has_cases() -> None:
    assert set(_public_queries()) == set(CASES)


def test_the_warehouse_is_varied(warehouse: Any) -> None:
    """Guard the fixture: each feature the queries handle is really in the data."""
    def scalar(sql: str) -> int:
        return int(warehouse.execute(sql).fetchall()[0][0])

    assert scalar("SELECT COUNT(*) FROM (SELECT customer_id, day FROM transactions "
                  "WHERE kind = 'purchase' GROUP BY ALL HAVING COUNT(*) > 1)") > 3
    assert scalar("SELECT COUNT(*) FROM transactions WHERE kind = 'refund'") > 3
    assert scalar("SELECT COUNT(*) FROM transactions WHERE currency = 'EUR'") > 3
    assert scalar("SELECT COUNT(*) FROM transactions t JOIN customers c "
                  "ON c.id = t.customer_id WHERE c.root_id <> c.id") > 3
    assert scalar("SELECT COUNT(*) FROM lines WHERE product_id IS NULL") > 0
    assert scalar("SELECT COUNT(*) FROM contacts WHERE complaint") > 3
    assert scalar("SELECT COUNT(*) FROM contacts WHERE wait_seconds IS NOT NULL") > 3


@pytest.mark.parametrize(("query", "args"), [(name, args) for name, cases in CASES.items()
                                             for args in cases])
def test_spark_gives_exactly_what_duckdb_gives(spark: SparkEngine, warehouse: Any,
                                               query: str, args: tuple[Any, ...]) -> None:
    sql = _public_queries()[query](*args)
    expected = DuckDbEngine(warehouse).query(sql)
    started = time.perf_counter()
    got = spark.query(sql)
    print(f"\n{query}{args}: spark {time.perf_counter() - started:.3f}s, "
          f"{got.num_rows} rows")
    if query in UNORDERED:
        got, expected = _sorted(got), _sorted(expected)
    assert_identical(got, expected)


def test_the_summary_covers_merges_and_skips_the_customer_who_never_bought(
        spark: SparkEngine) -> None:
    ids = spark.query(queries.summary(LAST_DAY, 7.0, "USD")).column("customer_id").to_pylist()
    assert 60 not in ids
    assert not {5, 8, 9, 23} & set(ids)  # merged away: counted under their survivors
    assert {4, 7} <= set(ids)


def test_engines_share_one_spark_and_the_last_one_stops_it(spark: SparkEngine,
                                                           warehouse: Any) -> None:
    second = open_engine("spark", warehouse)
    assert isinstance(second, SparkEngine)
    second_staging = second._staging
    try:
        assert second._spark.sparkContext is spark._spark.sparkContext
        assert second.query(queries.data_window()).equals(spark.query(queries.data_window()))
    finally:
        second.close()
    assert second_staging is not None and not second_staging.exists()
    # The module's engine still works after the other one closed: Spark was not stopped.
    assert spark._staging is not None and spark._staging.exists()
    assert spark.query(queries.products()).num_rows == 8


def test_without_java_the_engine_says_what_to_install(monkeypatch: Any,
                                                      warehouse: Any) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(InvalidInput, match="accord\\[spark\\] and a Java runtime") as caught:
        SparkEngine(warehouse)
    assert caught.value.field == "engine"


def test_without_pyspark_the_engine_says_what_to_install(monkeypatch: Any,
                                                         warehouse: Any) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # what an absent package does
    with pytest.raises(InvalidInput, match="pip install accord\\[spark\\]") as caught:
        open_engine("spark", warehouse)
    assert caught.value.field == "engine"


# --- the whole run on both engines ------------------------------------------------------

RUN_AS_OF = date(2024, 12, 31)
RUN_START = datetime(2024, 1, 1, 9, 30, tzinfo=UTC)


def _record_history(actor: Any, customers: list[Any], seed: int = 7) -> None:
    """Purchases drawn from a BG/NBD-like process (each customer buys at a Poisson rate
    until they drop out), with same-day repeats, refunds, a few euro purchases and lines
    naming products, so every step of a run has something to work on."""
    from accord.transactions.services import LineInput, TransactionInput, record_transactions

    rng = np.random.default_rng(seed)
    items = []
    for customer in customers:
        rate = rng.gamma(0.9, 1 / 9.0)  # purchases a day
        dropout = rng.beta(1.0, 3.0)
        day = float(rng.integers(0, 200))
        while day < (RUN_AS_OF - RUN_START.date()).days:
            when = RUN_START + timedelta(days=int(day), hours=int(rng.integers(0, 8)))
            for repeat in range(1 + int(rng.random() < 0.15)):
                sku = f"SKU-{int(rng.integers(1, 7))}"
                cents = int(rng.integers(500, 20_000))
                items.append(TransactionInput(
                    customer_id=customer.pk, occurred_at=when + timedelta(minutes=repeat),
                    amount=f"{cents / 100:.2f}", currency="EUR" if rng.random() < 0.05
                    else "USD", lines=[LineInput(unit_price=f"{cents / 100:.2f}", sku=sku,
                                                 name=sku)]))
            if rng.random() < 0.1:
                items.append(TransactionInput(customer_id=customer.pk,
                                              occurred_at=when + timedelta(days=2),
                                              amount="5.00", currency="USD", kind="refund"))
            if rng.random() < dropout:
                break
            day += rng.exponential(1 / rate) + 1
    results = record_transactions(actor=actor, items=items)
    assert not [r.error for r in results if r.error]


def _summaries() -> list[tuple[Any, ...]]:
    from accord.analytics.models import CustomerScore

    return list(CustomerScore.objects.order_by("customer_id").values_list(
        "customer_id", "frequency", "recency", "age", "monetary", "first_purchase",
        "last_purchase", "segment"))


def _assert_parameters_close(spark_run: dict[str, Any], duck_run: dict[str, Any]) -> None:
    for model in ("bgnbd", "pareto_nbd", "gamma_gamma"):
        ours, theirs = spark_run.get(model), duck_run.get(model)
        assert (ours is None) == (theirs is None), model
        assert theirs, f"{model} was not fitted"
        for name, value in theirs.items():
            if isinstance(value, float):
                assert ours[name] == pytest.approx(value, rel=1e-6, abs=1e-9), \
                    f"{model}.{name}"


@pytest.mark.django_db(transaction=True)
def test_a_run_on_spark_equals_a_run_on_duckdb(spark: SparkEngine, world: Any,
                                               settings: Any, tmp_path: Any) -> None:
    """The whole pipeline (sync, summaries, fits, scores, write-back) on each engine over
    the same operational data: summaries identical, parameters equal to 1e-6."""
    from accord.analytics.services.runs import run_analytics
    from accord.customers.services import create_customer
    from accord.customers.services.merges import merge_customers

    settings.ANALYTICS_WAREHOUSE = str(tmp_path / "warehouse.duckdb")
    actor = world.admin
    customers = [create_customer(actor=actor, kind="person", display_name=f"Buyer {i}")
                 for i in range(150)]
    _record_history(actor, customers)
    merge_customers(actor=actor, survivor_id=customers[0].pk, loser_id=customers[1].pk)

    timings = {}
    for engine in ("duckdb", "spark"):
        started = time.perf_counter()
        run = run_analytics(actor=actor, engine=engine, as_of=RUN_AS_OF)
        timings[engine] = (round(time.perf_counter() - started, 2), run.timings)
        if engine == "duckdb":
            duck_run, duck_summaries = run, _summaries()
    print(f"\nrun timings: {timings}")

    assert run.engine == "spark" and run.customers == duck_run.customers
    assert _summaries() == duck_summaries
    assert len(duck_summaries) > 100
    _assert_parameters_close(run.parameters, duck_run.parameters)
