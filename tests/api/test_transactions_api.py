"""Transactions over HTTP: record, idempotency, bulk, list with totals."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import at

pytestmark = pytest.mark.django_db


def _txn(customer_id: int, **fields: Any) -> dict[str, Any]:
    body = {"customer_id": customer_id, "occurred_at": at(2).isoformat(), "amount": "30.00",
            "currency": "gbp", "external_id": "T-1", "source": "shop",
            "lines": [{"sku": "TEA-1", "name": "Tea", "quantity": 3, "unit_price": "10.00"}]}
    body.update(fields)
    return body


def test_record_and_list_with_totals(api_as: Any, world: Any) -> None:
    api = api_as("alice")
    cid = world.alice_customer.pk
    first = api.post("/transactions", _txn(cid))
    assert first.status_code == 201, first.content
    assert first.json()["currency"] == "GBP"
    assert first.json()["lines"][0] == {"sku": "TEA-1", "description": "Tea", "quantity": "3.000",
                                        "unit_price": "10.00", "amount": "30.00"}
    assert api.post("/transactions", _txn(cid, amount="99.00")).status_code == 200  # same id
    api.post("/transactions", _txn(cid, external_id="T-2", kind="refund", amount="5.50",
                                   lines=[], occurred_at=at(1).isoformat()))
    api.post("/transactions", _txn(cid, external_id="T-3", currency="EUR", amount="12.00",
                                   lines=[]))
    listed = api.get("/transactions", customer_id=cid).json()
    # newest first; T-1 and T-3 share a time, so the later-recorded comes first
    assert [t["external_id"] for t in listed["items"]] == ["T-2", "T-3", "T-1"]
    totals = {t["currency"]: t for t in listed["totals"]}
    assert totals["GBP"] == {"currency": "GBP", "purchases": 1, "spend": "24.50",
                             "refunds": "5.50"}
    assert totals["EUR"]["spend"] == "12.00"


def test_bulk_reports_each_item(api_as: Any, world: Any) -> None:
    api = api_as("alice")
    cid = world.alice_customer.pk
    resp = api.post("/transactions/bulk", {"items": [
        _txn(cid, external_id="B-1"),
        _txn(world.bob_customer.pk, external_id="B-2"),  # not alice's: rejected as not found
        _txn(cid, external_id="B-3", currency="pounds"),
        _txn(cid, external_id="B-1"),
    ]})
    assert resp.status_code == 400  # "pounds" fails schema validation for the whole request
    assert resp.json()["error"]["field"] == "items[2].currency"
    resp = api.post("/transactions/bulk", {"items": [
        _txn(cid, external_id="B-1"),
        _txn(world.bob_customer.pk, external_id="B-2"),
        _txn(cid, external_id="B-3", currency="12$"),
        _txn(cid, external_id="B-1"),
    ]})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert (body["created"], body["existing"], body["rejected"]) == (1, 1, 2)
    assert [r["status"] for r in body["results"]] == ["created", "rejected", "rejected",
                                                      "existing"]
    assert body["results"][1]["error"]["field"] == "items[1].customer_id"
    assert body["results"][2]["error"]["field"] == "items[2].currency"


def test_list_across_customers_is_scoped(api_as: Any, world: Any) -> None:
    admin = api_as("admin")
    admin.post("/transactions", _txn(world.alice_customer.pk, external_id="A"))
    admin.post("/transactions", _txn(world.bob_customer.pk, external_id="B"))
    assert {t["external_id"] for t in admin.get("/transactions").json()["items"]} == {"A", "B"}
    assert {t["external_id"] for t in api_as("alice").get("/transactions").json()["items"]} == {
        "A"}
    assert api_as("alice").get("/transactions", customer_id=world.bob_customer.pk
                               ).status_code == 404


@pytest.mark.parametrize(("change", "field"), [
    ({"amount": "-3"}, "amount"),
    ({"amount": "1.234"}, "amount"),
    ({"kind": "gift"}, "kind"),
    ({"occurred_at": "soon"}, "occurred_at"),
    ({"lines": [{"quantity": 1, "unit_price": "1.00"}]}, "lines[0].sku"),
    ({"lines": [{"sku": "x", "quantity": 0, "unit_price": "1.00"}]}, "lines[0].quantity"),
])
def test_bad_transactions_name_the_field(api_as: Any, world: Any, change: Any,
                                         field: str) -> None:
    resp = api_as("alice").post("/transactions", _txn(world.alice_customer.pk, **change))
    assert resp.status_code == 400, resp.content
    assert resp.json()["error"]["field"] == field
