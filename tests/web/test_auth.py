"""Signing in and out, and every page behind the login."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD


def test_login_page_renders_its_own_form(db: Any) -> None:
    response = Client().get("/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="username"' in body and 'name="password"' in body
    assert "accord/accord.css" in body and "vendor/htmx.min.js" in body
    assert "https://" not in body  # no CDN, everything is vendored


def test_login_with_the_right_password_lands_on_home(world: Any) -> None:
    client = Client()
    response = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and "My customers" in home.content.decode()


def test_login_returns_to_the_page_asked_for(world: Any) -> None:
    target = f"/customers/{world.alice_customer.pk}/"
    response = Client().post(f"/login/?next={target}",
                             {"username": "alice", "password": PASSWORD, "next": target})
    assert response["Location"] == target


def test_wrong_password_shows_an_error_and_no_session(world: Any) -> None:
    client = Client()
    response = client.post("/login/", {"username": "alice", "password": "wrong-password"})
    assert response.status_code == 200
    assert "alert-error" in response.content.decode()
    assert client.get("/").status_code == 302


def test_logout_is_a_post_and_ends_the_session(client_as: Any) -> None:
    client = client_as("alice")
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("path", [
    "/", "/customers/", "/customers/{ada}/", "/customers/{ada}/timeline/",
    "/customers/{ada}/transactions/", "/attachments/1/",
])
def test_anonymous_visitors_are_sent_to_login(world: Any, path: str) -> None:
    url = path.format(ada=world.alice_customer.pk)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_anonymous_htmx_request_redirects_the_whole_window(world: Any) -> None:
    page = f"/customers/{world.alice_customer.pk}/"
    response = Client().get(f"{page}timeline/", HTTP_HX_REQUEST="true",
                            HTTP_HX_CURRENT_URL=f"http://testserver{page}")
    assert response.status_code == 401
    assert response["HX-Redirect"].startswith("/login/?next=/customers/")


def test_signed_in_user_visiting_login_goes_home(client_as: Any) -> None:
    response = client_as("alice").get("/login/")
    assert response.status_code == 302 and response["Location"] == "/"
