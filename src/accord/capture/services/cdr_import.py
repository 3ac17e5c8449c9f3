"""`accord import cdr PATH`: Asterisk's Master.csv call detail records onto the timeline
of the customer on the other end of each call, with its duration, time waiting (in a
queue), disposition and queue.

Every record is found again by its uniqueid (and sequence), so an import killed at any
point and run again captures what is missing and doubles nothing. A bad line is reported
with its line number and reason; the import goes on."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import tzinfo
from pathlib import Path
from typing import Any

from django.db import transaction

from accord.capture.domain.cdr import CallRecord, columns_for, header_columns, parse_record
from accord.capture.domain.telephony import PhoneRules
from accord.capture.services.reports import CaptureReport
from accord.capture.services.telephony import CDR_SOURCE, PhoneItem, capture_phone_item
from accord.interactions import selectors as interaction_selectors
from accord.platform.errors import InvalidInput

csv.field_size_limit(1 << 20)  # a damaged line may be long; it is rejected, not fatal


def cdr_files(path: Path) -> Iterator[Path]:
    """``path`` itself, or every .csv file under it, in a stable order."""
    if path.is_dir():
        yield from sorted(p for p in path.rglob("*")
                          if p.is_file() and p.suffix.lower() == ".csv")
    else:
        yield path


def import_cdr(*, actor: Any, path: Path, rules: PhoneRules, zone: tzinfo,
               unknown: str = "create",
               progress: Callable[[int], None] = lambda _: None) -> CaptureReport:
    """Every call record in the Master.csv file(s) at ``path``; times in the file are in
    ``zone`` (UTC when cdr.conf says usegmtime=yes)."""
    report = CaptureReport()
    for file in cdr_files(path):
        origin = f"file:{file}"
        try:
            handle = file.open(encoding="utf-8", errors="replace", newline="")
        except OSError as exc:
            report.reject(source_id=None, origin=origin, item=str(file),
                          reason=f"cannot read: {exc.strerror or exc}")
            continue
        with handle:
            for line, row, header, problem in _rows(handle):
                item = f"{file.name} line {line}"
                if problem:
                    report.reject(source_id=None, origin=origin, item=item, reason=problem)
                else:
                    _capture_line(report, actor=actor, row=row, header=header, item=item,
                                  origin=origin, rules=rules, zone=zone, unknown=unknown)
                progress(1)
    return report


Row = tuple[int, list[str], tuple[str, ...] | None, str]


def _rows(handle: Any) -> Iterator[Row]:
    """(line number, cells, the header's column names if the file has one, problem) for
    each non-empty line; a first line naming the columns is a header, not a record."""
    reader = csv.reader(handle)
    header: tuple[str, ...] | None = None
    first = True
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, [], None, f"unreadable line: {exc}"
            continue
        if not any(cell.strip() for cell in row):
            continue
        if first:
            first = False
            header = header_columns(row)
            if header is not None:
                continue
        yield reader.line_num, row, header, ""


def _capture_line(report: CaptureReport, *, actor: Any, row: list[str],
                  header: tuple[str, ...] | None, item: str, origin: str, rules: PhoneRules,
                  zone: tzinfo, unknown: str) -> None:
    try:
        record = parse_record(row, header or columns_for(row), zone)
    except InvalidInput as exc:
        named = not exc.field or exc.field in exc.message
        reason = exc.message if named else f"{exc.field}: {exc.message}"
        report.reject(source_id=None, origin=origin, item=item, reason=reason)
        return
    if interaction_selectors.find_recorded(CDR_SOURCE, record.external_id):
        report.present += 1
        return

    def capture() -> str:
        with transaction.atomic():
            outcome = capture_phone_item(actor=actor, item=_item(record), rules=rules,
                                         unknown=unknown, origin=origin)
        report.created_customers += int(outcome.created_customer)
        return outcome.status

    status = report.guarded(capture, source_id=None, origin=origin, item=item)
    if status == "captured":
        report.captured += 1
    elif status == "present":
        report.present += 1
    elif status == "skipped":
        report.skipped += 1


def _item(record: CallRecord) -> PhoneItem:
    metadata: dict[str, Any] = {
        "uniqueid": record.fields.get("uniqueid", ""), "disposition": record.disposition,
        "status": record.disposition, "duration_seconds": record.billed_seconds,
        "total_seconds": record.duration_seconds, "wait_seconds": record.wait_seconds,
        "answered_at": record.answered_at.isoformat() if record.answered_at else None,
        "ended_at": record.ended_at.isoformat() if record.ended_at else None,
    }
    if record.queue:
        metadata["queue"] = record.queue
    metadata.update({f"cdr_{k}": v for k, v in record.fields.items() if k != "uniqueid"})
    return PhoneItem(namespace=CDR_SOURCE, external_id=record.external_id, channel="call",
                     from_number=record.src, to_number=record.dst,
                     occurred_at=record.started_at,
                     metadata={k: v for k, v in metadata.items() if v not in (None, "")},
                     caller_name=record.caller_name)
