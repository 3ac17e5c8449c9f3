"""Duplicates over HTTP: list, read, merge with choices per field, dismiss, access."""

from __future__ import annotations

from typing import Any

import pytest

from accord.accounts.services import issue_token
from accord.customers import selectors, services
from accord.platform.actors import SYSTEM
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def api(world: Any, name: str) -> ApiClient:
    user = world.users[name]
    return ApiClient(issue_token(actor=user, user=user, name="test"))


@pytest.fixture
def suggestion_id(world: Any) -> int:
    services.create_customer(actor=SYSTEM, display_name="Niels Bohr", team_id=world.north.pk,
                             lifecycle="lead", language="da",
                             identities=[("email", "nbohr@example.org")])
    services.find_duplicates(actor=SYSTEM)
    return selectors.open_duplicates(SYSTEM).items[0].pk


def test_list_read_and_merge_with_choices(world: Any, suggestion_id: int) -> None:
    alice = api(world, "alice")
    listing = alice.get("/customers/duplicates")
    assert listing.status_code == 200
    item = listing.json()["items"][0]
    assert item["id"] == suggestion_id and item["reasons"] == [
        "same name", "both write from example.org"]
    assert item["customer_a"]["id"] == world.north_customer.pk
    assert alice.get(f"/customers/duplicates/{suggestion_id}").json()["status"] == "open"
    merged = alice.post(f"/customers/duplicates/{suggestion_id}/merge",
                        {"survivor": "a", "choices": {"lifecycle": "b", "language": "a"}})
    assert merged.status_code == 201, merged.content
    survivor = alice.get(f"/customers/{world.north_customer.pk}").json()
    assert (survivor["lifecycle"], survivor["language"]) == ("lead", "")
    assert alice.get("/customers/duplicates").json()["items"] == []
    undone = alice.post(f"/customers/merges/{merged.json()['id']}/undo")
    assert undone.status_code == 200
    assert alice.get(f"/customers/{world.north_customer.pk}").json()["lifecycle"] == "customer"


def test_bad_input_names_the_field(world: Any, suggestion_id: int) -> None:
    alice = api(world, "alice")
    bad = alice.post(f"/customers/duplicates/{suggestion_id}/merge",
                     {"survivor": "a", "choices": {"favourite_tea": "b"}})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "choices.favourite_tea"
    other = alice.post(f"/customers/duplicates/{suggestion_id}/merge", {"survivor": "c"})
    assert other.status_code == 400 and other.json()["error"]["field"] == "survivor"


def test_dismiss_and_access(world: Any, suggestion_id: int) -> None:
    bob = api(world, "bob")
    assert bob.get("/customers/duplicates").json()["items"] == []
    assert bob.get(f"/customers/duplicates/{suggestion_id}").status_code == 404
    assert bob.post(f"/customers/duplicates/{suggestion_id}/dismiss").status_code == 404
    assert bob.post(f"/customers/duplicates/{suggestion_id}/merge",
                    {"survivor": "a"}).status_code == 404
    assert api(world, "analyst").post(
        f"/customers/duplicates/{suggestion_id}/dismiss").status_code == 403
    dismissed = api(world, "manager").post(f"/customers/duplicates/{suggestion_id}/dismiss")
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
