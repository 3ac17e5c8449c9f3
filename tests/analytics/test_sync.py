"""The warehouse sync: a full copy first, then only what changed, with deletions, merges
(and their undoing), rows moved to another customer and late commits reflected."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from accord.analytics.models import CustomerScore
from accord.analytics.warehouse import extracts, sync
from accord.analytics.warehouse.store import open_warehouse
from accord.analytics.warehouse.sync import sync_warehouse
from accord.customers.models import Customer
from accord.customers.services import create_customer, merge_customers, unmerge_customers
from accord.interactions.models import Interaction, Participant
from accord.platform.actors import SYSTEM
from accord.transactions.models import Product, Transaction, TransactionLine
from accord.transactions.services import LineInput, TransactionInput, record_transaction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _warehouse(settings: Any, tmp_path: Any) -> None:
    settings.ANALYTICS_WAREHOUSE = str(tmp_path / "warehouse.duckdb")


def _buy(customer_id: int, day: int, amount: str = "10.00") -> int:
    return record_transaction(actor=SYSTEM, item=TransactionInput(
        customer_id=customer_id, occurred_at=datetime(2024, 3, day, 12, tzinfo=UTC),
        amount=Decimal(amount), currency="GBP",
        lines=[LineInput(unit_price=Decimal(amount), sku="TEA", name="Tea")])).transaction.pk


def _rows(sql: str) -> list[tuple[Any, ...]]:
    with open_warehouse() as duck:
        rows: list[tuple[Any, ...]] = duck.execute(sql).fetchall()
        return rows


def _sync() -> Any:
    with open_warehouse() as duck:
        return sync_warehouse(duck)


def test_the_extracts_read_the_tables_the_models_own() -> None:
    assert Customer._meta.db_table == extracts.CUSTOMERS
    assert Transaction._meta.db_table == extracts.TRANSACTIONS
    assert TransactionLine._meta.db_table == extracts.LINES
    assert Product._meta.db_table == extracts.PRODUCTS
    assert Participant._meta.db_table == extracts.PARTICIPANTS
    assert Interaction._meta.db_table == extracts.INTERACTIONS
    assert CustomerScore._meta.db_table == "analytics_customerscore"


def test_a_second_sync_copies_only_what_is_new() -> None:
    ada = create_customer(actor=SYSTEM, given_name="Ada", family_name="L").pk
    _buy(ada, 1, "12.34")
    first = _sync()
    assert first.tables["transactions"].added == 1 and first.tables["lines"].added == 1
    again = _sync()
    assert again.tables["transactions"].added == 0 and again.tables["transactions"].rows == 1
    _buy(ada, 2)
    later = _sync()
    assert later.tables["transactions"].added == 1 and later.tables["transactions"].rows == 2
    assert _rows("SELECT cents, day FROM transactions ORDER BY id") == [
        (1234, 19783), (1000, 19784)]


def test_a_big_copy_read_in_id_ranges_gets_every_row_once(monkeypatch: Any) -> None:
    customers = [create_customer(actor=SYSTEM, given_name=name, family_name="K").pk
                 for name in ("Ada", "Bob", "Cy")]
    for day in (1, 2, 3, 4):
        for customer in customers:
            _buy(customer, day, f"{day}.{customer % 100:02d}")
    top = Transaction.objects.order_by("-id").values_list("id", flat=True)[0]
    # Three ranges of transactions: two read at once, then the third while they load.
    monkeypatch.setattr(sync, "PART_IDS", max(1, top // 3))
    ranges: list[str] = []

    class Spy(sync.ConcurrentRead):
        def __init__(self, sqls: list[str]) -> None:
            ranges.extend(sqls)
            super().__init__(sqls)

    monkeypatch.setattr(sync, "ConcurrentRead", Spy)
    report = _sync()
    assert sum(f"FROM {extracts.TRANSACTIONS} " in sql for sql in ranges) == 3
    expected = [(t.pk, t.customer_id, int(t.amount * 100))
                for t in Transaction.objects.order_by("id")]
    assert report.tables["transactions"].added == len(expected) == 12
    assert _rows("SELECT id, customer_id, cents FROM transactions ORDER BY id") == expected
    assert _rows("SELECT COUNT(*), COUNT(DISTINCT id) FROM lines") == [(12, 12)]
    assert _rows("SELECT SUM(purchases) FROM purchase_days") == [(12,)]


def test_deleted_rows_leave_the_warehouse_and_late_commits_arrive() -> None:
    ada = create_customer(actor=SYSTEM, given_name="Ada", family_name="L").pk
    first, second, third = _buy(ada, 1), _buy(ada, 2), _buy(ada, 3)
    _sync()
    Transaction.objects.filter(pk=second).delete()  # e.g. removed by an administrator
    report = _sync()
    assert report.tables["transactions"].removed == 1 and report.tables["lines"].removed == 1
    assert [r[0] for r in _rows("SELECT id FROM transactions ORDER BY id")] == [first, third]
    # A row committed late, below the high-water mark, is still picked up.
    late = Transaction.objects.get(pk=first)
    late.pk = second
    late.external_id = "late"
    late.save(force_insert=True)
    assert _sync().tables["transactions"].added == 1
    assert [r[0] for r in _rows("SELECT id FROM transactions ORDER BY id")] == [
        first, second, third]


def test_a_merged_customer_counts_as_its_survivor_until_the_merge_is_undone() -> None:
    ada = create_customer(actor=SYSTEM, given_name="Ada", family_name="L").pk
    twin = create_customer(actor=SYSTEM, given_name="Ada", family_name="L.").pk
    _buy(ada, 1)
    _buy(twin, 5)
    _sync()
    merge = merge_customers(actor=SYSTEM, survivor_id=ada, loser_id=twin)
    _sync()
    assert _rows("SELECT c.root_id, COUNT(*) FROM transactions t JOIN customers c "
                 "ON c.id = t.customer_id GROUP BY c.root_id") == [(ada, 2)]
    unmerge_customers(actor=SYSTEM, merge_id=merge.pk)
    _sync()
    assert sorted(_rows("SELECT c.root_id, COUNT(*) FROM transactions t JOIN customers c "
                        "ON c.id = t.customer_id GROUP BY c.root_id")) == [(ada, 1), (twin, 1)]


def test_a_contact_moved_to_another_customer_follows_it() -> None:
    from accord.interactions.services import ParticipantInput, record_interaction

    ada = create_customer(actor=SYSTEM, given_name="Ada", family_name="L").pk
    bob = create_customer(actor=SYSTEM, given_name="Bob", family_name="M").pk
    record_interaction(actor=SYSTEM, channel="call", direction="inbound",
                       occurred_at=datetime(2024, 3, 1, tzinfo=UTC),
                       participants=[ParticipantInput(role="caller", customer_id=ada)],
                       subject="A complaint about the parcel", metadata={"wait_seconds": 42})
    _sync()
    assert _rows("SELECT customer_id, channel, wait_seconds, complaint FROM contacts") == [
        (ada, "call", 42.0, True)]
    Participant.objects.filter(customer_id=ada).update(customer_id=bob)
    assert _sync().tables["contacts"].moved == 1
    assert _rows("SELECT customer_id FROM contacts") == [(bob,)]
