"""Writing a run's scores back to the operational store, where pages, the API and rules
read them: every customer's row replaced in one transaction, moved as Arrow over ADBC
(a million rows in seconds), and rows of customers no longer scored removed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pyarrow as pa

from accord.analytics.models import CustomerScore
from accord.analytics.services.pipeline import Analysis
from accord.analytics.warehouse.operational import in_session, vendor

EPOCH = date(1970, 1, 1)
_STAGING = "analytics_customerscore_incoming"
_COLUMNS = ("customer_id", "run_id", "as_of", "frequency", "recency", "age", "monetary",
            "first_purchase", "last_purchase", "probability_alive", "expected_purchases",
            "lifetime_value", "rfm_recency", "rfm_frequency", "rfm_monetary", "segment",
            "churn_risk", "churn_band", "pattern", "pattern_probability",
            "pattern_explanation", "next_purchase_on", "next_best_offer", "gross_margin",
            "cost_to_serve", "roi", "updated_at", "updated_by")


def _dates(days: Any) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int64).astype(np.int32), type=pa.int32()
                    ).cast(pa.date32())


def _same(value: Any, n: int, kind: pa.DataType) -> pa.Array:
    """``value`` n times (a run writes the same as-of, run and time on every row)."""
    return pa.array([value], kind).take(np.zeros(n, dtype=np.int64))


def score_rows(analysis: Analysis, *, run_id: int | None, as_of: date,
               updated_at: datetime, updated_by: str) -> pa.Table:
    """The scores of ``analysis`` as rows of the CustomerScore table."""
    i, s = analysis.inputs, analysis.scores
    n = i.customer.size
    as_of_day = (as_of - EPOCH).days
    next_day = np.where(np.isnan(s.days_to_next_purchase), -1,
                        as_of_day + np.ceil(np.nan_to_num(s.days_to_next_purchase, nan=0)))
    next_dates = _dates(np.where(next_day < 0, 0, next_day))
    next_dates = pa.compute.if_else(pa.array(next_day < 0), pa.nulls(n, pa.date32()),
                                    next_dates)
    roi = pa.array(s.roi, from_pandas=True)  # NaN -> null: no cost, no ratio
    return pa.table({
        "customer_id": pa.array(i.customer, pa.int64()),
        "run_id": _same(run_id, n, pa.int64()),
        "as_of": _same(as_of, n, pa.date32()),
        "frequency": i.frequency, "recency": i.recency, "age": i.age, "monetary": i.monetary,
        "first_purchase": _dates(analysis.first_purchase_day),
        "last_purchase": _dates(i.last_day),
        "probability_alive": s.probability_alive,
        "expected_purchases": s.expected_purchases,
        "lifetime_value": s.lifetime_value,
        "rfm_recency": pa.array(s.rfm_recency, pa.int16()),
        "rfm_frequency": pa.array(s.rfm_frequency, pa.int16()),
        "rfm_monetary": pa.array(s.rfm_monetary, pa.int16()),
        "segment": pa.array(s.segment.tolist(), pa.string()),
        "churn_risk": s.churn_risk,
        "churn_band": pa.array(s.churn_band.tolist(), pa.string()),
        "pattern": pa.array(s.pattern.tolist(), pa.string()),
        "pattern_probability": s.pattern_probability,
        "pattern_explanation": pa.array(s.pattern_explanation, pa.string()),
        "next_purchase_on": next_dates,
        "next_best_offer": pa.array(analysis.offers.per_customer, pa.string()),
        "gross_margin": s.gross_margin,
        "cost_to_serve": i.cost_to_serve,
        "roi": roi,
        "updated_at": _same(updated_at, n, pa.timestamp("us", tz="UTC")),
        "updated_by": _same(updated_by, n, pa.string()),
    })


def _insert_select() -> str:
    table = CustomerScore._meta.db_table
    columns = ", ".join(_COLUMNS)
    if vendor() == "postgresql":
        values = ", ".join("CAST(next_best_offer AS jsonb)" if c == "next_best_offer" else c
                           for c in _COLUMNS)
    else:
        values = columns
    return f"INSERT INTO {table} ({columns}) SELECT {values} FROM {_STAGING}"


def _as_text(column: pa.ChunkedArray, fmt: str) -> pa.Array:
    """Dates and times as text, formatted once per distinct value (a run's rows share a
    few thousand dates; formatting a million one by one costs seconds)."""
    distinct = pa.compute.unique(column)
    texts = pa.compute.strftime(distinct, format=fmt)
    return texts.take(pa.compute.index_in(column, value_set=distinct))


def _sqlite_ready(rows: pa.Table) -> pa.Table:
    """Dates and times as the text Django's SQLite backend stores and reads."""
    for name in ("as_of", "first_purchase", "last_purchase", "next_purchase_on"):
        rows = rows.set_column(rows.schema.get_field_index(name), name,
                               _as_text(rows.column(name), "%Y-%m-%d"))
    at = rows.schema.get_field_index("updated_at")
    stamped = _as_text(rows.column("updated_at").cast(pa.timestamp("us")),
                       "%Y-%m-%d %H:%M:%S")  # %S carries the microseconds
    return rows.set_column(at, "updated_at", stamped)


def _secondary_indexes(cursor: Any, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes other than its primary key, as the
    database itself states them, so they come back exactly as migrations made them."""
    if vendor() == "sqlite":
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                       f"AND tbl_name = '{table}' AND sql IS NOT NULL")
    else:
        cursor.execute("SELECT i.indexname, i.indexdef FROM pg_indexes i "
                       f"WHERE i.tablename = '{table}' AND i.schemaname = current_schema() "
                       "AND i.indexname NOT IN (SELECT conname FROM pg_constraint)")
    return [(str(name), str(sql)) for name, sql in cursor.fetchall()]


def replace_scores(rows: pa.Table, *, only_customers: list[int] | None = None) -> int:
    """Replace the stored scores with ``rows`` in one transaction: all of them, or with
    ``only_customers`` just those customers'. Returns the rows written."""
    table = CustomerScore._meta.db_table
    if vendor() == "sqlite":
        rows = _sqlite_ready(rows)
    insert = _insert_select()
    if only_customers is None:
        delete = f"DELETE FROM {table}"
    else:
        ids = ", ".join(str(int(c)) for c in only_customers) or "NULL"
        delete = f"DELETE FROM {table} WHERE customer_id IN ({ids})"

    def write(conn: Any) -> int:
        cursor = conn.cursor()
        try:
            # Replacing every row: the secondary indexes are cheaper built once afterwards
            # than kept up to date row by row (twice as fast on a million rows).
            rebuild = _secondary_indexes(cursor, table) if only_customers is None else []
            for name, _ in rebuild:
                cursor.execute(f'DROP INDEX "{name}"')
            if vendor() == "sqlite":
                # The columns match and JSON is text: straight in, no staging copy.
                cursor.execute(delete)
                cursor.adbc_ingest(table, rows, mode="append")
            else:
                # jsonb needs a cast COPY cannot make: stage, then insert with it.
                cursor.execute(f"DROP TABLE IF EXISTS {_STAGING}")
                cursor.adbc_ingest(_STAGING, rows, mode="create", temporary=True)
                cursor.execute(delete)
                cursor.execute(insert)
                cursor.execute(f"DROP TABLE {_STAGING}")
            if rebuild and vendor() == "postgresql":
                # Django's foreign keys are deferred; their checks must run before
                # PostgreSQL lets an index be built on the table.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _, definition in rebuild:
                cursor.execute(definition)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            cursor.close()
        return int(rows.num_rows)

    return in_session(write)
