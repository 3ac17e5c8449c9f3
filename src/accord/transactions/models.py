"""Transaction tables: products, transactions and their lines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accord.transactions.domain import TransactionKind


class Product(models.Model):
    sku = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=100, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Transaction(models.Model):
    # Indexed by transaction_customer_idx, which leads with it.
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT,
                                 related_name="+", db_index=False)
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=20, default=TransactionKind.PURCHASE.value,
                            choices=[(k.value, k.value.title()) for k in TransactionKind])
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    source = models.CharField(max_length=100, default="manual")
    external_id = models.CharField(max_length=255, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["customer", "-occurred_at", "-id"],
                                name="transaction_customer_idx")]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"],
                                    condition=~Q(external_id=""),
                                    name="transaction_source_external_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"


class TransactionLine(models.Model):
    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    description = models.CharField(max_length=300, blank=True, default="")
    quantity = models.DecimalField(max_digits=12, decimal_places=3, default=1)
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    def __str__(self) -> str:
        return self.description or str(self.product_id)
