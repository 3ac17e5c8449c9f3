"""Django's own error pages use Accord's templates, for visitors and signed-in staff."""

from __future__ import annotations

from typing import Any

from django.test import Client


def test_unknown_page_is_a_friendly_404(client_as: Any) -> None:
    response = client_as("alice").get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Not found" in body and "Find a customer" in body and "Sign out" in body


def test_unknown_page_for_a_visitor_offers_sign_in(db: Any) -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Sign in" in body and "Sign out" not in body


def test_logout_without_csrf_token_is_refused(client_as: Any) -> None:
    client = client_as("alice")
    client.handler.enforce_csrf_checks = True
    assert client.post("/logout/").status_code == 403
    assert client.get("/").status_code == 200  # still signed in
