"""`accord analytics sync`: bring the DuckDB warehouse level with the operational store.

Customers and products are small and mutable (merges, renames): they are copied whole.
Transactions, their lines and contacts (interaction participants) only grow, so only new
rows are copied; before that, the ids still present upstream are compared with the
warehouse's, which removes what was deleted there, follows a row moved to another customer,
and picks up a row committed late with an id below the high-water mark. A customer merged
into another counts as the survivor (``root_id``), so merges need no rewrite of history.
Everything happens in one DuckDB transaction: a failed sync leaves the previous state."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from accord.analytics.warehouse.extracts import EXTRACTS, PRESENT, TOP_ID, Extract
from accord.analytics.warehouse.operational import (
    ConcurrentRead,
    read_tables,
    reading,
    vendor,
)
from accord.analytics.warehouse.store import ensure_schema

Progress = Callable[[str], None]
_STRAGGLER_CHUNK = 500
# A copy of more new ids than two parts of this size is read in id ranges, several at a
# time (one per core, at most four), while DuckDB loads the previous ones.
PART_IDS = 2_500_000


@dataclass
class TableSync:
    added: int = 0
    removed: int = 0
    moved: int = 0
    rows: int = 0


@dataclass
class SyncReport:
    tables: dict[str, TableSync] = field(default_factory=dict)
    seconds: float = 0.0


def _insert_from(duck: Any, rows: pa.Table | pa.RecordBatchReader, insert: str) -> None:
    duck.register("incoming", rows)
    try:
        duck.execute(insert)
    finally:
        duck.unregister("incoming")


def _stream(duck: Any, sql: str, insert: str) -> None:
    with reading(sql) as reader:
        _insert_from(duck, reader, insert)


def _scalar(duck: Any, sql: str) -> int:
    # fetchall: DuckDB refuses new work while a result is only partly fetched.
    return int(duck.execute(sql).fetchall()[0][0])


def _count(duck: Any, table: str) -> int:
    return _scalar(duck, f"SELECT COUNT(*) FROM {table}")


def _copy_whole(duck: Any, extract: Extract, dialect: str) -> TableSync:
    before = _count(duck, extract.table)
    duck.execute(f"DELETE FROM {extract.table}")
    _stream(duck, getattr(extract, dialect), f"INSERT INTO {extract.table} {extract.load}")
    rows = _count(duck, extract.table)
    return TableSync(added=max(0, rows - before), removed=max(0, before - rows), rows=rows)


def _reconcile(duck: Any, extract: Extract, report: TableSync) -> list[int]:
    """Drop rows gone upstream, follow moved ones; return ids present upstream but missing
    here at or below the high-water mark (late commits)."""
    table = extract.table
    with reading(PRESENT[table]) as reader:
        duck.register("present", reader.read_all())
    try:
        owner = "transaction_id" if table == "lines" else "customer_id"
        report.removed = _scalar(
            duck, f"SELECT COUNT(*) FROM {table} t ANTI JOIN present p ON p.id = t.id")
        if report.removed:
            duck.execute(f"DELETE FROM {table} WHERE id NOT IN (SELECT id FROM present)")
        if table != "lines":
            report.moved = _scalar(
                duck, f"SELECT COUNT(*) FROM {table} t JOIN present p ON p.id = t.id "
                      f"WHERE t.{owner} <> p.customer_id")
            if report.moved:
                duck.execute(f"UPDATE {table} SET {owner} = p.customer_id FROM present p "
                             f"WHERE p.id = {table}.id AND {table}.{owner} <> p.customer_id")
        high = _scalar(duck, f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        late = duck.execute(
            f"SELECT p.id FROM present p ANTI JOIN {table} t ON t.id = p.id "
            f"WHERE p.id <= {int(high)} ORDER BY p.id").fetchall()
    finally:
        duck.unregister("present")
    return [int(row[0]) for row in late]


def _id_ranges(since: int, top: int) -> list[tuple[int, int | None]]:
    """(after, up to) id ranges covering everything above ``since``; the last is open, so
    rows committed after ``top`` was read are not missed."""
    count = (top - since) // PART_IDS
    if count < 2:
        return [(since, None)]
    bounds = [since + (top - since) * k // count for k in range(count)]
    return list(zip(bounds, [*bounds[1:], None], strict=True))


def _load(duck: Any, rows: pa.Table, insert: str) -> None:
    if rows.num_rows:  # an empty part's column types are only guesses
        _insert_from(duck, rows, insert)


def _copy_above(duck: Any, extract: Extract, dialect: str, since: int, top: int) -> None:
    """Every row upstream with an id above ``since``: streamed, or read in parts."""
    sql = getattr(extract, dialect).format(since=since)
    insert = f"INSERT INTO {extract.table} {extract.load}"
    ranges = _id_ranges(since, top)
    if len(ranges) == 1:
        _stream(duck, sql, insert)
        return
    column = _id_column(extract)
    parts = [getattr(extract, dialect).format(since=after)
             + (f" AND {column} <= {upto}" if upto is not None else "")
             for after, upto in ranges]
    width = max(1, min(os.cpu_count() or 1, 4))
    loading: pa.Table | None = None
    for start in range(0, len(parts), width):
        with ConcurrentRead(parts[start:start + width]) as read:
            if loading is not None:
                _load(duck, loading, insert)  # while this round is being read
        loading = read.table
    if loading is not None:
        _load(duck, loading, insert)


def _copy_new(duck: Any, extract: Extract, dialect: str, top: int) -> TableSync:
    report = TableSync()
    before = _count(duck, extract.table)
    late = _reconcile(duck, extract, report) if before else []
    high = _scalar(duck, f"SELECT COALESCE(MAX(id), 0) FROM {extract.table}")
    sql = getattr(extract, dialect)
    insert = f"INSERT INTO {extract.table} {extract.load}"
    _copy_above(duck, extract, dialect, high, top)
    for start in range(0, len(late), _STRAGGLER_CHUNK):
        ids = ", ".join(str(i) for i in late[start:start + _STRAGGLER_CHUNK])
        # The ids are integers read back from the database, never user text.
        _stream(duck, sql.format(since=-1) + f" AND {_id_column(extract)} IN ({ids})",
                insert)
    report.rows = _count(duck, extract.table)
    report.added = report.rows - before + report.removed
    return report


def _id_column(extract: Extract) -> str:
    return "p.id" if extract.table == "contacts" else "id"


ROOTS = """
UPDATE customers SET root_id = chains.root FROM (
  WITH RECURSIVE chain(id, root, depth) AS (
    SELECT id, merged_into_id, 1 FROM customers WHERE merged_into_id IS NOT NULL
    UNION ALL
    SELECT chain.id, c.merged_into_id, chain.depth + 1
    FROM chain JOIN customers c ON c.id = chain.root
    WHERE c.merged_into_id IS NOT NULL AND chain.depth < 64)
  SELECT id, arg_max(root, depth) AS root FROM chain GROUP BY id) AS chains
