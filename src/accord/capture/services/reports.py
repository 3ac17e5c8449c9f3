"""What an import or a sync did, item by item, and the items it could not take (or took
only in part), kept with their reason as capture problems."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from accord.capture.models import CaptureProblem
from accord.platform import clock
from accord.platform.errors import AccordError

logger = logging.getLogger(__name__)
T = TypeVar("T")


def record_problem(*, source_id: int | None, origin: str, item: str, reason: str,
                   partial: bool = False) -> None:
    CaptureProblem.objects.create(source_id=source_id, origin=origin[:300], item=item[:500],
                                  reason=reason, partial=partial, occurred_at=clock.now())


@dataclass
class CaptureReport:
    """Counts and reasons; every rejection is also kept as a problem of its source."""

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

    def reject(self, *, source_id: int | None, origin: str, item: str, reason: str) -> None:
        self.rejected.append((item, reason))
        record_problem(source_id=source_id, origin=origin, item=item, reason=reason)

    def captured_in_part(self, *, source_id: int | None, origin: str, item: str,
                         problems: list[str]) -> None:
        """Count a captured item that came with problems, and keep them."""
        if problems:
            self.partial += 1
            record_problem(source_id=source_id, origin=origin, item=item,
                           reason="; ".join(problems), partial=True)

    def guarded(self, capture: Callable[[], T], *, source_id: int | None, origin: str,
                item: str) -> T | None:
        """Run one item's capture; if it fails, count and keep the reason and return
        None: one bad item never stops an import or a sync."""
        try:
            return capture()
        except AccordError as exc:
            self.reject(source_id=source_id, origin=origin, item=item, reason=exc.message)
        except Exception as exc:
            logger.exception("capturing %s from %s failed", item, origin)
            self.reject(source_id=source_id, origin=origin, item=item,
                        reason=f"unexpected error ({type(exc).__name__}): {exc}"[:500])
        return None
