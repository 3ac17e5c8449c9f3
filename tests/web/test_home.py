"""The consultant's home: my customers and the latest interaction of each."""

from __future__ import annotations

from typing import Any

from accord.accounts.services import create_user
from tests.conftest import PASSWORD


def test_consultant_sees_own_customers_with_latest_interaction(
        client_as: Any, timeline: Any) -> None:
    body = client_as("alice").get("/").content.decode()
    assert "My customers" in body
    assert "Ada Lovelace" in body
    assert "Niels Bohr" not in body  # team customer, but not alice's own
    assert "SMS received" in body and "Can you call me after 5?" in body


def test_home_never_shows_other_teams_customers(client_as: Any, timeline: Any) -> None:
    body = client_as("bob").get("/").content.decode()
    assert "Bea Baker" in body and "Ada Lovelace" not in body


def test_admin_without_own_customers_sees_customers_they_can_see(
        client_as: Any, timeline: Any) -> None:
    body = client_as("admin").get("/").content.decode()
    assert "Customers you can see" in body
    for name in ("Ada Lovelace", "Bea Baker", "Niels Bohr", "Orphan Ltd"):
        assert name in body
    assert "No interactions yet" in body  # Orphan Ltd


def test_user_who_sees_nobody_gets_a_helpful_empty_state(world: Any) -> None:
    from django.test import Client

    create_user(actor=None, username="newbie", password=PASSWORD, role="consultant", teams=[])
    client = Client()
    client.force_login(type(world.alice).objects.get(username="newbie"))
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "No customers yet" in body and "accord demo" in body


def test_home_query_count_does_not_grow_with_customers(
        client_as: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    from accord.customers.services import create_customer
    from accord.platform.actors import SYSTEM

    for n in range(20):
        create_customer(actor=SYSTEM, display_name=f"Customer {n}", owner_id=world.alice.pk)
    client = client_as("alice")
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200
