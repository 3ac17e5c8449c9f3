"""`accord import email PATH`: mbox files, Maildir folders and .eml files onto timelines."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.capture.connectors.mailfiles import read_mail
from accord.capture.domain.addresses import AddressRules
from accord.capture.domain.email_message import parse_email
from accord.capture.services.email import DEFAULT_RULES, MailRules, capture_email
from accord.capture.services.problems import record_problem
from accord.platform.errors import AccordError

logger = logging.getLogger(__name__)


@dataclass
class CaptureReport:
    """What an import or a sync did, item by item, in counts and reasons."""

    captured: int = 0
    present: int = 0  # captured before: re-runs add nothing
    skipped: int = 0  # ruled out (list mail, auto-replies, as the rules say)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (item, reason)
    partial: int = 0  # captured, with a problem noted
    created_customers: int = 0

    @property
    def seen(self) -> int:
        return self.captured + self.present + self.skipped + len(self.rejected)

    def add(self, other: CaptureReport) -> None:
        self.captured += other.captured
        self.present += other.present
        self.skipped += other.skipped
        self.rejected += other.rejected
        self.partial += other.partial
        self.created_customers += other.created_customers


def capture_raw_email(report: CaptureReport, *, actor: Any, raw: bytes, item: str,
                      origin: str, rules: AddressRules, unknown: str, mail_rules: MailRules,
                      source_id: int | None = None,
                      metadata: dict[str, Any] | None = None) -> None:
    """Parse and record one message, counting the outcome; a failure is recorded as a
    problem of the source and never raised, so the import or sync goes on."""
    try:
        parsed = parse_email(raw)
        outcome = capture_email(actor=actor, parsed=parsed, origin=origin, rules=rules,
                                unknown=unknown, mail_rules=mail_rules, metadata=metadata)
    except AccordError as exc:
        report.rejected.append((item, exc.message))
        record_problem(source_id=source_id, origin=origin, item=item, reason=exc.message)
        return
    except Exception as exc:  # one bad item never stops a sync
        logger.exception("capturing %s from %s failed", item, origin)
        reason = f"unexpected error ({type(exc).__name__}): {exc}"[:500]
        report.rejected.append((item, reason))
        record_problem(source_id=source_id, origin=origin, item=item, reason=reason)
        return
    if outcome.status == "captured":
        report.captured += 1
        report.created_customers += len(outcome.created_customers)
        problems = [*parsed.defects, *outcome.notes]
        if problems:
            report.partial += 1
            record_problem(source_id=source_id, origin=origin, item=item,
                           reason="; ".join(problems), partial=True)
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
            report.rejected.append((entry.ref, entry.problem))
            record_problem(source_id=None, origin=origin, item=entry.ref, reason=entry.problem)
        else:
            capture_raw_email(report, actor=actor, raw=entry.raw, item=entry.ref,
                              origin=origin, rules=rules, unknown=unknown,
                              mail_rules=mail_rules)
        progress(1)
    return report
