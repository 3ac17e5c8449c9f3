"""Capture sources: configure them, sync them (now or on schedule), and keep their health.

A sync reads in batches; each batch's items and the checkpoint after it commit in one
transaction, so a sync killed at any point and run again loses nothing and doubles
nothing (items are idempotent per (source, external_id) besides)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F

from accord.accounts.access import ensure_admin
from accord.capture.connectors.imap import FolderState, ImapMailbox, ImapSettings
from accord.capture.domain.sources import (
    SourceKind,
    SourceStatus,
    UnknownSenders,
    next_sync_after,
)
from accord.capture.models import Source
from accord.capture.services.email import MailRules, address_rules
from accord.capture.services.mail_import import capture_raw_email
from accord.capture.services.reports import CaptureReport
from accord.platform import clock, sealed
from accord.platform.actors import SYSTEM
from accord.platform.audit import record_audit
from accord.platform.errors import AccordError, Conflict, InvalidInput, NotFound

logger = logging.getLogger(__name__)

# The settings each kind accepts (never secrets: those go through ``secrets``).
IMAP_SETTINGS = {"host", "port", "security", "username", "folders", "own_domains",
                 "own_addresses", "auto_reply", "bulk", "batch"}
IMAP_SECRETS = {"password"}
CLAIM = timedelta(minutes=30)  # longer than any sync should take


def _as_list(value: Any, field: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in value.split(",")]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"{field} must be a list of names.", field=f"settings.{field}")
    return [v.strip() for v in value if v.strip()]


def _clean_imap(values: dict[str, Any], secrets: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - IMAP_SETTINGS
    if unknown:
        raise InvalidInput(f"Unknown IMAP setting {sorted(unknown)[0]!r}.",
                           field=f"settings.{sorted(unknown)[0]}")
    if set(secrets) - IMAP_SECRETS:
        raise InvalidInput("IMAP sources keep only a password secret.", field="secrets")
    host = str(values.get("host") or "").strip()
    if not host:
        raise InvalidInput("An IMAP source needs a host.", field="settings.host")
    security = str(values.get("security") or "tls")
    if security not in {"tls", "starttls", "plain"}:
        raise InvalidInput("security must be tls, starttls or plain.", field="settings.security")
    try:
        port = int(values.get("port") or (993 if security == "tls" else 143))
        batch = int(values.get("batch") or 200)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("port and batch must be numbers.", field="settings.port") from exc
    if not 0 < port < 65536:
        raise InvalidInput("port must be between 1 and 65535.", field="settings.port")
    for rule in ("auto_reply", "bulk"):
        if values.get(rule, "record") not in {"record", "skip"}:
            raise InvalidInput(f"{rule} must be record or skip.", field=f"settings.{rule}")
    cleaned = {"host": host, "port": port, "security": security,
               "username": str(values.get("username") or ""),
               "folders": _as_list(values.get("folders"), "folders"),
               "own_domains": _as_list(values.get("own_domains"), "own_domains"),
               "own_addresses": _as_list(values.get("own_addresses"), "own_addresses"),
               "auto_reply": values.get("auto_reply", "record"),
               "bulk": values.get("bulk", "skip"), "batch": max(1, min(batch, 1000))}
    ImapSettings(host=host, port=port, security=security)  # refuses plain off loopback
    return cleaned


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
    cleaned = _clean_imap(settings, secrets or {})
    now = clock.now()
    source = Source.objects.create(
        name=name, kind=kind, settings=cleaned, sealed_secrets=sealed.seal(secrets or {}),
        every_minutes=every_minutes, unknown_senders=unknown_senders,
        next_sync_at=now if every_minutes else None, created_at=now, updated_at=now)
    record_audit(actor=actor, action="source.added", subject_type="source",
                 subject_id=source.pk, after={"name": name, "kind": kind, **cleaned})
    return source


def _imap_settings(source: Source) -> ImapSettings:
    values = source.settings
    secrets = sealed.unseal(source.sealed_secrets, field="password")
    return ImapSettings(host=values["host"], port=values["port"], security=values["security"],
                        username=values.get("username", ""),
                        password=str(secrets.get("password", "")),
                        folders=tuple(values.get("folders") or ()),
                        batch=int(values.get("batch") or 200))


def sync_source(*, actor: Any, source_id: int) -> CaptureReport:
    """Read what is new since the checkpoint. A failure to reach the source is recorded on
    it (status, error, back-off) and raised; item failures are recorded and skipped."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        raise NotFound(f"Source {source_id} not found.", field="source_id")
    started = clock.now()
    Source.objects.filter(pk=source.pk).update(last_sync_at=started)
    try:
        report = _sync_imap(actor, source)
    except AccordError as exc:
        _failed(source, exc.message)
        raise
    except OSError as exc:  # sockets, DNS, TLS
        _failed(source, f"cannot reach {source.settings.get('host')}: {exc}")
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


def _sync_imap(actor: Any, source: Source) -> CaptureReport:
    values = source.settings
    rules = address_rules(values.get("own_domains", []), values.get("own_addresses", []))
    mail_rules = MailRules(auto_reply=values.get("auto_reply", "record"),
                           bulk=values.get("bulk", "skip"))
    origin = f"imap:{source.name}"
    report = CaptureReport()
    with ImapMailbox(_imap_settings(source)) as box:
        for folder in box.folders_to_sync():
            saved = (source.checkpoint or {}).get(folder)
            state = FolderState(saved["uidvalidity"], saved["last_uid"]) if saved else None
            for batch in box.fetch_new(folder, state):
                part = CaptureReport()
                with transaction.atomic():
                    for message in batch.messages:
                        capture_raw_email(part, actor=actor, raw=message.raw,
                                          item=f"{folder} uid {message.uid}", origin=origin,
                                          rules=rules, unknown=source.unknown_senders,
                                          mail_rules=mail_rules, source_id=source.pk,
                                          metadata={"mailbox": origin, "folder": folder})
                    for uid, reason in batch.failed:
                        part.rejected.append((f"{folder} uid {uid}", reason))
                    source.checkpoint = {**(source.checkpoint or {}), folder: {
                        "uidvalidity": batch.state.uidvalidity,
                        "last_uid": batch.state.last_uid}}
                    Source.objects.filter(pk=source.pk).update(
                        checkpoint=source.checkpoint, captured=F("captured") + part.captured,
                        skipped=F("skipped") + part.present + part.skipped,
                        rejected=F("rejected") + len(part.rejected), updated_at=clock.now())
                report.add(part)
    return report


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
