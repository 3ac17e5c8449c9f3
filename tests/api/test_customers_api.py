"""Customers over HTTP: create, read, update, list, search, identities, merge/unmerge."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_create_read_update(api_as: Any, world: Any) -> None:
    api = api_as("alice")
    created = api.post("/customers", {
        "given_name": "Grace", "family_name": "Hopper", "team_id": world.north.pk,
        "identities": [{"kind": "email", "value": " Grace.Hopper@Navy.MIL "},
                       {"kind": "phone", "value": "07912 345678"}]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["display_name"] == "Grace Hopper"
    assert body["owner_id"] == world.alice.pk  # the creator owns it by default
    assert {(i["kind"], i["value"]) for i in body["identities"]} == {
        ("email", "grace.hopper@navy.mil"), ("phone", "+447912345678")}

    got = api.get(f"/customers/{body['id']}")
    assert got.status_code == 200
    assert got.json()["identities"] == body["identities"]

    patched = api.patch(f"/customers/{body['id']}", {"lifecycle": "former", "language": "en"})
    assert patched.status_code == 200
    assert patched.json()["lifecycle"] == "former"
    assert patched.json()["given_name"] == "Grace"  # untouched fields stay


def test_invalid_input_names_the_field(api_as: Any) -> None:
    api = api_as("alice")
    bad_email = api.post("/customers", {"given_name": "X",
                                        "identities": [{"kind": "email", "value": "not-an-email"}]})
    assert bad_email.status_code == 400
    assert bad_email.json()["error"]["field"] == "identities[0].value"
    assert bad_email.json()["error"]["code"] == "invalid_input"

    bad_kind = api.post("/customers", {"given_name": "X", "kind": "robot"})
    assert bad_kind.status_code == 400
    assert bad_kind.json()["error"]["field"] == "kind"

    no_name = api.post("/customers", {})
    assert no_name.status_code == 400
    assert no_name.json()["error"]["field"] == "display_name"

    not_json = api.client.post("/api/v1/customers", "{oops", content_type="application/json")
    assert not_json.status_code == 400
    assert not_json.json()["error"]["code"] == "invalid_input"

    bad_cursor = api.get("/customers", cursor="garbage!!")
    assert bad_cursor.status_code == 400
    assert bad_cursor.json()["error"]["field"] == "cursor"


def test_duplicate_identity_is_a_conflict(api_as: Any, world: Any) -> None:
    api = api_as("admin")
    resp = api.post(f"/customers/{world.north_customer.pk}/identities",
                    {"kind": "email", "value": "ADA@example.com"})
    assert resp.status_code == 409
    assert resp.json()["error"] == {"code": "conflict", "field": "value",
                                    "message": "This email already belongs to another customer."}


def test_list_is_cursor_paginated_and_scoped(api_as: Any, world: Any) -> None:
    api = api_as("admin")
    seen: list[int] = []
    cursor = None
    while True:
        page = api.get("/customers", limit=2, **({"cursor": cursor} if cursor else {})).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted({world.alice_customer.pk, world.north_customer.pk,
                                   world.bob_customer.pk, world.orphan_customer.pk})
    assert len(seen) == len(set(seen))

    alice_ids = {c["id"] for c in api_as("alice").get("/customers").json()["items"]}
    assert alice_ids == {world.alice_customer.pk, world.north_customer.pk}


@pytest.mark.parametrize("params", [
    {"email": "ADA@EXAMPLE.COM"},
    {"phone": "07911 123456"},
    {"phone": "+44 (0)7911-123-456"},
    {"name": "lov"},
    {"name": "ada"},
    {"q": "Ada@example.com"},
    {"q": "+447911123456"},
    {"q": "Lovel"},
    {"identity_kind": "email", "identity_value": "ada@example.com"},
])
def test_search_finds_by_any_identity_or_name_prefix(api_as: Any, world: Any,
                                                     params: dict[str, str]) -> None:
    found = api_as("alice").get("/customers/search", **params)
    assert found.status_code == 200, found.content
    assert [c["id"] for c in found.json()["items"]] == [world.alice_customer.pk]


def test_search_never_finds_what_you_cannot_see(api_as: Any, world: Any) -> None:
    alice = api_as("alice")
    assert alice.get("/customers/search", email="bea@example.net").json()["items"] == []
    assert alice.get("/customers/search", q="shop:B-17").json()["items"] == []
    assert alice.get("/customers/search", name="baker").json()["items"] == []
    admin = api_as("admin")
    assert [c["id"] for c in admin.get("/customers/search", q="shop:B-17").json()["items"]] == [
        world.bob_customer.pk]


def test_search_requires_a_term_and_valid_phone(api_as: Any) -> None:
    api = api_as("alice")
    assert api.get("/customers/search").json()["error"]["field"] == "q"
    bad = api.get("/customers/search", phone="12")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "phone"


def test_merge_and_unmerge(api_as: Any, world: Any) -> None:
    api: ApiClient = api_as("manager")
    survivor, loser = world.alice_customer.pk, world.north_customer.pk
    merged = api.post(f"/customers/{survivor}/merge",
                      {"loser_id": loser, "choices": {"display_name": "loser"}})
    assert merged.status_code == 201, merged.content
    after = api.get(f"/customers/{survivor}").json()
    assert after["display_name"] == "Niels Bohr"
    assert {i["value"] for i in after["identities"]} >= {"ada@example.com", "niels@example.org"}
    assert api.get(f"/customers/{loser}").json()["merged_into_id"] == survivor
    assert loser not in {c["id"] for c in api.get("/customers").json()["items"]}
    found = api.get("/customers/search", email="niels@example.org").json()["items"]
    assert [c["id"] for c in found] == [survivor]

    again = api.post(f"/customers/{survivor}/merge", {"loser_id": loser})
    assert again.status_code == 409

    undone = api.post(f"/customers/merges/{merged.json()['id']}/undo")
    assert undone.status_code == 200
    assert api.get(f"/customers/{survivor}").json()["display_name"] == "Ada Lovelace"
    assert {i["value"] for i in api.get(f"/customers/{loser}").json()["identities"]} == {
        "niels@example.org"}
    assert api.get(f"/customers/{loser}").json()["merged_into_id"] is None
    assert api.post(f"/customers/merges/{merged.json()['id']}/undo").status_code == 409


def test_merge_rejects_self_and_unknown(api_as: Any, world: Any) -> None:
    api = api_as("admin")
    pk = world.alice_customer.pk
    assert api.post(f"/customers/{pk}/merge", {"loser_id": pk}).json()["error"]["field"] == \
        "loser_id"
    missing = api.post(f"/customers/{pk}/merge", {"loser_id": 999999})
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "loser_id"
    org = api.post(f"/customers/{pk}/merge", {"loser_id": world.orphan_customer.pk})
    assert org.status_code == 400
