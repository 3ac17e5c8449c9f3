"""Unknown addresses waiting for review: what capture notes when a source's unknown
senders are queued. Kept apart from the review decisions (services/review.py) so that the
email and meeting capture can note an address without importing the document pipeline."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accord.capture.models import QueuedAddress
from accord.platform import clock


def queue_address(*, kind: str, value: str, display: str, source_id: int | None = None) -> None:
    """Note an identity seen on a captured item that matches nobody, on a source whose
    unknown senders wait for review (system use, inside the capture's transaction).
    An address decided before stays decided."""
    now = clock.now()
    if QueuedAddress.objects.filter(kind=kind, value=value).update(last_seen=now):
        return
    try:
        with transaction.atomic():
            QueuedAddress.objects.create(kind=kind, value=value[:320], display=display[:320],
                                         source_id=source_id, first_seen=now, last_seen=now)
    except IntegrityError:  # a concurrent capture queued it first
        pass
