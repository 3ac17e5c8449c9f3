"""The terminal side of `accord import email|ics`: a running count while capture works,
then the items it rejected."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import CommandError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from accord.capture.services.reports import CaptureReport

SHOWN_PROBLEMS = 20


def with_progress(console: Console, path: Path, noun: str,
                  run: Callable[[Callable[[int], None]], CaptureReport]) -> CaptureReport:
    """``run(progress)`` with a spinner counting ``noun``s; ``path`` must exist."""
    if not path.exists():
        raise CommandError(f"{path}: no such file or folder.")
    columns = (SpinnerColumn(), TextColumn("[progress.description]{task.description}"),
               TextColumn(f"{{task.completed:,}} {noun}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(f"Importing {path}", total=None)
        return run(lambda n: progress.advance(task, n))


def show_rejected(console: Console, report: CaptureReport) -> None:
    for item, reason in report.rejected[:SHOWN_PROBLEMS]:
        console.print(f"  rejected {item}: {reason}")
    if len(report.rejected) > SHOWN_PROBLEMS:
        console.print(f"  ... and {len(report.rejected) - SHOWN_PROBLEMS:,} more "
                      "(all are kept as capture problems).")
