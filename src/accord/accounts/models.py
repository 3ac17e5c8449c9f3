"""Staff users, teams and personal API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from accord.accounts.domain import Role


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff. The role decides which customers they see and what they may do."""

    role = models.CharField(max_length=20, choices=[(r.value, r.name.title()) for r in Role],
                            default=Role.CONSULTANT.value)
    teams = models.ManyToManyField(Team, blank=True, related_name="members")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="cli")
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
