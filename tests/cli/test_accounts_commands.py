"""`accord createuser` and `accord token`."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management.base import CommandError

from accord.accounts.selectors import staff_by_username, team_names, tokens_of
from accord.accounts.services import user_for_token
from tests.cli.conftest import run

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db


def test_createuser_with_teams() -> None:
    out = run("createuser", "--username", "carol", "--role", "manager", "--team", "North",
              "--team", "South", "--password", PASSWORD)
    assert "Created manager 'carol'" in out
    user = staff_by_username("carol")
    assert user is not None and user.role == "manager" and user.check_password(PASSWORD)
    assert team_names(user) == ["North", "South"]


def test_createuser_prompts_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    run("createuser", "--username", "dave", "--role", "consultant")
    user = staff_by_username("dave")
    assert user is not None and user.check_password(PASSWORD)


def test_createuser_prompt_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="--password: the two passwords differ"):
        run("createuser", "--username", "dave", "--role", "consultant")
    assert staff_by_username("dave") is None


@pytest.mark.parametrize(("args", "message"), [
    (["--username", "erin", "--role", "boss"], "--role: Unknown role 'boss'"),
    (["--username", "  ", "--role", "admin"], "--username: A username is required"),
    (["--username", "erin", "--role", "admin", "--password", "short"], "--password: "),
])
def test_createuser_names_the_bad_field(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("createuser", *args, *(["--password", PASSWORD] if "--password" not in args
                                   else []))


def test_createuser_refuses_a_taken_username() -> None:
    run("createuser", "--username", "frank", "--role", "analyst", "--password", PASSWORD)
    with pytest.raises(CommandError, match="--username: User 'frank' already exists"):
        run("createuser", "--username", "frank", "--role", "analyst", "--password", PASSWORD)


def test_token_authenticates_and_can_be_revoked() -> None:
    run("createuser", "--username", "gina", "--role", "consultant", "--password", PASSWORD)
    raw = run("token", "--user", "gina", "--name", "laptop").strip()
    user = user_for_token(raw)
    assert user is not None and user.username == "gina"
    token: Any = tokens_of(user)[0]
    assert token.name == "laptop"
    listing = run("token", "--user", "gina", "--list")
    assert f"{token.pk}\t{token.prefix}" in listing and "active" in listing
    assert f"Revoked token {token.pk}" in run("token", "--revoke", str(token.pk))
    assert user_for_token(raw) is None


@pytest.mark.parametrize(("args", "message"), [
    ([], "--user: give the username"),
    (["--user", "nobody"], "--user: no active user 'nobody'"),
    (["--revoke", "999999"], "--revoke: No such token"),
])
def test_token_errors(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("token", *args)
