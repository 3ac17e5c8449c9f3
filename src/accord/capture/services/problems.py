"""Items a capture could not take (or took in part), kept with their reason."""

from __future__ import annotations

from accord.capture.models import CaptureProblem
from accord.platform import clock


def record_problem(*, source_id: int | None, origin: str, item: str, reason: str,
                   partial: bool = False) -> None:
    CaptureProblem.objects.create(source_id=source_id, origin=origin[:300], item=item[:500],
                                  reason=reason, partial=partial, occurred_at=clock.now())
