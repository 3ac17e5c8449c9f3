"""Database settings for loading millions of rows at once, undone afterwards.

When the tables start empty, their non-unique indexes are dropped for the load and
rebuilt at the end: one sort per index instead of ten million random B-tree inserts.
Unique indexes stay, so a duplicate still fails the load. On PostgreSQL the foreign keys
are dropped too and re-added at the end, which checks every row in one join instead of a
deferred trigger per row; on SQLite they are not re-checked per row during the load (the
loader numbers every id itself). SQLite also runs without fsync and with a ~1 GB page
cache. Statistics are refreshed at the end so the query planner knows the new sizes.

An operating-system crash during the load can leave the file inconsistent; for a demo
data set that means generating it again in a fresh data directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection


def _empty(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
        return cursor.fetchone() is None


def _sqlite_suspensions(tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """(DROP, CREATE) for every non-unique index on ``tables``."""
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                       f"tbl_name IN ({marks}) AND sql IS NOT NULL", list(tables))
        rows = cursor.fetchall()
    qn = connection.ops.quote_name
    return [(f"DROP INDEX {qn(name)}", sql) for name, sql in rows
            if not sql.upper().startswith("CREATE UNIQUE")]


def _postgresql_suspensions(tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """(DROP, re-create) for the non-unique indexes and the foreign keys of ``tables``:
    re-adding a foreign key checks every row in one join instead of a trigger per row."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexdef NOT LIKE 'CREATE UNIQUE%%' AND indexname "
            "NOT IN (SELECT conname FROM pg_constraint)", [list(tables)])
        indexes = [(f"DROP INDEX {qn(name)}", sql) for name, sql in cursor.fetchall()]
        cursor.execute(
            "SELECT c.conname, t.relname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f' "
            "AND t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace",
            [list(tables)])
        keys = [(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}",
                 f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
                for name, table, definition in cursor.fetchall()]
    return indexes + keys


# Per-connection settings for the load, and what they go back to.
_SQLITE_SESSION = [("cache_size=-1000000", "cache_size=-64000"), ("threads=2", "threads=0"),
                   ("ignore_check_constraints=ON", "ignore_check_constraints=OFF")]
_SQLITE_OUTSIDE_TRANSACTIONS = [("synchronous=OFF", "synchronous=NORMAL"),
                                ("foreign_keys=OFF", "foreign_keys=ON"),
                                ("temp_store=MEMORY", "temp_store=DEFAULT")]
_POSTGRESQL_SESSION = [("synchronous_commit", "off"), ("maintenance_work_mem", "'512MB'")]


@contextmanager
def fast_load(tables: tuple[str, ...], *, say: Callable[[str], None] = lambda _: None
              ) -> Iterator[None]:
    vendor = connection.vendor
    settings: list[str] = []
    restore: list[str] = []
    if vendor == "sqlite":
        pairs = _SQLITE_SESSION + ([] if connection.in_atomic_block  # refused inside one
                                   else _SQLITE_OUTSIDE_TRANSACTIONS)
        settings = [f"PRAGMA {on}" for on, _ in pairs]
        restore = [f"PRAGMA {off}" for _, off in pairs]
    elif vendor == "postgresql":
        settings = [f"SET {name} = {value}" for name, value in _POSTGRESQL_SESSION]
        restore = [f"RESET {name}" for name, _ in _POSTGRESQL_SESSION]
    suspended: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        for statement in settings:
            cursor.execute(statement)
        # Inside a caller's transaction PostgreSQL refuses to re-create indexes or foreign
        # keys on tables with deferred checks pending, so it keeps them there.
        suspend = vendor == "sqlite" or (vendor == "postgresql"
                                         and not connection.in_atomic_block)
        if suspend and all(_empty(t) for t in tables):
            suspended = (_sqlite_suspensions if vendor == "sqlite"
                         else _postgresql_suspensions)(tables)
            for drop, _ in suspended:
                cursor.execute(drop)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if suspended:
                say(f"Rebuilding {len(suspended)} indexes and constraints")
            for _, create in suspended:
                cursor.execute(create)
        _analyse(tables)
        with connection.cursor() as cursor:
            for statement in restore:
                cursor.execute(statement)
            if vendor == "sqlite" and not connection.in_atomic_block:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _analyse(tables: tuple[str, ...]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")  # sampled: seconds, not minutes
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
