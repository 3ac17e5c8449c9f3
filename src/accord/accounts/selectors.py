"""Reads over staff accounts."""

from __future__ import annotations

from typing import Any

from accord.accounts.models import ApiToken, Team, User


def team_names(user: User) -> list[str]:
    return list(user.teams.order_by("name").values_list("name", flat=True))


def tokens_of(user: Any) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user_id=user.pk).order_by("-created_at"))


def staff_by_username(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def active_user_exists(user_id: int) -> bool:
    return User.objects.filter(pk=user_id, is_active=True).exists()


def team_id_by_name(name: str) -> int | None:
    return Team.objects.filter(name=name).values_list("id", flat=True).first()


def team_exists(team_id: int) -> bool:
    return Team.objects.filter(pk=team_id).exists()


def staff_emails() -> list[str]:
    """Every staff user's email address (lower case): the organisation's own mailboxes,
    which capture never treats as customers."""
    return [e.lower() for e in User.objects.exclude(email="").values_list("email", flat=True)]
