"""The review queue: documents nobody could be matched to for sure, and addresses that
arrived from nobody known on a source that queues unknown senders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accord.capture.models.sources import Source

REVIEW_STATUSES = [("pending", "Pending"), ("assigned", "Assigned"), ("dismissed", "Dismissed")]


class PendingDocument(models.Model):
    """A letter or fax waiting for a person: the original is a blob (content-addressed,
    so ``sha256`` is also its key and the capture's idempotency key)."""

    sha256 = models.CharField(max_length=64, unique=True)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=150)
    size = models.BigIntegerField()
    preview_sha256 = models.CharField(max_length=64, blank=True, default="")  # first page PNG
    text = models.TextField(blank=True, default="")
    subject = models.CharField(max_length=500, blank=True, default="")
    channel = models.CharField(max_length=10, default="letter")  # letter or fax
    page_count = models.PositiveIntegerField(default=0)
    read_by = models.CharField(max_length=20, blank=True, default="")  # text_layer, ocr ...
    outcome = models.CharField(max_length=20)  # ambiguous or unmatched
    # [{"customer_id", "name", "score", "evidence": [{"kind", "value"}]}], best first
    candidates = models.JSONField(default=list, blank=True)
    # [{"kind", "value"}]: identities the text offers, added to whoever it is assigned to
    clues = models.JSONField(default=list, blank=True)
    problems = models.JSONField(default=list, blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    origin = models.CharField(max_length=300, blank=True, default="")  # "upload", "file:..."
    status = models.CharField(max_length=10, choices=REVIEW_STATUSES, default="pending")
    received_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    interaction_id = models.BigIntegerField(null=True, blank=True)  # once assigned

    class Meta:
        indexes = [models.Index(fields=["status", "-received_at"], name="pendingdoc_status_idx")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"


class QueuedAddress(models.Model):
    """An identity (an email address, a phone number) seen on captured items that
    matches nobody, kept for a person to assign or dismiss. The items themselves are on
    the timeline already, with the address on an unmatched participant."""

    kind = models.CharField(max_length=20)  # an identity kind: email, phone
    value = models.CharField(max_length=320)  # the normalised identity value
    display = models.CharField(max_length=320)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    status = models.CharField(max_length=10, choices=REVIEW_STATUSES, default="pending")
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    customer_id = models.BigIntegerField(null=True, blank=True)  # once assigned

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value"],
                                               name="queuedaddress_kind_value_uniq")]
        indexes = [models.Index(fields=["status", "-last_seen"], name="queuedaddr_status_idx",
                                condition=Q(status="pending"))]

    def __str__(self) -> str:
        return f"{self.kind}:{self.display} ({self.status})"
