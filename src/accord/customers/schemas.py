"""API shapes for customers, identities and merges."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

CustomerKindField = Literal["person", "organisation"]
LifecycleField = Literal["lead", "prospect", "customer", "former"]
IdentityKindField = Literal["email", "phone", "address", "external_id"]


class IdentityIn(Schema):
    kind: IdentityKindField
    value: str = Field(min_length=1, max_length=500)
    verified: bool = False


class IdentityOut(Schema):
    id: int
    kind: str
    value: str
    display: str
    verified: bool
    source: str
    first_seen: datetime
    last_seen: datetime


class CustomerRef(Schema):
    id: int
    display_name: str
    kind: str


class CustomerIn(Schema):
    kind: CustomerKindField = "person"
    display_name: str = Field("", max_length=200)
    given_name: str = Field("", max_length=100)
    family_name: str = Field("", max_length=100)
    organisation_id: int | None = Field(None, gt=0)
    owner_id: int | None = Field(None, gt=0)
    team_id: int | None = Field(None, gt=0)
    preferred_channel: str = Field("", max_length=30)
    language: str = Field("", max_length=10)
    lifecycle: LifecycleField = "customer"
    identities: list[IdentityIn] = Field(default_factory=list, max_length=50)


class CustomerPatch(Schema):
    kind: CustomerKindField | None = None
    display_name: str | None = Field(None, max_length=200)
    given_name: str | None = Field(None, max_length=100)
    family_name: str | None = Field(None, max_length=100)
    organisation_id: int | None = Field(None, gt=0)
    owner_id: int | None = Field(None, gt=0)
    team_id: int | None = Field(None, gt=0)
    preferred_channel: str | None = Field(None, max_length=30)
    language: str | None = Field(None, max_length=10)
    lifecycle: LifecycleField | None = None


class CustomerOut(Schema):
    id: int
    kind: str
    display_name: str
    given_name: str
    family_name: str
    organisation: CustomerRef | None
    owner_id: int | None
    team_id: int | None
    preferred_channel: str
    language: str
    lifecycle: str
    merged_into_id: int | None
    created_at: datetime
    updated_at: datetime


class CustomerDetailOut(CustomerOut):
    identities: list[IdentityOut]

    @staticmethod
    def resolve_identities(obj: Any) -> Any:
        return obj.identities.order_by("kind", "id")


class CustomerPageOut(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class MergeIn(Schema):
    loser_id: int = Field(gt=0)
    choices: dict[str, Literal["survivor", "loser"]] = Field(default_factory=dict)


class MergeOut(Schema):
    id: int
    survivor_id: int
    loser_id: int
    merged_at: datetime
    undone_at: datetime | None


class DuplicateOut(Schema):
    id: int
    score: float
    reasons: list[str]
    status: str
    found_at: datetime
    customer_a: CustomerRef
    customer_b: CustomerRef


class DuplicatePageOut(Schema):
    items: list[DuplicateOut]
    next_cursor: str | None


class DuplicateMergeIn(Schema):
    """``survivor``: which record of the pair survives; ``choices``: per field, the side
    whose value survives (a field not chosen keeps the survivor's, or fills its gap)."""

    survivor: Literal["a", "b"]
    choices: dict[str, Literal["a", "b"]] = Field(default_factory=dict)
