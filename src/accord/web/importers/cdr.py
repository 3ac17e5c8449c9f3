"""`accord import cdr PATH`: a progress count over capture's call-record import, then a
summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.management.base import CommandError
from rich.console import Console

from accord.capture.domain.telephony import PhoneRules
from accord.capture.services.cdr_import import import_cdr
from accord.capture.services.reports import CaptureReport
from accord.platform.actors import SYSTEM
from accord.platform.errors import InvalidInput
from accord.web.importers.capture_progress import show_rejected, with_progress


def import_call_records(path: Path, options: dict[str, Any], console: Console) -> CaptureReport:
    try:
        zone = ZoneInfo(options.get("timezone") or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CommandError(f"--timezone: unknown time zone {options.get('timezone')!r}.") \
            from exc
    try:
        rules = PhoneRules.build(options.get("own_number") or [],
                                 region=settings.DEFAULT_PHONE_REGION,
                                 extension_digits=options.get("extension_digits") or 5)
    except InvalidInput as exc:
        raise CommandError(f"--own-number: {exc.message}") from exc
    report = with_progress(console, path, "call records", lambda progress: import_cdr(
        actor=SYSTEM, path=path, rules=rules, zone=zone,
        unknown=options.get("unknown_senders") or "create", progress=progress))
    console.print(
        f"{report.seen:,} call records: {report.captured:,} captured, "
        f"{report.present:,} already present, {report.skipped:,} skipped (internal calls "
        f"and withheld numbers), {len(report.rejected):,} rejected; "
        f"{report.created_customers:,} new customers.")
    show_rejected(console, report)
    return report
