"""IMAP sources: settings, and a sync of INBOX and Sent (or the configured folders) by
UIDVALIDITY/UID, each batch committed with the folder's checkpoint."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from accord.capture.connectors.imap import FolderState, ImapMailbox, ImapSettings
from accord.capture.connectors.mailfiles import MailFileItem
from accord.capture.connectors.parallel_parse import parse_all
from accord.capture.models import Source
from accord.capture.services.email import MailRules, address_rules
from accord.capture.services.mail_batch import BatchContext, MailItem, capture_batch
from accord.capture.services.reports import CaptureReport
from accord.platform import clock, sealed
from accord.platform.errors import InvalidInput

# The settings an IMAP source accepts (never secrets: those go through ``secrets``).
IMAP_SETTINGS = {"host", "port", "security", "username", "folders", "own_domains",
                 "own_addresses", "auto_reply", "bulk", "batch"}
IMAP_SECRETS = {"password"}


def as_list(value: Any, field: str) -> list[str]:
    """A list of names from a list or a comma-separated string."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in value.split(",")]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"{field} must be a list of names.", field=f"settings.{field}")
    return [v.strip() for v in value if v.strip()]


def clean_settings(values: dict[str, Any], secrets: dict[str, Any]) -> dict[str, Any]:
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
               "folders": as_list(values.get("folders"), "folders"),
               "own_domains": as_list(values.get("own_domains"), "own_domains"),
               "own_addresses": as_list(values.get("own_addresses"), "own_addresses"),
               "auto_reply": values.get("auto_reply", "record"),
               "bulk": values.get("bulk", "skip"), "batch": max(1, min(batch, 1000))}
    ImapSettings(host=host, port=port, security=security)  # refuses plain off loopback
    return cleaned


def _imap_settings(source: Source) -> ImapSettings:
    values = source.settings
    secrets = sealed.unseal(source.sealed_secrets, field="password")
    return ImapSettings(host=values["host"], port=values["port"], security=values["security"],
                        username=values.get("username", ""),
                        password=str(secrets.get("password", "")),
                        folders=tuple(values.get("folders") or ()),
                        batch=int(values.get("batch") or 200))


def sync(actor: Any, source: Source) -> CaptureReport:
    values = source.settings
    rules = address_rules(values.get("own_domains", []), values.get("own_addresses", []))
    mail_rules = MailRules(auto_reply=values.get("auto_reply", "record"),
                           bulk=values.get("bulk", "skip"))
    origin = f"imap:{source.name}"
    ctx = BatchContext(actor=actor, origin=origin, rules=rules,
                       unknown=source.unknown_senders, mail_rules=mail_rules,
                       source_id=source.pk)
    report = CaptureReport()
    with ImapMailbox(_imap_settings(source)) as box:
        for folder in box.folders_to_sync():
            saved = (source.checkpoint or {}).get(folder)
            state = FolderState(saved["uidvalidity"], saved["last_uid"]) if saved else None
            for batch in box.fetch_new(folder, state):
                part = CaptureReport()
                raws = [MailFileItem(f"{folder} uid {m.uid}", m.raw) for m in batch.messages]
                meta = {"mailbox": origin, "folder": folder}
                items = [MailItem(p.ref, p.parsed, p.problem, meta)
                         for p in parse_all(raws, workers=1)]
                with transaction.atomic():
                    capture_batch(part, ctx, items)
                    for uid, reason in batch.failed:
                        part.rejected.append((f"{folder} uid {uid}", reason))
                    source.checkpoint = {**(source.checkpoint or {}), folder: {
                        "uidvalidity": batch.state.uidvalidity,
                        "last_uid": batch.state.last_uid}}
                    save_progress(source, part)
                report.add(part)
    return report


def save_progress(source: Source, part: CaptureReport) -> None:
    """Store the source's checkpoint and add a batch's counts: call inside the batch's
    transaction so the checkpoint never runs ahead of (or behind) its items."""
    Source.objects.filter(pk=source.pk).update(
        checkpoint=source.checkpoint, captured=F("captured") + part.captured,
        skipped=F("skipped") + part.present + part.skipped,
        rejected=F("rejected") + len(part.rejected), updated_at=clock.now())
