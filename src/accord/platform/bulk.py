"""Fast bulk loading for the demo generator and large imports.

Row-by-row ORM inserts manage a few thousand rows a second; this path uses
``executemany`` on SQLite and ``COPY`` on PostgreSQL to move hundreds of thousands.
Callers pass plain tuples in column order and own the ids they insert."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection

# Below this many rows executemany (pipelined) beats COPY on PostgreSQL: COPY costs
# extra round trips to start and end, which a webhook's three-row write would feel.
COPY_FROM = 100


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` into ``table`` inside the caller's transaction; returns the count."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    count = 0
    few = isinstance(rows, list | tuple) and len(rows) < COPY_FROM
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not few:
            raw = cursor.cursor  # the psycopg 3 cursor underneath Django's wrapper
            with raw.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})"
            iterator = iter(rows)
            while batch := list(islice(iterator, 20_000)):
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def insert_returning_ids(table: str, columns: Sequence[str],
                         rows: Sequence[Sequence[Any]]) -> list[int]:
    """Insert ``rows`` (values already adapted: ``db_time``, ``db_json``) and return their
    new ids in order, many rows per statement (``INSERT ... VALUES ... RETURNING id``,
    as Django's bulk_create does on both databases, without its per-field work, which
    costs ten times the insert itself)."""
    if not rows:
        return []
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, 999 // len(columns))  # under SQLite's oldest parameter limit
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            cursor.execute(f"INSERT INTO {qn(table)} ({cols}) VALUES "
                           f"{', '.join([one] * len(chunk))} RETURNING {qn('id')}",
                           [value for row in chunk for value in row])
            ids += [int(found[0]) for found in cursor.fetchall()]
    return ids


def db_json(value: Any) -> Any:
    """A JSON value for an insert of ours, as Django's JSONField would write it."""
    import json

    return connection.ops.adapt_json_value(value, json.JSONEncoder)


def next_id(table: str) -> int:
    """The first free primary key of ``table`` for a bulk load that assigns its own ids."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {connection.ops.quote_name(table)}")
        return int(cursor.fetchone()[0])


def reset_sequence(table: str) -> None:
    """After inserting explicit ids on PostgreSQL, move the id sequence past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {connection.ops.quote_name(table)}))",
            [table],
        )


def db_time(value: Any) -> Any:
    """A time for a bulk row: UTC text 'YYYY-MM-DD HH:MM:SS' passes through (generators
    format millions at once); a datetime goes through Django's own adapter, so both read
    back identically."""
    if isinstance(value, str):
        return value
    from accord.platform.clock import ensure_aware

    return connection.ops.adapt_datetimefield_value(ensure_aware(value))


def finish_bulk_load(*, actor: Any, tables: Sequence[str], action: str, subject_type: str,
                     counts: dict[str, Any]) -> None:
    """Close a bulk load: move PostgreSQL's id sequences past the explicit ids and leave
    one audit row for the whole load (not one per row)."""
    from accord.platform.audit import record_audit

    for table in tables:
        reset_sequence(table)
    record_audit(actor=actor, action=action, subject_type=subject_type, subject_id="bulk",
                 after=counts)
