"""Fixtures the analytics tests share with the API tests."""

from tests.api.conftest import api_as  # noqa: F401 - the API tests' token-holding client
