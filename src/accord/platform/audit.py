"""The audit trail: every service write records actor, action, subject, before/after."""

from __future__ import annotations

import json
from typing import Any

from accord.platform import clock
from accord.platform.bulk import copy_rows, db_time
from accord.platform.models import AuditEntry


def record_audit(
    *,
    actor: Any,
    action: str,
    subject_type: str,
    subject_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit row inside the caller's transaction. ``actor`` is a staff user or
    None for the system (imports, demo generation)."""
    actor_id = getattr(actor, "pk", None)
    label = getattr(actor, "username", None) or "system"
    return AuditEntry.objects.create(
        at=clock.now(),
        actor_id=actor_id,
        actor_label=label,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        before=before,
        after=after,
    )


def record_audits(*, actor: Any, action: str, subject_type: str,
                  entries: list[tuple[object, dict[str, Any] | None]]) -> None:
    """One audit row per (subject id, after) in one insert: a capture batch records
    hundreds of items in one transaction, each still with its own row."""
    now = db_time(clock.now())
    actor_id = getattr(actor, "pk", None)
    label = getattr(actor, "username", None) or "system"
    copy_rows(AuditEntry._meta.db_table,
              ("at", "actor_id", "actor_label", "action", "subject_type", "subject_id",
               "before", "after"),
              [(now, actor_id, label, action, subject_type, str(subject_id), None,
                None if after is None else json.dumps(after))
               for subject_id, after in entries])
