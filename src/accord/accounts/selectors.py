"""Reads over staff accounts."""

from __future__ import annotations

from typing import Any

from accord.accounts.models import ApiToken, User


def team_names(user: User) -> list[str]:
    return list(user.teams.order_by("name").values_list("name", flat=True))


def tokens_of(user: Any) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user_id=user.pk).order_by("-created_at"))


def staff_by_username(username: str) -> User | None:
    return User.objects.filter(username=username).first()
