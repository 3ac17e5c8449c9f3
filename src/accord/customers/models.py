"""Customer tables: people and organisations, their identities, merge records and
duplicate suggestions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accord.customers.domain.duplicates import SuggestionStatus
from accord.customers.domain.kinds import CustomerKind, IdentityKind, Lifecycle, choices


class Customer(models.Model):
    kind = models.CharField(max_length=20, choices=choices(CustomerKind),
                            default=CustomerKind.PERSON.value)
    display_name = models.CharField(max_length=200)
    given_name = models.CharField(max_length=100, blank=True, default="")
    family_name = models.CharField(max_length=100, blank=True, default="")
    # Folded keys make "name starts with" an index range scan, accents and case ignored.
    name_key = models.CharField(max_length=200, db_index=True)
    family_key = models.CharField(max_length=100, blank=True, default="", db_index=True)
    organisation = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="people")
    # No single-column indexes on owner and team: customer_owner_name_idx and
    # customer_team_name_idx lead with them and serve every lookup.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="owned_customers",
                              db_index=False)
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="customers", db_index=False)
    preferred_channel = models.CharField(max_length=30, blank=True, default="")
    language = models.CharField(max_length=10, blank=True, default="")
    lifecycle = models.CharField(max_length=20, choices=choices(Lifecycle),
                                 default=Lifecycle.CUSTOMER.value)
    # Indexed only where set (see Meta): a full index on a column that is NULL for nearly
    # every row tempts SQLite's planner into scanning it for "merged_into IS NULL".
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged_from", db_index=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["owner", "name_key"], name="customer_owner_name_idx"),
            models.Index(fields=["team", "name_key"], name="customer_team_name_idx"),
            models.Index(fields=["merged_into"], condition=models.Q(merged_into__isnull=False),
                         name="customer_merged_into_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name


class NameKey(models.Model):
    """One way into a customer's name for prefix search (``name_search_keys``)."""

    # Indexed by namekey_once_per_customer, which leads with it.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="name_keys",
                                 db_index=False)
    key = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["key", "customer"], name="namekey_search_idx")]
        constraints = [models.UniqueConstraint(fields=["customer", "key"],
                                               name="namekey_once_per_customer")]

    def __str__(self) -> str:
        return self.key


class Identity(models.Model):
    """One way to recognise a customer; (kind, value) is unique across all customers."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=20, choices=choices(IdentityKind))
    value = models.CharField(max_length=320)
    display = models.CharField(max_length=320)
    verified = models.BooleanField(default=False)
    source = models.CharField(max_length=60, blank=True, default="")
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    # Set when mail to this address bounced permanently: sending skips it until it is
    # confirmed again (a later message from it, or staff clearing it).
    undeliverable_at = models.DateTimeField(null=True, blank=True)
    undeliverable_reason = models.CharField(max_length=300, blank=True, default="",
                                            db_default="")  # bulk loads omit it

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="identity_kind_value_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.display}"


class Merge(models.Model):
    """A merge that happened, with the snapshot needed to undo it."""

    survivor = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    loser = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+")
    snapshot = models.JSONField()
    merged_at = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.loser_id} -> {self.survivor_id}"


class DuplicateSuggestion(models.Model):
    """Two customers that are probably one (``customer_a`` has the lower id), found by
    ``find_duplicates`` and decided by a reviewer: merged, or dismissed as "not
    duplicates" (then never suggested again)."""

    # Indexed by dupsuggestion_pair_uniq, which leads with it.
    customer_a = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+",
                                   db_index=False)
    customer_b = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=choices(SuggestionStatus),
                              default=SuggestionStatus.OPEN.value)
    found_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["status", "-score", "id"], name="dupsuggestion_review_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["customer_a", "customer_b"],
                                    name="dupsuggestion_pair_uniq"),
            models.CheckConstraint(condition=models.Q(customer_a__lt=models.F("customer_b")),
                                   name="dupsuggestion_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_a_id} ~ {self.customer_b_id} ({self.score:.2f})"


class DuplicateScan(models.Model):
    """One run of ``find_duplicates``: the next incremental run looks only at customers
    changed since the last one started."""

    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    full = models.BooleanField(default=True)
    customers = models.IntegerField(default=0)  # customers looked at
    suggested = models.IntegerField(default=0)  # open suggestions found or refreshed

    def __str__(self) -> str:
        return f"scan {self.started_at:%Y-%m-%d %H:%M}"
