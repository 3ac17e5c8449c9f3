"""`accord demo`: a realistic data set on every channel, the same for the same seed,
whether written through the services or bulk-loaded."""

from __future__ import annotations

import builtins
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F, Sum

from accord.customers.models import Customer, Identity, NameKey
from accord.customers.selectors import search_customers
from accord.customers.services import create_customer, normalise
from accord.interactions.domain import Channel
from accord.interactions.models import Interaction, Participant
from accord.interactions.services import ParticipantInput, record_interaction
from accord.platform.actors import SYSTEM
from accord.platform.models import AuditEntry
from accord.transactions.models import Transaction, TransactionLine
from accord.transactions.services import TransactionInput, record_transaction
from accord.web.demo.content import build_pools
from accord.web.demo.generate import generate_chunk
from accord.web.demo.plan import STAFF, make_plan
from tests.cli.conftest import run

AS_OF = "2026-06-15T12:00:00+00:00"
AS_OF_TIME = datetime(2026, 6, 15, 12, tzinfo=UTC)


def demo(*args: str) -> str:
    return run("demo", "--no-serve", "--as-of", AS_OF, *args)


def snapshot() -> dict[str, Any]:
    """The business content of the database, independent of ids and load times."""
    names = dict(Customer.objects.values_list("id", "display_name"))

    def sorted(rows: Any) -> list[Any]:  # rows mix None and text: order by their repr
        return builtins.sorted(rows, key=repr)

    return {
        "customers": sorted(Customer.objects.values_list(
            "kind", "display_name", "given_name", "family_name", "organisation__display_name",
            "owner__username", "team__name", "lifecycle", "language", "preferred_channel")),
        "identities": sorted(Identity.objects.values_list(
            "customer__display_name", "kind", "value", "display")),
        "name keys": sorted(NameKey.objects.values_list("customer__display_name", "key")),
        "interactions": sorted(
            (i.channel, i.direction, i.occurred_at, i.subject, i.text, i.thread_key,
             json.dumps(i.metadata, sort_keys=True))
            for i in Interaction.objects.all()),
        "participants": sorted(
            (p.interaction.occurred_at, p.interaction.channel, names.get(p.customer_id),
             p.role, p.address) for p in Participant.objects.select_related("interaction")),
        "transactions": sorted(Transaction.objects.values_list(
            "customer__display_name", "occurred_at", "kind", "amount", "currency",
            "external_id")),
        "lines": sorted(TransactionLine.objects.values_list(
            "transaction__external_id", "product__sku", "quantity", "unit_price", "amount")),
    }


def wipe_demo_data() -> None:
    TransactionLine.objects.all().delete()
    Transaction.objects.all().delete()
    Interaction.objects.all().delete()
    Customer.objects.all().delete()


@pytest.mark.django_db
def test_small_demo_covers_every_channel_and_buys() -> None:
    out = demo("--customers", "50", "--seed", "7")

    assert re.search(r"Administrator: username admin\s+password \S{16,}", out)
    for member in STAFF:
        assert member.username in out
    assert "interactions/s" in out
    assert Customer.objects.count() == 50
    assert Customer.objects.filter(kind="organisation").exists()
    assert Customer.objects.filter(kind="person", organisation__isnull=False).exists()
    assert Customer.objects.filter(kind="person", organisation__isnull=True).exists()
    assert Customer.objects.filter(owner__isnull=False).values("team").distinct().count() >= 2
    channels = set(Interaction.objects.values_list("channel", flat=True))
    assert channels == {c.value for c in Channel}
    recent = Interaction.objects.filter(occurred_at__gte=AS_OF_TIME - timedelta(hours=24))
    assert set(recent.values_list("channel", flat=True)) == {c.value for c in Channel}
    assert not Interaction.objects.filter(occurred_at__gt=AS_OF_TIME).exists()
    _assert_channel_details()
    _assert_purchases()
    # Every identity is what the real normaliser makes of it (messy input, valid output).
    for identity in Identity.objects.all():
        again = normalise(identity.kind, identity.display)
        assert again.value == identity.value
    assert Identity.objects.filter(kind="phone", display__startswith="+44 7").exists()


def _assert_channel_details() -> None:
    def metadata(channel: str) -> list[dict[str, Any]]:
        return [i.metadata for i in Interaction.objects.filter(channel=channel)]

    assert all({"duration_seconds", "wait_seconds", "disposition"} <= m.keys()
               for m in metadata("call"))
    assert all("location" in m and len(m["attendees"]) >= 2 for m in metadata("meeting"))
    assert all(m["pages"] for m in metadata("web_visit"))
    assert all("campaign" in m for m in metadata("campaign_response"))
    assert all(0 <= m["score"] <= 10 for m in metadata("survey"))
    emails = Interaction.objects.filter(channel="email")
    assert all(e.subject and e.text and e.thread_key for e in emails)
    threads = Counter(emails.values_list("thread_key", flat=True))
    assert max(threads.values()) >= 2  # a conversation, with its replies
    assert emails.filter(subject__startswith="Re: ").exists()


