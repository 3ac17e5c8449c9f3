"""Score exports as CSV and Parquet, streamed: rows go out in chunks as they are read,
so an export of a million customers never sits whole in memory.

An export takes personal data out of Accord, so starting one records an audit entry
("analytics.exported": format, filters, row count) before the first byte is sent."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from accord.analytics import selectors
from accord.analytics.selectors import EXPORT_COLUMNS, ScoreFilters
from accord.platform import clock
from accord.platform.audit import record_audit

FORMATS = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}
# Column names as the file shows them (the ORM path of the name reads badly).
HEADER = tuple("customer_name" if c == "customer__display_name" else c
               for c in EXPORT_COLUMNS)
PARQUET_BATCH = 10_000
_TEXT = {"customer_name", "segment", "churn_band", "pattern", "pattern_explanation",
         "updated_by"}
_DATES = {"as_of", "first_purchase", "last_purchase", "next_purchase_on"}
_INTS = {"customer_id", "run_id", "rfm_recency", "rfm_frequency", "rfm_monetary"}
PARQUET_SCHEMA = pa.schema([
    pa.field(name, pa.string() if name in _TEXT else pa.date32() if name in _DATES
             else pa.int64() if name in _INTS
             else pa.timestamp("us", tz="UTC") if name == "updated_at" else pa.float64())
    for name in HEADER])


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    rows: int
    chunks: Iterator[bytes]


def export_scores(actor: Any, filters: ScoreFilters, fmt: str) -> Export:
    """Audit the export, then return its streamed body. Only the actor's visible
    customers are in it; the filters are those of the scores list."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")  # the routes name the format
    rows = selectors.export_count(actor, filters)
    record_audit(actor=actor, action="analytics.exported", subject_type="customer_scores",
                 subject_id=fmt, after={"format": fmt, "rows": rows, **filters.as_dict()})
    data = selectors.export_rows(actor, filters)
    chunks = csv_chunks(data) if fmt == "csv" else parquet_chunks(data)
    return Export(f"accord-scores-{clock.now().date().isoformat()}.{fmt}", FORMATS[fmt],
                  rows, chunks)


class _Line:
    """A file for csv.writer that hands back each line instead of keeping it."""

    def write(self, text: str) -> str:
        return text


def _cell(name: str, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    # A name such as "=HYPERLINK(...)" would run as a formula in a spreadsheet.
    if name in _TEXT and isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t"):
        return "'" + value
    return value


def csv_chunks(rows: Iterable[tuple[Any, ...]], lines_per_chunk: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV with a header row, a few hundred lines per chunk."""
    writer = csv.writer(_Line())
    buffer = [writer.writerow(HEADER)]
    for row in rows:
        buffer.append(writer.writerow([_cell(n, v) for n, v in zip(HEADER, row, strict=True)]))
        if len(buffer) >= lines_per_chunk:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


class _ChunkSink(io.RawIOBase):
    """A write-only file that keeps what Parquet writes until it is taken, and counts
    every byte so the footer's offsets stay right although the bytes are gone."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts = []
        return out


def _batch(rows: list[tuple[Any, ...]]) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in HEADER]
    return pa.RecordBatch.from_arrays(
        [pa.array(list(col), type=PARQUET_SCHEMA.field(i).type)
         for i, col in enumerate(columns)], schema=PARQUET_SCHEMA)


def parquet_chunks(rows: Iterable[tuple[Any, ...]]) -> Iterator[bytes]:
    """A Parquet file (typed columns, one row group per batch), written as it streams."""
    sink = _ChunkSink()
    writer = pq.ParquetWriter(sink, PARQUET_SCHEMA, compression="zstd")
    pending: list[tuple[Any, ...]] = []
    for row in rows:
        pending.append(row)
        if len(pending) >= PARQUET_BATCH:
            writer.write_batch(_batch(pending))
            pending = []
            yield sink.take()
    if pending:
        writer.write_batch(_batch(pending))
    writer.close()
    yield sink.take()
