"""Website visitors (anonymous until they identify themselves) and their visits."""

from __future__ import annotations

from django.db import models

from accord.capture.models.sources import Source


class Visitor(models.Model):
    """One browser on one site: the random id Accord's script keeps in the site's own
    storage, or (for access logs) a digest of client address and user agent. It
    becomes a customer's when the visitor identifies (a login, a form with an email)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="visitors")
    key = models.CharField(max_length=64)
    # By reference, not import: capture never reads customers' tables itself.
    customer = models.ForeignKey("customers.Customer", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    email = models.CharField(max_length=254, blank=True, default="")  # as identified
    identified_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"],
                                               name="visitor_source_key_uniq")]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.key}"


class Visit(models.Model):
    """Page views of one visitor with no 30-minute gap (and one campaign). ``key`` is
    its id on the timeline (source "web"); ``interaction`` is its timeline entry, made
    once the visitor is known."""

    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="visits")
    key = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    pages = models.JSONField(default=list, blank=True)
    extra_pages = models.PositiveIntegerField(default=0)  # beyond the pages listed
    landing_url = models.TextField(blank=True, default="")
    exit_url = models.TextField(blank=True, default="")
    referrer = models.TextField(blank=True, default="")
    utm = models.JSONField(default=dict, blank=True)
    duration_seconds = models.PositiveIntegerField(default=0)
    origin = models.CharField(max_length=300, blank=True, default="")  # "web:shop", "file:..."
    interaction = models.ForeignKey("interactions.Interaction", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["visitor", "-started_at"], name="visit_visitor_idx")]

    def __str__(self) -> str:
        return self.key
