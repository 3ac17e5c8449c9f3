"""Running an import: every record through its handler, each in its own savepoint, so
a bad row is reported and rolled back alone while good rows are kept.

Rows are committed in batches (one transaction per ``BATCH`` rows, a savepoint per
row): far fewer commits than one per row, and a crash loses at most one batch, which the
next run, being idempotent, simply redoes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import DatabaseError, transaction
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from accord.platform.errors import AccordError
from accord.web.importers.fields import RowError
from accord.web.importers.records import Record
from accord.web.importers.report import ImportReport, Outcome

BATCH = 500
log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Outcome]


def _batches(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_one(record: Record, handler: Handler, report: ImportReport) -> None:
    if record.error is not None:
        report.reject(record.line, record.error_field, record.error)
        return
    try:
        with transaction.atomic():
            outcome = handler(record.data)
    except RowError as exc:
        report.reject(record.line, exc.field, exc.message)
    except AccordError as exc:
        report.reject(record.line, exc.field, exc.message)
    except (DatabaseError, ValueError, TypeError, ArithmeticError) as exc:
        # Unexpected, but one row must not stop the import: report it and carry on.
        log.exception("import of line %s failed", record.line)
        report.reject(record.line, None, f"could not be stored: {exc}")
    else:
        report.count(outcome)


def run_import(records: Iterable[Record], handler: Handler, report: ImportReport, *,
               total: int | None, console: Console) -> ImportReport:
    """Import every record; ``total`` (lines, roughly) sizes the progress bar."""
    progress = Progress(TextColumn(f"[bold]Importing {report.kind}"), BarColumn(),
                        MofNCompleteColumn(), TextColumn("lines"), TimeElapsedColumn(),
                        console=console, transient=False)
    with progress:
        task = progress.add_task("import", total=total)
        for batch in _batches(records, BATCH):
            with transaction.atomic():
                for record in batch:
                    import_one(record, handler, report)
            progress.update(task, completed=batch[-1].line)
        progress.update(task, completed=total)
    return report
