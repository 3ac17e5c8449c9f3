"""Capture sources (configured connectors) and the items they could not capture."""

from __future__ import annotations

from django.db import models

from accord.capture.domain.sources import SourceKind, SourceStatus, UnknownSenders


def _choices(enum_cls: type) -> list[tuple[str, str]]:
    return [(m.value, m.value.replace("_", " ").capitalize()) for m in enum_cls]  # type: ignore[attr-defined]


class Source(models.Model):
    """One connector: what it reads (kind + settings), its sealed secrets, when it runs,
    how far it got (checkpoint, saved with the items it covers) and how it is doing."""

    name = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=_choices(SourceKind))
    settings = models.JSONField(default=dict, blank=True)  # never secrets
    sealed_secrets = models.TextField(blank=True, default="")  # platform.sealed
    every_minutes = models.PositiveIntegerField(default=15)  # 0: only on demand
    unknown_senders = models.CharField(max_length=10, choices=_choices(UnknownSenders),
                                       default=UnknownSenders.CREATE)
    checkpoint = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=_choices(SourceStatus),
                              default=SourceStatus.NEW)
    last_error = models.TextField(blank=True, default="")
    failures = models.PositiveIntegerField(default=0)  # in a row, for back-off
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    next_sync_at = models.DateTimeField(null=True, blank=True, db_index=True)
    captured = models.PositiveBigIntegerField(default=0)
    skipped = models.PositiveBigIntegerField(default=0)  # already present, or ruled out
    rejected = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class CaptureProblem(models.Model):
    """An item a sync or import could not capture (or captured only in part), and why.
    Shown on the source's page; the sync itself went on."""

    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="problems")
    origin = models.CharField(max_length=300)  # "imap:sales", "file:/srv/mail/2024.mbox"
    item = models.CharField(max_length=500)  # "INBOX uid 42", "message 17 (byte 20480)"
    reason = models.TextField()
    partial = models.BooleanField(default=False)  # captured, with this problem noted
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["source", "-occurred_at"], name="problem_source_idx")]

    def __str__(self) -> str:
        return f"{self.origin} {self.item}: {self.reason[:60]}"