def _assert_purchases() -> None:
    purchases = Transaction.objects.filter(kind="purchase")
    assert purchases.count() > 50
    per_customer = list(purchases.values("customer").annotate(n=Count("id"))
                        .values_list("n", flat=True))
    assert max(per_customer) > 3 * min(per_customer)  # heterogeneous buying rates
    for txn in purchases.annotate(total=Sum("lines__amount"))[:200]:
        assert txn.total == txn.amount  # lines add up exactly
    assert TransactionLine.objects.filter(product__isnull=False).count() == \
        TransactionLine.objects.count()
    assert not Transaction.objects.filter(amount__lte=Decimal("0")).exists()


@pytest.mark.django_db
def test_same_seed_same_data_in_both_writers() -> None:
    demo("--customers", "40", "--seed", "11", "--bulk")
    bulk = snapshot()
    wipe_demo_data()
    demo("--customers", "40", "--seed", "11")  # through the services this time
    assert snapshot() == bulk
    wipe_demo_data()
    demo("--customers", "40", "--seed", "12", "--bulk")
    assert snapshot()["customers"] != bulk["customers"]


def test_generation_is_pure_and_chunk_local() -> None:
    plan = make_plan(25_000, 3, AS_OF_TIME)
    pools = build_pools(plan.vocabulary_rng())
    last = list(plan.chunks())[-1]
    first = generate_chunk(plan, last, pools)
    again = generate_chunk(plan, last, build_pools(plan.vocabulary_rng()))
    assert first.people.display == again.people.display
    assert first.interactions.content.text.tolist() == again.interactions.content.text.tolist()
    assert first.purchases.amount.tolist() == again.purchases.amount.tolist()
    # A bigger plan holds the same chunk unchanged: data does not depend on the size.
    bigger = make_plan(40_000, 3, AS_OF_TIME)
    same_chunk = generate_chunk(bigger, last, pools)
    assert same_chunk.people.display == first.people.display


@pytest.mark.django_db(transaction=True)
def test_bulk_load_is_consistent_and_leaves_sequences_usable() -> None:
    out = demo("--customers", "120", "--seed", "5", "--bulk")
    assert "(bulk load)" in out

    mismatched = Participant.objects.exclude(
        occurred_at=F("interaction__occurred_at")).count() + \
        Participant.objects.exclude(channel=F("interaction__channel")).count() + \
        Participant.objects.exclude(direction=F("interaction__direction")).count()
    assert mismatched == 0
    assert Participant.objects.count() >= Interaction.objects.count() > 1000
    assert not Interaction.objects.filter(participants__isnull=True).exists()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            indexes = {row[0] for row in cursor.fetchall()}
        assert {"participant_timeline_idx", "participant_channel_idx",
                "transaction_customer_idx", "customer_owner_name_idx"} <= indexes
    assert AuditEntry.objects.filter(action__endswith=".bulk_loaded").count() == 3
    # Bulk-loaded people are found like any other, by name prefix and by identity.
    person = Customer.objects.filter(kind="person").order_by("id").first()
    assert person is not None
    by_name = search_customers(SYSTEM, q=person.family_name[:4], limit=200).items
    assert person.pk in {c.pk for c in by_name}
    email = Identity.objects.filter(kind="email").first()
    assert email is not None
    assert [c.pk for c in search_customers(SYSTEM, q=email.display.upper()).items] == \
        [email.customer_id]

    # The next ordinary writes get fresh ids after the bulk-loaded ones.
    top_customer = Customer.objects.order_by("-id").values_list("id", flat=True)[0]
    customer = create_customer(actor=SYSTEM, display_name="After The Load",
                               identities=[("email", "after@example.com")])
    assert customer.pk > top_customer
    top_interaction = Interaction.objects.order_by("-id").values_list("id", flat=True)[0]
    recorded = record_interaction(
        actor=SYSTEM, channel="note", direction="internal", occurred_at=AS_OF_TIME,
        participants=[ParticipantInput(role="subject", customer_id=customer.pk)])
    assert recorded.interaction.pk > top_interaction
    top_transaction = Transaction.objects.order_by("-id").values_list("id", flat=True)[0]
    bought = record_transaction(actor=SYSTEM, item=TransactionInput(
        customer_id=customer.pk, occurred_at=AS_OF_TIME, amount="9.99", currency="GBP"))
    assert bought.transaction.pk > top_transaction


@pytest.mark.django_db
def test_demo_leaves_existing_data_alone() -> None:
    create_customer(actor=SYSTEM, display_name="Already Here")
    out = demo("--customers", "30")
    assert "already holds 1 customers" in out
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_demo_rejects_nonsense_sizes() -> None:
    with pytest.raises(CommandError, match="--customers must be at least 1"):
        demo("--customers", "0")
