"""Reading import files into numbered records, whatever the format.

A file that cannot be read at all (missing, unknown extension, not text, a CSV without a
header) raises ``ImportFileError``, the only fatal outcome. A single bad line (JSON that
does not parse, a row with more cells than the header) becomes a record carrying its
error, reported with its line number like any other rejected row."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CSV_SUFFIXES = {".csv": ",", ".tsv": "\t"}
JSONL_SUFFIXES = (".jsonl", ".ndjson")

csv.field_size_limit(16 * 1024 * 1024)  # long email bodies in a text column


class ImportFileError(Exception):
    """The file as a whole cannot be read."""


@dataclass
class Record:
    line: int  # 1-based line where the record starts
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # the line could not be read as a record
    error_field: str | None = None


def column_name(raw: str) -> str:
    """'Customer Name ' -> 'customer_name': headers written by people, matched by code."""
    return "_".join(raw.strip().lower().replace("-", " ").split())


def read_records(path: Path) -> Iterator[Record]:
    """The file's records in order, by its extension."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _csv_records(path, CSV_SUFFIXES[suffix])
    if suffix in JSONL_SUFFIXES:
        return _jsonl_records(path)
    known = ", ".join([*CSV_SUFFIXES, *JSONL_SUFFIXES])
    raise ImportFileError(f"{path.name}: unknown file type {suffix or '(none)'!r}; "
                          f"use one of {known}.")


def count_lines(path: Path) -> int:
    """Lines in the file, for the progress bar (counted in 1 MB blocks, quickly)."""
    try:
        with path.open("rb") as handle:
            return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    except OSError as exc:
        raise ImportFileError(f"{path}: {exc.strerror or exc}") from exc


def _open_text(path: Path) -> Any:
    try:
        return path.open("r", encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ImportFileError(f"{path}: {exc.strerror or exc}") from exc


def _csv_records(path: Path, delimiter: str) -> Iterator[Record]:
    handle = _open_text(path)
    with handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = next(reader, None)
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"{path.name}: not UTF-8 text; save it as UTF-8.") from exc
        except csv.Error as exc:
            raise ImportFileError(f"{path.name}: cannot read the header: {exc}") from exc
        if not header or not any(h.strip() for h in header):
            raise ImportFileError(f"{path.name}: the first line must name the columns.")
        names = [column_name(h) for h in header]
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise ImportFileError(f"{path.name}: not UTF-8 text near line {start}; save "
                                      "it as UTF-8.") from exc
            except csv.Error as exc:
                yield Record(start, error=f"unreadable CSV: {exc}")
                start = reader.line_num + 1
                continue
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue  # blank line
            if len(cells) > len(names):
                yield Record(line, error=f"{len(cells)} cells but {len(names)} columns")
                continue
            yield Record(line, {n: c.strip() for n, c in zip(names, cells, strict=False)
                                if n and c.strip()})


def _jsonl_records(path: Path) -> Iterator[Record]:
    handle = _open_text(path)
    with handle:
        line = 0
        while True:
            try:
                text = handle.readline()
            except UnicodeDecodeError as exc:
                raise ImportFileError(f"{path.name}: not UTF-8 text after line {line}; save "
                                      "it as UTF-8.") from exc
            if not text:
                return
            line += 1
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Record(line, error=f"not JSON: {exc.msg} at column {exc.colno}")
                continue
            if not isinstance(value, dict):
                yield Record(line, error="each line must be a JSON object")
                continue
            yield Record(line, {column_name(k): v for k, v in value.items()
                                if v is not None and v != ""})
