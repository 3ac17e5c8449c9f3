"""Use cases for staff accounts and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accord.accounts.access import ensure_admin
from accord.accounts.domain import Role
from accord.accounts.models import ApiToken, Team, User
from accord.platform import clock
from accord.platform.audit import record_audit
from accord.platform.errors import Conflict, InvalidInput, NotFound

TOKEN_PREFIX = "acc_"


def _digest(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a plain SHA-256 is a safe at-rest form.
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_user(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    teams: list[str] | None = None,
    email: str = "",
    check_password: bool = True,
) -> User:
    """Create a staff user. ``actor`` None means the operator at the command line."""
    if actor is not None:
        ensure_admin(actor)
    username = username.strip()
    if not username:
        raise InvalidInput("A username is required.", field="username")
    try:
        role_value = Role(role).value
    except ValueError as exc:
        choices = ", ".join(r.value for r in Role)
        raise InvalidInput(f"Unknown role {role!r}; choose one of {choices}.",
                           field="role") from exc
    if User.objects.filter(username=username).exists():
        raise Conflict(f"User {username!r} already exists.", field="username")
    if check_password:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), field="password") from exc
    user = User(username=username, email=email, role=role_value,
                is_staff=role_value == Role.ADMIN, is_superuser=role_value == Role.ADMIN)
    user.set_password(password)
    user.save()
    for name in teams or []:
        team, _ = Team.objects.get_or_create(name=name)
        user.teams.add(team)
    record_audit(actor=actor, action="user.created", subject_type="user", subject_id=user.pk,
                 after={"username": username, "role": role_value, "teams": teams or []})
    return user


@transaction.atomic
def reset_user(*, actor: User | None, user: User, password: str,
               teams: list[str] | None = None, check_password: bool = True) -> User:
    """Give ``user`` a new password, reactivate them and add teams. ``actor`` None is the
    operator at the command line; otherwise an admin or the user themselves."""
    if actor is not None and actor.pk != user.pk:
        ensure_admin(actor)
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    for name in teams or []:
        team, _ = Team.objects.get_or_create(name=name)
        user.teams.add(team)
    record_audit(actor=actor, action="user.reset", subject_type="user", subject_id=user.pk,
                 after={"username": user.username, "teams": teams or []})
    return user


@transaction.atomic
def issue_token(*, actor: Any, user: User, name: str = "cli") -> str:
    """Create a personal API token for ``user`` and return it; only its hash is kept."""
    if actor is not None and actor.pk != user.pk:
        ensure_admin(actor)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[len(TOKEN_PREFIX):][:8], digest=_digest(raw),
        created_at=clock.now(),
    )
    record_audit(actor=actor, action="token.issued", subject_type="api_token",
                 subject_id=token.pk, after={"user": user.username, "prefix": token.prefix})
    return raw


@transaction.atomic
def revoke_token(*, actor: Any, token_id: int) -> None:
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None or (actor is not None and token.user_id != actor.pk
                         and getattr(actor, "role", None) != Role.ADMIN):
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        record_audit(actor=actor, action="token.revoked", subject_type="api_token",
                     subject_id=token.pk)


def user_for_token(raw: str) -> User | None:
    """The active user a presented token belongs to, or None. Records last use."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = clock.now()
    # Write last use at most once a minute: a busy client should not turn reads into writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
