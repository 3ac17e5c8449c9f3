"""Record-level access: the one place that turns an actor into what it may see and do.

Every selector, search, timeline and export in every app filters through
``customer_scope``; writes check ``ensure_can_write``. Customers outside the scope are
indistinguishable from customers that do not exist (callers raise the same NotFound).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accord.accounts.domain import ROLE_SCOPE, WRITING_ROLES, Role, Scope
from accord.platform.errors import PermissionDenied, Unauthenticated


def role_of(actor: Any) -> Role | None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return None
    return Role(actor.role)


def customer_scope(actor: Any, prefix: str = "") -> Q:
    """A filter over customers (or rows linked to one via ``prefix``, e.g. ``"customer__"``)
    that keeps exactly the customers ``actor`` may see. No actor sees nothing."""
    role = role_of(actor)
    if role is None:
        return Q(pk__in=[])
    scope = ROLE_SCOPE[role]
    if scope is Scope.ALL:
        return Q()
    return Q(**{f"{prefix}owner_id": actor.pk}) | Q(**{f"{prefix}team_id__in": team_ids(actor)})


def team_ids(actor: Any) -> list[int]:
    """The actor's teams, read once per actor object: a request builds several scopes."""
    cached: list[int] | None = getattr(actor, "_accord_team_ids", None)
    if cached is None:
        cached = list(actor.teams.values_list("id", flat=True))
        actor._accord_team_ids = cached
    return cached


def can_see_customer(actor: Any, *, owner_id: int | None, team_id: int | None) -> bool:
    """The same rule as ``customer_scope`` for one customer already loaded."""
    role = role_of(actor)
    if role is None:
        return False
    if ROLE_SCOPE[role] is Scope.ALL:
        return True
    if owner_id is not None and owner_id == actor.pk:
        return True
    return team_id is not None and team_id in team_ids(actor)


def ensure_authenticated(actor: Any) -> Role:
    role = role_of(actor)
    if role is None:
        raise Unauthenticated("Sign in or send a valid API token.")
    return role


def ensure_can_write(actor: Any) -> None:
    """Analysts are read-only; everyone else writes within what they can see."""
    role = ensure_authenticated(actor)
    if role not in WRITING_ROLES:
        raise PermissionDenied("Your role is read-only.")


def ensure_admin(actor: Any) -> None:
    if ensure_authenticated(actor) is not Role.ADMIN:
        raise PermissionDenied("Only administrators may do this.")


def sees_everything(actor: Any) -> bool:
    """Admins and analysts: records linked to no customer are visible only to them."""
    role = role_of(actor)
    return role is not None and ROLE_SCOPE[role] is Scope.ALL
