"""Timeline tables: interactions, the customers taking part, and attached files."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accord.interactions.domain import Channel, Direction, Role


def _choices(enum_cls: type) -> list[tuple[str, str]]:
    return [(m.value, m.value.replace("_", " ").title()) for m in enum_cls]


class Interaction(models.Model):
    channel = models.CharField(max_length=30, choices=_choices(Channel))
    direction = models.CharField(max_length=10, choices=_choices(Direction))
    occurred_at = models.DateTimeField(db_index=True)
    subject = models.CharField(max_length=500, blank=True, default="")
    text = models.TextField(blank=True, default="")
    thread_key = models.CharField(max_length=255, blank=True, default="", db_index=True)
    source = models.CharField(max_length=100, default="manual")
    external_id = models.CharField(max_length=255, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Recording the same captured item twice must find the first one.
            models.UniqueConstraint(fields=["source", "external_id"],
                                    condition=~Q(external_id=""),
                                    name="interaction_source_external_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.direction} {self.occurred_at:%Y-%m-%d %H:%M}"


class Participant(models.Model):
    """A party to an interaction. ``customer`` is empty when nobody matched the address.

    channel, direction and occurred_at repeat the interaction's so that a customer's
    timeline is one index range scan over (customer, occurred_at desc)."""

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE,
                                    related_name="participants")
    # Indexed by participant_timeline_idx, which leads with it.
    customer = models.ForeignKey("customers.Customer", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+", db_index=False)
    role = models.CharField(max_length=20, choices=_choices(Role))
    address = models.CharField(max_length=320, blank=True, default="")
    occurred_at = models.DateTimeField()
    channel = models.CharField(max_length=30)
    direction = models.CharField(max_length=10)

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-occurred_at", "-interaction"],
                         name="participant_timeline_idx"),
            models.Index(fields=["customer", "channel", "-occurred_at"],
                         name="participant_channel_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["interaction", "customer"],
                                    condition=Q(customer__isnull=False),
                                    name="participant_once_per_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.address or self.customer_id}"


class Attachment(models.Model):
    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE,
                                    related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=150, default="application/octet-stream")
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return self.filename
