"""Capture sources: configure them, sync them (now or on schedule), and keep their health.

A sync reads in batches; each batch's items and the checkpoint after it commit in one
transaction, so a sync killed at any point and run again loses nothing and doubles
nothing (items are idempotent per (source, external_id) besides)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from accord.accounts.access import ensure_admin
from accord.capture.domain.sources import (
    SourceKind,
    SourceStatus,
    UnknownSenders,
    next_sync_after,
)
from accord.capture.models import Source
from accord.capture.services.reports import CaptureReport
from accord.capture.services.source_kinds import handler_for
from accord.platform import clock, sealed
from accord.platform.actors import SYSTEM
from accord.platform.audit import record_audit
from accord.platform.errors import AccordError, Conflict, InvalidInput, NotFound

logger = logging.getLogger(__name__)

CLAIM = timedelta(minutes=30)  # longer than any sync should take


@transaction.atomic
def add_source(*, actor: Any, name: str, kind: str, settings: dict[str, Any],
               secrets: dict[str, Any] | None = None, every_minutes: int = 15,
               unknown_senders: str = "create") -> Source:
    """Configure a connector. Secrets are sealed at once and never shown again."""
    ensure_admin(actor)
    if kind not in {k.value for k in SourceKind}:
        raise InvalidInput(f"Unknown source kind {kind!r}.", field="kind")
    if unknown_senders not in {u.value for u in UnknownSenders}:
        raise InvalidInput("unknown_senders must be create, queue or ignore.",
                           field="unknown_senders")
    if not isinstance(every_minutes, int) or every_minutes < 0:
        raise InvalidInput("every_minutes must be 0 (on demand) or more.", field="every_minutes")
    name = name.strip()
    if not name or Source.objects.filter(name=name).exists():
        raise Conflict(f"A source named {name!r} exists already." if name else
                       "A source needs a name.", field="name")
    handler = handler_for(kind)
    if handler is None:
        raise InvalidInput(f"Sources of kind {kind!r} cannot be added yet.", field="kind")
    if not isinstance(settings, dict):
        raise InvalidInput("settings must be an object.", field="settings")
    cleaned = handler.clean(settings, secrets or {})
    if handler.sync is None:
        every_minutes = 0  # it receives its items (webhooks, the web script): no schedule
    now = clock.now()
    source = Source.objects.create(
        name=name, kind=kind, settings=cleaned, sealed_secrets=sealed.seal(secrets or {}),
        every_minutes=every_minutes, unknown_senders=unknown_senders,
        next_sync_at=now if every_minutes else None, created_at=now, updated_at=now)
    record_audit(actor=actor, action="source.added", subject_type="source",
                 subject_id=source.pk, after={"name": name, "kind": kind, **cleaned})
    return source


def sync_source(*, actor: Any, source_id: int) -> CaptureReport:
    """Read what is new since the checkpoint. A failure to reach the source is recorded on
    it (status, error, back-off) and raised; item failures are recorded and skipped."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        raise NotFound(f"Source {source_id} not found.", field="source_id")
    started = clock.now()
    Source.objects.filter(pk=source.pk).update(last_sync_at=started)
    handler = handler_for(source.kind)
    if handler is None or handler.sync is None:
        raise InvalidInput(f"A {source.kind} source receives its items; there is nothing "
                           "to sync.", field="kind")
    try:
        report = handler.sync(actor, source)
    except AccordError as exc:
        _failed(source, exc.message)
        raise
    except OSError as exc:  # sockets, DNS, TLS
        _failed(source, f"cannot reach {handler.where(source)}: {exc}")
        raise AccordError(f"Cannot reach the source: {exc}", field="settings.host") from exc
    except Exception as exc:
        _failed(source, f"unexpected error ({type(exc).__name__})")
        raise
    now = clock.now()
    Source.objects.filter(pk=source.pk).update(
        status=SourceStatus.OK, last_error="", failures=0, last_success_at=now,
        next_sync_at=_next(source, now, 0), updated_at=now)
    return report


def _next(source: Source, now: datetime, failures: int) -> datetime | None:
    if not source.every_minutes:
        return None
    return next_sync_after(now=now, every=timedelta(minutes=source.every_minutes),
                           failures=failures)


def _failed(source: Source, message: str) -> None:
    now = clock.now()
    failures = source.failures + 1
    # An on-demand source (every_minutes=0) is not retried by itself.
    Source.objects.filter(pk=source.pk).update(
        status=SourceStatus.FAILING, last_error=message[:2000], failures=failures,
        next_sync_at=_next(source, now, failures), updated_at=now)


def due_sources(now: datetime | None = None) -> list[int]:
    """Sources whose next sync time has come, most overdue first."""
    moment = now or clock.now()
    return list(Source.objects.filter(next_sync_at__lte=moment)
                .exclude(status=SourceStatus.PAUSED)
                .order_by("next_sync_at").values_list("id", flat=True))


def sync_due(*, actor: Any = SYSTEM, now: datetime | None = None) -> dict[int, str]:
    """Run every due source once (the worker's loop); one failing source never stops
    the others. Returns each source's outcome in words."""
    outcomes: dict[int, str] = {}
    moment = now or clock.now()
    for source_id in due_sources(moment):
        # Claim it first (push its next time out while it runs), so two workers never
        # sync one source at once; the sync sets the real next time when it ends.
        claimed = Source.objects.filter(pk=source_id, next_sync_at__lte=moment).update(
            next_sync_at=clock.now() + CLAIM)
        if not claimed:
            continue
        try:
            report = sync_source(actor=actor, source_id=source_id)
            outcomes[source_id] = f"{report.captured} captured, {len(report.rejected)} rejected"
        except AccordError as exc:
            outcomes[source_id] = f"failed: {exc.message}"
        except Exception as exc:  # logged; the worker goes on
            logger.exception("sync of source %s failed", source_id)
            outcomes[source_id] = f"failed: {type(exc).__name__}"
    return outcomes
