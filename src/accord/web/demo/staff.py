"""The people who use the demo: an administrator and the staff of a few teams.

Users are created through accounts.services; one that already exists (a second run on
the same data directory) keeps its account and gets a fresh password, so the printed
credentials always work."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from accord.accounts.selectors import staff_by_username
from accord.accounts.services import create_user, reset_user
from accord.web.demo.plan import STAFF, TEAMS

ADMIN_USERNAME = "admin"


@dataclass
class Credential:
    username: str
    role: str
    teams: tuple[str, ...]
    password: str


@dataclass
class Roster:
    """Who the generated customers can belong to: user and team ids by plan position."""

    credentials: list[Credential] = field(default_factory=list)
    staff_ids: list[int] = field(default_factory=list)  # parallel to plan.STAFF
    team_ids: list[int] = field(default_factory=list)  # parallel to plan.TEAMS


def new_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, ~120 bits


def ensure_user(username: str, role: str, teams: tuple[str, ...], password: str) -> Any:
    """Create the user, or reset the password of the one that exists."""
    existing = staff_by_username(username)
    if existing is None:
        return create_user(actor=None, username=username, password=password, role=role,
                           teams=list(teams))
    return reset_user(actor=None, user=existing, password=password, teams=list(teams))


def ensure_admin() -> Credential:
    password = new_password()
    ensure_user(ADMIN_USERNAME, "admin", (), password)
    return Credential(ADMIN_USERNAME, "admin", (), password)


def ensure_staff() -> Roster:
    roster = Roster()
    team_ids: dict[str, int] = {}
    for member in STAFF:
        password = new_password()
        user = ensure_user(member.username, member.role, member.teams, password)
        roster.credentials.append(Credential(member.username, member.role, member.teams,
                                             password))
        roster.staff_ids.append(user.pk)
        team_ids.update({name: pk for pk, name in user.teams.values_list("id", "name")})
    roster.team_ids = [team_ids[name] for name in TEAMS]
    return roster
