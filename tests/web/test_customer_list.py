"""Customer search and list: any identity, record-level access, pagination, htmx."""

from __future__ import annotations

from typing import Any

import pytest

from accord.customers.services import create_customer
from accord.platform.actors import SYSTEM

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_list_shows_only_visible_customers(client_as: Any, world: Any) -> None:
    body = client_as("alice").get("/customers/").content.decode()
    assert "Ada Lovelace" in body and "Niels Bohr" in body
    assert "Bea Baker" not in body and "Orphan Ltd" not in body


@pytest.mark.parametrize("q", ["ada@example.com", " ADA@Example.com ", "07911 123456",
                               "+447911123456", "0044 7911 123 456", "Love", "ada", "Lovelace"])
def test_search_finds_by_name_prefix_email_and_phone_in_any_format(
        client_as: Any, world: Any, q: str) -> None:
    response = client_as("alice").get("/customers/", {"q": q})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ada Lovelace" in body and "Niels Bohr" not in body


def test_search_by_external_id(client_as: Any, world: Any) -> None:
    body = client_as("bob").get("/customers/", {"q": "shop:B-17"}).content.decode()
    assert "Bea Baker" in body


def test_search_never_finds_another_teams_customer(client_as: Any, world: Any) -> None:
    for q in ("bea@example.net", "Baker", "shop:B-17"):
        body = client_as("alice").get("/customers/", {"q": q}).content.decode()
        assert "Bea Baker" not in body
        assert "No customer matches" in body


def test_live_search_returns_only_the_results_fragment(client_as: Any, world: Any) -> None:
    response = client_as("alice").get("/customers/", {"q": "ada"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "Ada Lovelace" in body and 'id="q-errors"' in body


def test_kind_and_mine_filters(client_as: Any, world: Any) -> None:
    client = client_as("admin")
    orgs = client.get("/customers/", {"kind": "organisation"}).content.decode()
    assert "Orphan Ltd" in orgs and "Ada Lovelace" not in orgs
    mine = client_as("alice").get("/customers/", {"mine": "on"}).content.decode()
    assert "Ada Lovelace" in mine and "Niels Bohr" not in mine
    # The boxes narrow a search too.
    searched = client_as("alice").get("/customers/", {"q": "niels@example.org", "mine": "on"})
    assert "Niels Bohr" not in searched.content.decode()
    people = client.get("/customers/", {"q": "o", "kind": "person"}).content.decode()
    assert "Orphan Ltd" not in people


@pytest.mark.parametrize("params", [
    {"q": "\u0301"}, {"cursor": "garbage"}, {"cursor": "x" * 600}, {"kind": "bogus"},
    {"q": "ada", "cursor": "bm90IGEgY3Vyc29y"},
])
def test_bad_search_input_is_a_400_with_a_message(client_as: Any, world: Any,
                                                  params: dict[str, str]) -> None:
    for extra in ({}, HTMX):
        response = client_as("alice").get("/customers/", params, **extra)
        assert response.status_code == 400
        assert "field-error" in response.content.decode()


def test_list_pages_with_a_cursor_and_htmx_gets_the_next_rows(
        client_as: Any, world: Any) -> None:
    for n in range(55):
        create_customer(actor=SYSTEM, display_name=f"Zed {n:02d}", owner_id=world.alice.pk)
    client = client_as("alice")
    first = client.get("/customers/", {"mine": "on"}).content.decode()
    assert first.count('class="who"') == 50
    assert 'hx-trigger="revealed"' in first
    next_query = first.split('class="more-row" hx-get="/customers/?')[1].split('"')[0]
    more = client.get(f"/customers/?{next_query.replace('&amp;', '&')}", **HTMX)
    rows = more.content.decode()
    assert more.status_code == 200 and "<table" not in rows
    assert rows.count('class="who"') == 6  # Ada + 55 Zeds = 56
    assert "more-row" not in rows
