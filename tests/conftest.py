"""Shared fixtures: one small world of teams, staff in every role, and customers owned
across teams, so every access rule can be exercised against the same data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accord.platform.actors import SYSTEM

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path: Any) -> None:
    settings.BLOB_DIR = tmp_path / "blobs"
    # PBKDF2 at production strength costs ~0.3 s a user; tests make dozens.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    admin: Any
    analyst: Any
    manager: Any  # manager of team north
    alice: Any  # consultant in north
    bob: Any  # consultant in south
    north: Any
    south: Any
    alice_customer: Any  # owned by alice, team north
    north_customer: Any  # team north, owned by nobody
    bob_customer: Any  # owned by bob, team south
    orphan_customer: Any  # no owner, no team

    @property
    def users(self) -> dict[str, Any]:
        return {"admin": self.admin, "analyst": self.analyst, "manager": self.manager,
                "alice": self.alice, "bob": self.bob}


@pytest.fixture
def world(db: Any) -> World:
    from accord.accounts.models import Team
    from accord.accounts.services import create_user
    from accord.customers.services import create_customer

    def user(name: str, role: str, teams: list[str]) -> Any:
        return create_user(actor=None, username=name, password=PASSWORD, role=role, teams=teams)

    admin = user("admin", "admin", [])
    analyst = user("analyst", "analyst", [])
    manager = user("manager", "manager", ["north"])
    alice = user("alice", "consultant", ["north"])
    bob = user("bob", "consultant", ["south"])
    north, south = Team.objects.get(name="north"), Team.objects.get(name="south")
    alice_customer = create_customer(
        actor=SYSTEM, given_name="Ada", family_name="Lovelace", owner_id=alice.pk,
        team_id=north.pk, identities=[("email", "ada@example.com"), ("phone", "+44 7911 123456")])
    north_customer = create_customer(
        actor=SYSTEM, given_name="Niels", family_name="Bohr", team_id=north.pk, owner_id=None,
        identities=[("email", "niels@example.org")])
    bob_customer = create_customer(
        actor=SYSTEM, given_name="Bea", family_name="Baker", owner_id=bob.pk, team_id=south.pk,
        identities=[("email", "bea@example.net"), ("external_id", "shop:B-17")])
    orphan_customer = create_customer(actor=SYSTEM, display_name="Orphan Ltd",
                                      kind="organisation", owner_id=None)
    return World(admin, analyst, manager, alice, bob, north, south, alice_customer,
                 north_customer, bob_customer, orphan_customer)


def at(days_ago: float = 0, hour: int = 12) -> datetime:
    """A fixed point in time relative to 'now', for timeline data."""
    base = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return base - timedelta(days=days_ago)
