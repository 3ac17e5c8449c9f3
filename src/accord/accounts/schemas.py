"""API shapes for the signed-in user and their tokens."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class MeOut(Schema):
    id: int
    username: str
    role: str
    teams: list[str]


class TokenIn(Schema):
    name: str = Field("api", min_length=1, max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(Schema):
    token: str = Field(description="shown once; only its hash is stored")
