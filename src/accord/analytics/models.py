"""Analytics tables in the operational store: the record of each model run, and the
latest scores of every customer (written back by a run, kept current in real time).

Both are derived data: a run can always rebuild them from the transaction log."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ModelRun(models.Model):
    """One pass of sync, summary, fits and scoring: what went in, what came out, how long."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    engine = models.CharField(max_length=20, default="duckdb")
    as_of = models.DateField()
    time_unit = models.CharField(max_length=10, default="weeks")
    # The data window: first purchase day seen up to the as-of date.
    window_start = models.DateField(null=True, blank=True)
    customers = models.IntegerField(default=0)
    transactions = models.BigIntegerField(default=0)
    # {"bgnbd": {"r":..,"alpha":..,"a":..,"b":..,"log_likelihood":..}, "pareto_nbd": ..,
    #  "gamma_gamma": .., "rfm": {breakpoints}, "churn": {coefficients, auc, ..}}
    parameters = models.JSONField(default=dict, blank=True)
    run_settings = models.JSONField(default=dict, blank=True)  # horizon, discount, costs ...
    timings = models.JSONField(default=dict, blank=True)  # step -> seconds
    error = models.TextField(blank=True, default="")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "-finished_at"], name="modelrun_latest_idx")]

    def __str__(self) -> str:
        return f"run {self.pk} {self.status} as of {self.as_of}"


class CustomerScore(models.Model):
    """A customer's current analysis. One row per customer that has bought anything."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE,
                                    primary_key=True, related_name="+")
    run = models.ForeignKey(ModelRun, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    as_of = models.DateField()
    # Summary, in the run's time unit.
    frequency = models.FloatField()
    recency = models.FloatField()
    age = models.FloatField()
    monetary = models.FloatField()
    first_purchase = models.DateField()
    last_purchase = models.DateField()
    # Model scores.
    probability_alive = models.FloatField()
    expected_purchases = models.FloatField()  # over the run's horizon_days
    lifetime_value = models.FloatField()
    # RFM.
    rfm_recency = models.SmallIntegerField()
    rfm_frequency = models.SmallIntegerField()
    rfm_monetary = models.SmallIntegerField()
    segment = models.CharField(max_length=30, db_index=True)
    # Churn.
    churn_risk = models.FloatField()
    churn_band = models.CharField(max_length=10, db_index=True)
    # Buying-pattern change: "drop", "rise" or "".
    pattern = models.CharField(max_length=10, blank=True, default="", db_index=True)
    pattern_probability = models.FloatField(default=0.0)
    pattern_explanation = models.CharField(max_length=300, blank=True, default="")
    # What next.
    next_purchase_on = models.DateField(null=True, blank=True)
    next_best_offer = models.JSONField(default=list, blank=True)  # [{sku, name, lift}]
    # Customer ROI.
    gross_margin = models.FloatField(default=0.0)
    cost_to_serve = models.FloatField(default=0.0)
    roi = models.FloatField(null=True, blank=True)  # margin / cost; none when cost is 0
    updated_at = models.DateTimeField()
    updated_by = models.CharField(max_length=10, default="run")  # run | realtime

    def __str__(self) -> str:
        return f"scores of customer {self.customer_id}"
