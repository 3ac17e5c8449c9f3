"""API shapes for interactions and the timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import BaseModel, Field

from accord.interactions.domain import Channel, Direction, Role

ChannelField = Channel
DirectionField = Direction


class ParticipantIn(Schema):
    role: Role
    customer_id: int | None = Field(None, gt=0)
    kind: str | None = Field(None, description="identity kind when matching by identity")
    value: str | None = Field(None, max_length=500, description="email, phone, ... to match")


class AttachmentIn(Schema):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field("", max_length=150)
    content_base64: str = Field(description="the file's bytes, base64-encoded")


class InteractionIn(Schema):
    channel: Channel
    direction: Direction
    occurred_at: datetime
    subject: str = Field("", max_length=500)
    text: str = Field("", max_length=1_000_000)
    thread_key: str = Field("", max_length=255)
    source: str = Field("api", max_length=100)
    external_id: str = Field("", max_length=255)
    metadata: dict[str, Any] = Field(default_factory=dict)
    participants: list[ParticipantIn] = Field(min_length=1, max_length=500)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=50)


# Answers are plain pydantic models built from the dicts api._out makes: ninja's Schema
# would wrap every nested object in its ORM attribute getter, the larger part of a
# timeline page's serialisation time.


class ParticipantOut(BaseModel):
    role: str
    customer_id: int | None = Field(description="empty when unmatched or not visible to you")
    address: str


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str


class InteractionOut(BaseModel):
    id: int
    channel: str
    direction: str
    occurred_at: datetime
    subject: str
    text: str
    thread_key: str
    source: str
    external_id: str
    metadata: dict[str, Any]
    participants: list[ParticipantOut]
    attachments: list[AttachmentOut]
    created_at: datetime


class TimelinePageOut(BaseModel):
    items: list[InteractionOut]
    next_cursor: str | None
