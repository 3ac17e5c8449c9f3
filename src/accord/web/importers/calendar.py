"""`accord import ics PATH`: a progress count over capture's calendar import, then a
summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from accord.capture.services.email import address_rules
from accord.capture.services.meetings import import_calendar
from accord.capture.services.reports import CaptureReport
from accord.platform.actors import SYSTEM
from accord.web.importers.capture_progress import show_rejected, with_progress


def import_ics(path: Path, options: dict[str, Any], console: Console) -> CaptureReport:
    rules = address_rules(options.get("own_domain") or [])
    report = with_progress(console, path, "meetings", lambda progress: import_calendar(
        actor=SYSTEM, path=path, rules=rules,
        unknown=options.get("unknown_senders") or "create",
        window_days=options.get("window_days") or 365, progress=progress))
    updated = getattr(report, "updated", 0)
    console.print(
        f"{report.seen:,} meetings: {report.captured:,} captured "
        f"({report.partial:,} with problems noted), {updated:,} updated, "
        f"{report.present:,} already present, {len(report.rejected):,} rejected; "
        f"{report.created_customers:,} new customers.")
    show_rejected(console, report)
    return report
