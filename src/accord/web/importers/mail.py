"""`accord import email PATH`: a progress bar over capture's mail import, then a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from accord.capture.services.email import MailRules, address_rules
from accord.capture.services.mail_import import BATCH, import_mail
from accord.capture.services.reports import CaptureReport
from accord.platform.actors import SYSTEM
from accord.web.importers.capture_progress import show_rejected, with_progress


def import_email(path: Path, options: dict[str, Any], console: Console) -> CaptureReport:
    rules = address_rules(options.get("own_domain") or [])
    mail_rules = MailRules(bulk=options.get("list_mail") or "skip")
    report = with_progress(console, path, "messages", lambda progress: import_mail(
        actor=SYSTEM, path=path, rules=rules,
        unknown=options.get("unknown_senders") or "create", mail_rules=mail_rules,
        batch_size=max(1, options.get("batch") or BATCH), workers=options.get("workers"),
        progress=progress))
    console.print(
        f"{report.seen:,} messages: {report.captured:,} captured "
        f"({report.partial:,} with problems noted), {report.present:,} already present, "
        f"{report.skipped:,} skipped by the rules, {len(report.rejected):,} rejected; "
        f"{report.created_customers:,} new customers.")
    show_rejected(console, report)
    return report
