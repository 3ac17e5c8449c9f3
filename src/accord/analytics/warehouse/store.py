"""The warehouse file: where it lives, opening it, and its tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

from accord.analytics.warehouse.extracts import EXTRACTS
from accord.platform.errors import Conflict


def warehouse_path() -> Path:
    """``ACCORD_WAREHOUSE`` if set, else warehouse.duckdb in the data directory."""
    configured = getattr(settings, "ANALYTICS_WAREHOUSE", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "warehouse.duckdb"


def ensure_schema(duck: Any) -> None:
    for extract in EXTRACTS:
        duck.execute(f"CREATE TABLE IF NOT EXISTS {extract.table} ({extract.columns})")
    duck.execute("CREATE TABLE IF NOT EXISTS sync_state "
                 "(name VARCHAR PRIMARY KEY, synced_at TIMESTAMP)")


@contextmanager
def open_warehouse(path: Path | None = None) -> Iterator[Any]:
    """The warehouse, opened for writing. Only one process may hold it: a second run
    gets a Conflict instead of waiting."""
    import duckdb

    target = path or warehouse_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        duck = duckdb.connect(str(target))
    except duckdb.IOException as exc:
        raise Conflict(f"The analytics warehouse {target} is in use by another run.",
                       field="warehouse") from exc
    try:
        duck.execute("SET TimeZone = 'UTC'")
        duck.execute("SET enable_progress_bar = false")  # the CLI draws its own
        ensure_schema(duck)
        yield duck
    finally:
        duck.close()
