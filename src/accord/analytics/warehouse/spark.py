"""The Spark engine: the warehouse's per-customer SQL, written once in DuckDB's dialect
(queries.py), transpiled by SQLGlot and run by Apache Spark (PySpark).

The engine stages the warehouse tables the queries read as Parquet files (DuckDB writes
them), registers them as Spark temp views and answers every query with an Arrow table of
exactly the columns and types DuckDB would give, so the fits downstream cannot tell the
engines apart. pyspark is an optional extra (``pip install accord[spark]``) and needs a
Java runtime; both are looked for only when the engine is opened.

One SparkSession (a JVM) serves the whole process: starting one costs seconds. Each engine
works in a session of its own on top of it (``newSession``: its own temp views), and the
JVM is stopped when the last engine that needed it closes. A session someone else started
(a notebook, a test) is used and left running."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from accord.analytics.warehouse.extracts import EXTRACTS
from accord.analytics.warehouse.sync import DERIVED
from accord.platform.errors import InvalidInput

INSTALL_HINT = "pip install accord[spark] and a Java runtime"
DEFAULT_MASTER = "local[2]"
DEFAULT_MEMORY = "1g"
# Modest: the per-customer tables of one machine's warehouse fit in a few partitions, and
# Spark's default (200) spends most of its time scheduling empty tasks.
SHUFFLE_PARTITIONS = "8"

# Spark's defaults print INFO/WARN lines and a progress bar over the CLI's own output.
# Spark announces "Setting default log level" unless its own logger's level is set and
# equals the root's: both are ERROR.
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
logger.spark.name = org.apache.spark
logger.spark.level = error
"""

