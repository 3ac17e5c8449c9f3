"""Interactions and the timeline over HTTP."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.conftest import at

pytestmark = pytest.mark.django_db


def _record(api: Any, **fields: Any) -> Any:
    body = {"channel": "email", "direction": "inbound", "occurred_at": at(1).isoformat(),
            "participants": [{"role": "from", "kind": "email", "value": "ADA@example.com"}]}
    body.update(fields)
    return api.post("/interactions", body)


def test_record_matches_by_identity_and_is_idempotent(api_as: Any, world: Any) -> None:
    api = api_as("alice")
    first = _record(api, source="imap", external_id="<m1@example.com>", subject="Hello",
                    attachments=[{"filename": "note.txt",
                                  "content_base64": base64.b64encode(b"hi there").decode()}])
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["participants"] == [{"role": "from", "customer_id": world.alice_customer.pk,
                                     "address": "ADA@example.com"}]
    assert body["attachments"][0]["size"] == 8
    again = _record(api, source="imap", external_id="<m1@example.com>", subject="Changed")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"] and again.json()["subject"] == "Hello"

    download = api.client.get(f"/api/v1/attachments/{body['attachments'][0]['id']}")
    assert download.status_code == 200 and download.content == b"hi there"
    assert api_as("bob").get(f"/attachments/{body['attachments'][0]['id']}").status_code == 404


def test_unmatched_and_invisible_participants_are_masked(api_as: Any, world: Any) -> None:
    api = api_as("admin")
    resp = _record(api, participants=[
        {"role": "from", "kind": "email", "value": "ada@example.com"},
        {"role": "to", "kind": "email", "value": "bea@example.net"},
        {"role": "cc", "kind": "email", "value": "stranger@example.org"}])
    assert resp.status_code == 201
    ids = [p["customer_id"] for p in resp.json()["participants"]]
    assert ids == [world.alice_customer.pk, world.bob_customer.pk, None]
    seen_by_alice = api_as("alice").get(f"/interactions/{resp.json()['id']}").json()
    assert [p["customer_id"] for p in seen_by_alice["participants"]] == [
        world.alice_customer.pk, None, None]


def test_timeline_newest_first_with_filters_and_cursor(api_as: Any, world: Any) -> None:
    api = api_as("alice")
    channels = ["email", "call", "sms", "letter", "meeting", "web_visit"]
    for n, channel in enumerate(channels):
        direction = "outbound" if n % 2 else "inbound"
        resp = _record(api, channel=channel, direction=direction, occurred_at=at(n).isoformat(),
                       participants=[{"role": "from", "customer_id": world.alice_customer.pk}])
        assert resp.status_code == 201
    path = f"/customers/{world.alice_customer.pk}/timeline"
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = api.get(path, limit=4, **({"cursor": cursor} if cursor else {})).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [i["channel"] for i in items] == channels
    assert items == sorted(items, key=lambda i: i["occurred_at"], reverse=True)

    calls = api.client.get(f"/api/v1{path}?channel=call&channel=sms").json()["items"]
    assert {i["channel"] for i in calls} == {"call", "sms"}
    outbound = api.get(path, direction="outbound").json()["items"]
    assert {i["channel"] for i in outbound} == {"call", "letter", "web_visit"}
    window = api.get(path, since=at(3.5).isoformat(), until=at(0.5).isoformat()).json()["items"]
    assert [i["channel"] for i in window] == ["call", "sms", "letter"]


@pytest.mark.parametrize(("params", "field"), [
    ({"channel": "pigeon"}, "channel"),
    ({"direction": "sideways"}, "direction"),
    ({"since": "yesterday"}, "since"),
    ({"cursor": "Zm9v"}, "cursor"),
    ({"limit": 0}, "limit"),
])
def test_timeline_bad_filters_name_the_field(api_as: Any, world: Any, params: Any,
                                             field: str) -> None:
    resp = api_as("alice").get(f"/customers/{world.alice_customer.pk}/timeline", **params)
    assert resp.status_code == 400, resp.content
    assert resp.json()["error"]["field"] == field


@pytest.mark.parametrize(("change", "field"), [
    ({"channel": "telegram"}, "channel"),
    ({"direction": "up"}, "direction"),
    ({"occurred_at": "not a time"}, "occurred_at"),
    ({"participants": []}, "participants"),
    ({"participants": [{"role": "from"}]}, "participants[0].value"),
    ({"participants": [{"role": "boss", "customer_id": 1}]}, "participants[0].role"),
    ({"participants": [{"role": "from", "kind": "email", "value": "nope"}]},
     "participants[0].value"),
    ({"participants": [{"role": "from", "kind": "fax", "value": "x"}]}, "participants[0].kind"),
    ({"attachments": [{"filename": "a", "content_base64": "***"}]},
     "attachments[0].content_base64"),
])
def test_record_bad_input_names_the_field(api_as: Any, change: Any, field: str) -> None:
    resp = _record(api_as("alice"), **change)
    assert resp.status_code == 400, resp.content
    assert resp.json()["error"]["field"] == field


def test_cannot_record_onto_a_customer_you_cannot_see(api_as: Any, world: Any) -> None:
    resp = _record(api_as("alice"),
                   participants=[{"role": "from", "customer_id": world.bob_customer.pk}])
    assert resp.status_code == 404
    assert resp.json()["error"]["field"] == "participants[0].customer_id"


def test_timeline_of_merged_customer_includes_loser_history(api_as: Any, world: Any) -> None:
    api = api_as("admin")
    _record(api, participants=[{"role": "from", "customer_id": world.north_customer.pk}],
            subject="from niels")
    merge = api.post(f"/customers/{world.alice_customer.pk}/merge",
                     {"loser_id": world.north_customer.pk})
    assert merge.status_code == 201
    subjects = [i["subject"] for i in
                api.get(f"/customers/{world.alice_customer.pk}/timeline").json()["items"]]
    assert "from niels" in subjects
    api.post(f"/customers/merges/{merge.json()['id']}/undo")
    subjects = [i["subject"] for i in
                api.get(f"/customers/{world.alice_customer.pk}/timeline").json()["items"]]
    assert "from niels" not in subjects


def test_first_page_holds_twenty_entries_by_default(api_as: Any, world: Any) -> None:
    api = api_as("alice")
    for n in range(23):
        assert _record(api, source="test", external_id=f"m{n}", occurred_at=at(n).isoformat(),
                       participants=[{"role": "from", "customer_id": world.alice_customer.pk}]
                       ).status_code == 201
    path = f"/customers/{world.alice_customer.pk}/timeline"
    first = api.get(path).json()
    assert len(first["items"]) == 20 and first["next_cursor"]
    rest = api.get(path, cursor=first["next_cursor"]).json()
    assert len(rest["items"]) == 3 and rest["next_cursor"] is None
