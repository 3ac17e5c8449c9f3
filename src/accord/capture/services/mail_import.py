"""`accord import email PATH`: mbox files, Maildir folders and .eml files onto timelines.

Messages are parsed on every core (connectors.parallel_parse) and captured a batch at a
time (services.mail_batch), each batch in one transaction. There is no checkpoint to keep:
every message is found again by its Message-ID, so an import killed at any point and run
again captures what is missing and doubles nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from accord.capture.connectors.mailfiles import read_mail
from accord.capture.connectors.parallel_parse import parse_all
from accord.capture.domain.address_identities import remember
from accord.capture.domain.addresses import AddressRules
from accord.capture.services.email import DEFAULT_RULES, MailRules
from accord.capture.services.mail_batch import BatchContext, MailItem, capture_batch
from accord.capture.services.reports import CaptureReport

BATCH = 500  # messages per transaction


def import_mail(*, actor: Any, path: Path, rules: AddressRules, unknown: str = "create",
                mail_rules: MailRules = DEFAULT_RULES, workers: int | None = None,
                batch_size: int = BATCH,
                progress: Callable[[int], None] = lambda _: None) -> CaptureReport:
    """Every message under ``path``; re-running it adds nothing twice. ``workers``:
    processes parsing (default: one per core); ``batch_size``: messages per transaction."""
    report = CaptureReport()
    ctx = BatchContext(actor=actor, origin=f"file:{path}", rules=rules, unknown=unknown,
                       mail_rules=mail_rules, source_id=None)
    batch: list[MailItem] = []
    for parsed in parse_all(read_mail(path), workers=workers, rules=rules,
                            lookahead=2 * batch_size):
        remember(parsed.identities)
        batch.append(MailItem(parsed.ref, parsed.parsed, parsed.problem))
        if len(batch) >= batch_size:
            capture_batch(report, ctx, batch)
            progress(len(batch))
            batch = []
    if batch:
        capture_batch(report, ctx, batch)
        progress(len(batch))
    return report
