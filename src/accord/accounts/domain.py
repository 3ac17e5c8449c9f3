"""Roles and what each may do; pure rules, no Django."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    CONSULTANT = "consultant"
    ANALYST = "analyst"


class Scope(enum.Enum):
    """Which customers a role sees (DESIGN.md section 3, Access)."""

    ALL = "all"
    TEAMS = "teams"  # customers of the actor's teams, plus those the actor owns
    OWN_OR_TEAM = "own_or_team"


ROLE_SCOPE: dict[Role, Scope] = {
    Role.ADMIN: Scope.ALL,
    Role.ANALYST: Scope.ALL,
    Role.MANAGER: Scope.TEAMS,
    Role.CONSULTANT: Scope.OWN_OR_TEAM,
}

# Analysts read everything and change nothing.
WRITING_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.CONSULTANT})
