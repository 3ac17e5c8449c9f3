"""Engines that run the warehouse SQL: DuckDB in process (the default), or Apache Spark
for data one machine cannot hold (spark.py). Both answer with Arrow tables."""

from __future__ import annotations

from typing import Any, Protocol

import pyarrow as pa

from accord.platform.errors import InvalidInput

ENGINES = ("duckdb", "spark")


class Engine(Protocol):
    name: str

    def query(self, sql: str) -> pa.Table:
        """Run one query written in DuckDB's dialect (warehouse/queries.py)."""
        ...

    def close(self) -> None: ...


class DuckDbEngine:
    name = "duckdb"

    def __init__(self, duck: Any) -> None:
        self._duck = duck

    def query(self, sql: str) -> pa.Table:
        table: pa.Table = self._duck.sql(sql).to_arrow_table()
        return table

    def close(self) -> None:
        """The warehouse connection belongs to the caller."""


def open_engine(name: str, duck: Any) -> Engine:
    """The engine called ``name`` over the synced warehouse ``duck``."""
    if name == "duckdb":
        return DuckDbEngine(duck)
    if name == "spark":
        from accord.analytics.warehouse.spark import SparkEngine

        return SparkEngine(duck)
    raise InvalidInput(f"engine must be one of: {', '.join(ENGINES)}.", field="engine")