# DuckDB's type names for the columns the queries produce, and their Arrow types; any
# other type is asked of DuckDB by running the query with LIMIT 0 (exact, but slower).
_ARROW_TYPES: dict[str, pa.DataType] = {
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "SMALLINT": pa.int16(),
    "TINYINT": pa.int8(),
    "DOUBLE": pa.float64(),
    "FLOAT": pa.float32(),
    "VARCHAR": pa.string(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
}


class _SharedSession:
    """The process's SparkSession and how many engines use it."""

    lock = threading.Lock()
    session: Any = None  # the one this module started, if any
    users = 0


def spark_master() -> str:
    """``ACCORD_SPARK_MASTER`` (or the ANALYTICS_SPARK_MASTER setting), else local[2]."""
    configured = _setting("ANALYTICS_SPARK_MASTER")
    return configured or os.environ.get("ACCORD_SPARK_MASTER") or DEFAULT_MASTER


def _setting(name: str) -> str | None:
    try:
        from django.conf import settings

        value = getattr(settings, name, None) if settings.configured else None
    except ImportError:  # the engine also works outside Django (a notebook)
        value = None
    return str(value) if value else None


def _java_available() -> bool:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None


def _require_spark() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise InvalidInput(f"The spark engine needs pyspark: {INSTALL_HINT}.",
                           field="engine") from exc
    if not _java_available():
        raise InvalidInput(f"The spark engine needs Java (none on PATH or JAVA_HOME): "
                           f"{INSTALL_HINT}.", field="engine")
    return SparkSession


def _start_session(session_class: Any, master: str) -> Any:
    if master.startswith("local") and "SPARK_LOCAL_IP" not in os.environ:
        # Local mode talks to itself: bind to loopback instead of guessing an interface.
        os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    with tempfile.NamedTemporaryFile("w", suffix=".properties", delete=False) as log_config:
        log_config.write(_LOG4J2)
    try:
        builder = (
            session_class.builder.master(master)
            .appName("accord-analytics")
            .config("spark.driver.memory", os.environ.get("ACCORD_SPARK_MEMORY",
                                                          DEFAULT_MEMORY))
            .config("spark.driver.extraJavaOptions",
                    f"-Dlog4j2.configurationFile=file:{log_config.name}")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", SHUFFLE_PARTITIONS)
        )
        try:
            session = builder.getOrCreate()
        except Exception as exc:  # the JVM did not start: no usable Java, mostly
            raise InvalidInput(f"Spark could not start ({exc}): {INSTALL_HINT}.",
                               field="engine") from exc
    finally:
        # log4j has read it by the time the session exists.
        Path(log_config.name).unlink(missing_ok=True)
    session.sparkContext.setLogLevel("ERROR")
    return session


def _acquire_session(session_class: Any) -> tuple[Any, bool]:
    """The shared session, and whether this module started it (so must stop it)."""
    with _SharedSession.lock:
        ours = _SharedSession.session
        if ours is not None:
            _SharedSession.users += 1
            return ours, True
        foreign = session_class.getActiveSession()
        if foreign is not None:
            return foreign, False
        _SharedSession.session = _start_session(session_class, spark_master())
        _SharedSession.users = 1
        return _SharedSession.session, True


def _release_session() -> None:
    with _SharedSession.lock:
        _SharedSession.users -= 1
        if _SharedSession.users <= 0 and _SharedSession.session is not None:
            _SharedSession.session.stop()
            _SharedSession.session = None
            _SharedSession.users = 0


class SparkEngine:
    """Runs warehouse queries on Spark over a Parquet copy of the DuckDB warehouse
    ``duck`` taken when the engine opens."""

    name = "spark"

    def __init__(self, duck: Any, *, staging_dir: Path | str | None = None) -> None:
        session_class = _require_spark()
        self._duck = duck
        self._staging: Path | None = None
        self._views: list[str] = []
        self.timings: dict[str, float] = {}
        started = time.perf_counter()
        base, self._owns_session = _acquire_session(session_class)
        self.timings["session"] = time.perf_counter() - started
        try:
            # A cluster's executors read the Parquet copy too: ACCORD_SPARK_STAGING names
            # a directory they share with this machine (the temp dir serves local mode).
            staging_dir = staging_dir or _setting("ANALYTICS_SPARK_STAGING") or \
                os.environ.get("ACCORD_SPARK_STAGING") or None
            self._staging = Path(tempfile.mkdtemp(prefix="accord-spark-", dir=staging_dir))
            self._spark = base.newSession()
            self._spark.conf.set("spark.sql.session.timeZone", "UTC")
            self._spark.conf.set("spark.sql.shuffle.partitions", SHUFFLE_PARTITIONS)
            started = time.perf_counter()
            self._stage_tables(self._staging)
            self.timings["staging"] = time.perf_counter() - started
        except BaseException:
            self.close()
            raise

    def _stage_tables(self, staging: Path) -> None:
        for table in [extract.table for extract in EXTRACTS] + list(DERIVED):
            target = staging / f"{table}.parquet"
            # Table names come from EXTRACTS and DERIVED, the path from mkdtemp: no user text.
            self._duck.execute(f"COPY {table} TO '{target.as_posix()}' (FORMAT parquet)")
            self._spark.read.parquet(str(target)).createOrReplaceTempView(table)
            self._views.append(table)

    def transpile(self, sql: str) -> str:
        """``sql`` (DuckDB's dialect) in Spark SQL."""
        import sqlglot

        # RAISE: a construct Spark cannot express fails the run instead of a warning.
        statements = sqlglot.transpile(sql, read="duckdb", write="spark",
                                       unsupported_level=sqlglot.ErrorLevel.RAISE)
        if len(statements) != 1:
            raise ValueError(f"expected one statement, got {len(statements)}")
        return statements[0]

    def query(self, sql: str) -> pa.Table:
        """Run one query written in DuckDB's dialect; the answer has DuckDB's schema."""
        target = self._duckdb_schema(sql)
        table: pa.Table = self._spark.sql(self.transpile(sql)).toArrow()
        return _conform(table, target)

    def _duckdb_schema(self, sql: str) -> pa.Schema:
        relation = self._duck.sql(sql)  # binds the query without running it
        types = [_ARROW_TYPES.get(str(kind)) for kind in relation.types]
        known = [kind for kind in types if kind is not None]
        if len(known) == len(types):
            return pa.schema([pa.field(name, kind) for name, kind in zip(relation.columns,
                                                                         known, strict=True)])
        exact: pa.Schema = relation.limit(0).to_arrow_table().schema
        return exact

    def close(self) -> None:
        """Drop the staged copy and, if this engine was the last user of a session this
        module started, stop Spark."""
        for view in self._views:
            self._spark.catalog.dropTempView(view)
        self._views = []
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None
        if self._owns_session:
            self._owns_session = False
            _release_session()


def _conform(table: pa.Table, target: pa.Schema) -> pa.Table:
    """``table`` with ``target``'s types: Spark's integers, decimals and non-null flags
    differ from DuckDB's for the same SQL."""
    if table.column_names != target.names:
        raise ValueError(f"Spark answered columns {table.column_names}, "
                         f"DuckDB's would be {target.names}")
    columns = [column.cast(field.type) if column.type != field.type else column
               for column, field in zip(table.columns, target, strict=True)]
    return pa.Table.from_arrays(columns, schema=target)
