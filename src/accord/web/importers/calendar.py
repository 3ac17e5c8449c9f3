"""`accord import ics PATH`: a progress count over capture's calendar import, then a
summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from accord.capture.services.email import address_rules
from accord.capture.services.mail_import import CaptureReport
from accord.capture.services.meetings import import_calendar
from accord.platform.actors import SYSTEM

SHOWN_PROBLEMS = 20


def import_ics(path: Path, options: dict[str, Any], console: Console) -> CaptureReport:
    if not path.exists():
        raise CommandError(f"{path}: no such file or folder.")
    rules = address_rules(options.get("own_domain") or [])
    columns = (SpinnerColumn(), TextColumn("[progress.description]{task.description}"),
               TextColumn("{task.completed:,} meetings"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(f"Importing {path}", total=None)
        report = import_calendar(actor=SYSTEM, path=path, rules=rules,
                                 unknown=options.get("unknown_senders") or "create",
                                 window_days=options.get("window_days") or 365,
                                 progress=lambda n: progress.advance(task, n))
    updated = getattr(report, "updated", 0)
    console.print(
        f"{report.seen:,} meetings: {report.captured:,} captured "
        f"({report.partial:,} with problems noted), {updated:,} updated, "
        f"{report.present:,} already present, {len(report.rejected):,} rejected; "
        f"{report.created_customers:,} new customers.")
    for item, reason in report.rejected[:SHOWN_PROBLEMS]:
        console.print(f"  rejected {item}: {reason}")
    if len(report.rejected) > SHOWN_PROBLEMS:
        console.print(f"  ... and {len(report.rejected) - SHOWN_PROBLEMS:,} more "
                      "(all are kept as capture problems).")
    return report
