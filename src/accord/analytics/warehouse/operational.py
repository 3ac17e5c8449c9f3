"""Reading the operational store as Arrow over ADBC, and writing scores back the same way.

ADBC moves millions of rows a second into DuckDB without pinning DuckDB's version to its
SQLite/PostgreSQL extensions (which would need an Internet download). It opens its own
connection from Django's settings, so it sees only committed data.

On SQLite, ADBC brings its own copy of the SQLite library. Two copies in one process
corrupt the file (POSIX locks are per process: one copy closing the file drops the other's
locks), so on SQLite each ADBC session runs in a forked child process, which then locks
like any other SQLite client; rows come back as an Arrow IPC stream over a pipe.

A big copy is read in parts at the same time (``ConcurrentRead``): one SQLite session
decodes about a million rows a second on one core, so ten million rows want them all."""

from __future__ import annotations

import os
import pickle
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import pyarrow as pa
from django.db import connection

from accord.platform.errors import InvalidInput

T = TypeVar("T")
# Rows per Arrow batch read from SQLite: the driver's default (1,024) makes ten thousand
# batches of a big table, and DuckDB pays per batch when it loads them.
_SQLITE_BATCH_ROWS = "65536"


def _postgres_uri(settings: dict[str, Any]) -> str:
    user = quote(settings.get("USER") or "", safe="")
    password = quote(settings.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{quote(settings['NAME'], safe='')}"


def vendor() -> str:
    """'sqlite' or 'postgresql': which dialect the extraction SQL must speak."""
    return connection.vendor


@contextmanager
def operational_connection() -> Iterator[Any]:
    """An ADBC DB-API connection to the database Django uses (the test database too)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        import adbc_driver_sqlite.dbapi as sqlite_adbc

        name = str(settings["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise InvalidInput("Analytics needs the database in a file, not in memory.",
                               field="database")
        conn = sqlite_adbc.connect(name)
    elif connection.vendor == "postgresql":
        import adbc_driver_postgresql.dbapi as pg_adbc

        conn = pg_adbc.connect(_postgres_uri(settings))
    else:
        raise InvalidInput(f"Analytics cannot read a {connection.vendor} database.",
                           field="database")
    try:
        yield conn
    finally:
        conn.close()


def _busy_wait(conn: Any) -> None:
    if connection.vendor == "sqlite":
        cursor = conn.cursor()
        cursor.execute("PRAGMA busy_timeout = 20000")  # as Django's own connections wait
        cursor.close()


def in_session(work: Callable[[Any], T]) -> T:
    """``work(adbc_connection)``'s result: in this process on PostgreSQL, in a forked
    child on SQLite (see the module docstring). The result must pickle."""
    if connection.vendor != "sqlite":
        with operational_connection() as conn:
            return work(conn)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        code = 0
        try:
            with operational_connection() as conn:
                _busy_wait(conn)
                payload = pickle.dumps((True, work(conn)))
        except BaseException as exc:
            code = 1
            payload = pickle.dumps((False, exc if _picklable(exc) else RuntimeError(
                "".join(traceback.format_exception(exc)))))
        with os.fdopen(write_end, "wb") as out:
            out.write(payload)
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as incoming:
        data = incoming.read()
    os.waitpid(pid, 0)
    ok, value = pickle.loads(data) if data else (False, RuntimeError("ADBC child died"))
    if not ok:
        raise value
    result: T = value
    return result


def _picklable(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return True


@contextmanager
def reading(sql: str) -> Iterator[pa.RecordBatchReader]:
    """The rows of ``sql`` as a stream of Arrow batches."""
    if connection.vendor != "sqlite":
        with operational_connection() as conn:
            cursor = conn.cursor()
            try:
                cursor.execute(sql)
                yield cursor.fetch_record_batch()
            finally:
                cursor.close()
        return
    read_end, write_end = os.pipe()
    error_read, error_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.close(error_read)
        code = 0
        try:
            with operational_connection() as conn, os.fdopen(write_end, "wb") as out:
                _busy_wait(conn)
                cursor = conn.cursor()
                cursor.adbc_statement.set_options(
                    **{"adbc.sqlite.query.batch_rows": _SQLITE_BATCH_ROWS})
                cursor.execute(sql)
                batches = cursor.fetch_record_batch()
                with pa.ipc.new_stream(out, batches.schema) as stream:
                    for batch in batches:
                        stream.write_batch(batch)
        except BaseException as exc:
            code = 1
            os.write(error_write, f"{type(exc).__name__}: {exc}".encode()[:4000])
        os._exit(code)
    os.close(write_end)
    os.close(error_write)
    source = os.fdopen(read_end, "rb")
    try:
        try:
            reader = pa.ipc.open_stream(source)
        except pa.ArrowInvalid:
            reader = None
        if reader is not None:
            yield reader
    finally:
        source.close()
        _, status = os.waitpid(pid, 0)
        with os.fdopen(error_read, "rb") as errors:
            message = errors.read().decode(errors="replace")
        if status != 0:
            raise RuntimeError(f"Reading the database failed: {message or status}")


class ConcurrentRead:
    """Several queries read at the same time, each in its own session (a child process
    each on SQLite), while the caller's ``with`` block does other work; afterwards
    ``table`` holds all their rows, in the order of ``sqls``.

    The sessions open on entry, in the calling thread: forking from a helper thread could
    copy a lock some other thread holds into the child. Helper threads only drain."""

    def __init__(self, sqls: list[str]) -> None:
        self.sqls = sqls
        self.table: pa.Table | None = None
        self._parts: list[pa.Table | None] = [None] * len(sqls)
        self._failures: list[BaseException] = []
        self._threads: list[threading.Thread] = []
        self._sessions = ExitStack()

    def __enter__(self) -> ConcurrentRead:
        try:
            readers = [self._sessions.enter_context(reading(sql)) for sql in self.sqls]
        except BaseException:
            self._sessions.close()
            raise
        self._threads = [threading.Thread(target=self._drain, args=(k, reader), daemon=True)
                         for k, reader in enumerate(readers)]
        for thread in self._threads:
            thread.start()
        return self

    def _drain(self, k: int, reader: pa.RecordBatchReader) -> None:
        try:
            self._parts[k] = reader.read_all()
        except BaseException as exc:  # handed to the calling thread in __exit__
            self._failures.append(exc)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 trace: TracebackType | None) -> None:
        for thread in self._threads:
            thread.join()
        self._sessions.close()  # waits for the children; raises what failed in them
        if kind is None:
            if self._failures:
                raise self._failures[0]
            # An empty part's column types are guesses (SQLite types a column from its
            # first rows), so only parts with rows are joined.
            parts = [part for part in self._parts if part is not None]
            filled = [part for part in parts if part.num_rows] or parts[:1]
            self.table = pa.concat_tables(filled)


def read_tables(sqls: list[str]) -> list[pa.Table]:
    """The rows of several small queries, through one session (one fork on SQLite: a
    real-time update reads a handful of tables and should not pay for a fork each)."""
    def run_all(conn: Any) -> list[bytes]:
        payloads = []
        cursor = conn.cursor()
        try:
            for sql in sqls:
                cursor.execute(sql)
                sink = pa.BufferOutputStream()
                table = cursor.fetch_arrow_table()
                with pa.ipc.new_stream(sink, table.schema) as stream:
                    stream.write_table(table)
                payloads.append(sink.getvalue().to_pybytes())
        finally:
            cursor.close()
        return payloads

    return [pa.ipc.open_stream(payload).read_all() for payload in in_session(run_all)]
