"""`accord import email PATH`: mbox files, Maildir folders and .eml files onto timelines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from accord.capture.connectors.mailfiles import read_mail
from accord.capture.domain.addresses import AddressRules
from accord.capture.domain.email_message import parse_email
from accord.capture.services.email import DEFAULT_RULES, MailRules, capture_email
from accord.capture.services.reports import CaptureReport


def capture_raw_email(report: CaptureReport, *, actor: Any, raw: bytes, item: str,
                      origin: str, rules: AddressRules, unknown: str, mail_rules: MailRules,
                      source_id: int | None = None,
                      metadata: dict[str, Any] | None = None) -> None:
    """Parse and record one message, counting the outcome; a failure is recorded as a
    problem of the source and never raised, so the import or sync goes on."""
    def capture() -> Any:
        parsed = parse_email(raw)
        return parsed, capture_email(actor=actor, parsed=parsed, origin=origin, rules=rules,
                                     unknown=unknown, mail_rules=mail_rules,
                                     metadata=metadata)

    done = report.guarded(capture, source_id=source_id, origin=origin, item=item)
    if done is None:
        return
    parsed, outcome = done
    if outcome.status == "captured":
        report.captured += 1
        report.created_customers += len(outcome.created_customers)
        report.captured_in_part(source_id=source_id, origin=origin, item=item,
                                problems=[*parsed.defects, *outcome.notes])
    elif outcome.status == "present":
        report.present += 1
    else:
        report.skipped += 1


def import_mail(*, actor: Any, path: Path, rules: AddressRules, unknown: str = "create",
                mail_rules: MailRules = DEFAULT_RULES,
                progress: Callable[[int], None] = lambda _: None) -> CaptureReport:
    """Every message under ``path``; re-running it adds nothing twice."""
    report = CaptureReport()
    origin = f"file:{path}"
    for entry in read_mail(path):
        if entry.raw is None:
            report.reject(source_id=None, origin=origin, item=entry.ref, reason=entry.problem)
        else:
            capture_raw_email(report, actor=actor, raw=entry.raw, item=entry.ref,
                              origin=origin, rules=rules, unknown=unknown,
                              mail_rules=mail_rules)
        progress(1)
    return report
