"""`accord import email PATH`: a progress bar over capture's mail import, then a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from accord.capture.services.email import MailRules, address_rules
from accord.capture.services.mail_import import CaptureReport, import_mail
from accord.platform.actors import SYSTEM

SHOWN_PROBLEMS = 20


def import_email(path: Path, options: dict[str, Any], console: Console) -> CaptureReport:
    if not path.exists():
        raise CommandError(f"{path}: no such file or folder.")
    rules = address_rules(options.get("own_domain") or [])
    mail_rules = MailRules(bulk=options.get("list_mail") or "skip")
    columns = (SpinnerColumn(), TextColumn("[progress.description]{task.description}"),
               TextColumn("{task.completed:,} messages"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(f"Importing {path}", total=None)
        report = import_mail(actor=SYSTEM, path=path, rules=rules,
                             unknown=options.get("unknown_senders") or "create",
                             mail_rules=mail_rules,
                             progress=lambda n: progress.advance(task, n))
    console.print(
        f"{report.seen:,} messages: {report.captured:,} captured "
        f"({report.partial:,} with problems noted), {report.present:,} already present, "
        f"{report.skipped:,} skipped by the rules, {len(report.rejected):,} rejected; "
        f"{report.created_customers:,} new customers.")
    for item, reason in report.rejected[:SHOWN_PROBLEMS]:
        console.print(f"  rejected {item}: {reason}")
    if len(report.rejected) > SHOWN_PROBLEMS:
        console.print(f"  ... and {len(report.rejected) - SHOWN_PROBLEMS:,} more "
                      "(all are kept as capture problems).")
    return report
