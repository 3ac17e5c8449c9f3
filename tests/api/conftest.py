"""API test helpers: a client per user that authenticates with a real API token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from accord.accounts.services import issue_token


class ApiClient:
    def __init__(self, token: str | None) -> None:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        self.client = Client(**headers)

    def _send(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        url = f"/api/v1{path}"
        call = getattr(self.client, method)
        if body is None:
            return call(url, params or None)
        return call(url, json.dumps(body, default=str), content_type="application/json")

    def get(self, path: str, **params: Any) -> Any:
        return self._send("get", path, **params)

    def post(self, path: str, body: Any = None) -> Any:
        return self._send("post", path, body if body is not None else {})

    def patch(self, path: str, body: Any) -> Any:
        return self._send("patch", path, body)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1{path}")


@pytest.fixture
def api_as(world: Any) -> Any:
    """api_as("alice") -> an ApiClient authenticated as that world user."""

    def make(name: str) -> ApiClient:
        user = world.users[name]
        return ApiClient(issue_token(actor=user, user=user, name="test"))

    return make
