"""Tables of the shared kernel: the transactional outbox and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change it describes."""

    name = models.CharField(max_length=100)
    payload = models.JSONField()
    created_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["dispatched_at", "id"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class AuditEntry(models.Model):
    """Who did what to which record, with the values before and after."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=60)
    subject_type = models.CharField(max_length=60)
    subject_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"],
                                name="audit_subject_idx")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.subject_type}:{self.subject_id}"