WHERE customers.id = chains.id
"""


# Tables the warehouse derives from the copied ones after each sync, for the queries to
# read instead of joining ten million transactions to their customers again and again.
DERIVED = {
    "purchase_days": """
CREATE OR REPLACE TABLE purchase_days AS
SELECT c.root_id AS customer_id, t.day AS day, t.currency AS currency,
       CAST(SUM(t.cents) AS BIGINT) AS cents, COUNT(*) AS purchases
FROM transactions t JOIN customers c ON c.id = t.customer_id
WHERE t.kind = 'purchase'
GROUP BY c.root_id, t.day, t.currency
ORDER BY customer_id, day""",
}


def refresh_derived(duck: Any) -> None:
    """Rebuild the derived tables from the copied ones (after a sync, or in tests)."""
    for sql in DERIVED.values():
        duck.execute(sql)


def sync_warehouse(duck: Any, *, progress: Progress | None = None) -> SyncReport:
    """Copy what changed in the operational store into the open warehouse ``duck``."""
    started = time.perf_counter()
    ensure_schema(duck)
    report = SyncReport()
    dialect = vendor()
    tops = dict(zip(TOP_ID, (int(t.column(0)[0].as_py() or 0)
                             for t in read_tables(list(TOP_ID.values()))), strict=True))
    duck.execute("BEGIN TRANSACTION")
    try:
        for extract in EXTRACTS:
            if progress:
                progress(f"sync {extract.table}")
            if extract.incremental:
                found = _copy_new(duck, extract, dialect, tops[extract.table])
            else:
                found = _copy_whole(duck, extract, dialect)
            report.tables[extract.table] = found
        duck.execute(ROOTS)
        refresh_derived(duck)
        duck.execute("INSERT OR REPLACE INTO sync_state VALUES ('warehouse', now())")
        duck.execute("COMMIT")
    except BaseException:
        duck.execute("ROLLBACK")
        raise
    report.seconds = time.perf_counter() - started
    return report
