"""Interactions API: record and read interactions, a customer's timeline, attachments."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Query, Router, Schema, Status

from accord.interactions import selectors, services
from accord.interactions.models import Interaction
from accord.interactions.schemas import InteractionIn, InteractionOut, TimelinePageOut
from accord.platform.errors import InvalidInput

router = Router(tags=["interactions"])


class TimelineParams(Schema):
    channel: list[str] = []
    direction: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    cursor: str | None = None
    limit: int = selectors.PAGE


def _out(actor: Any, interactions: list[Interaction]) -> list[dict[str, Any]]:
    """Serialise interactions read by a selector (``participant_list`` and
    ``attachment_list`` loaded), masking participant customers the actor may not see."""
    ids = {p.customer_id for i in interactions for p in i.participant_list  # type: ignore[attr-defined]
           if p.customer_id}
    visible = selectors.visible_customer_ids(actor, list(ids)) if ids else set()
    # Plain dicts, not from_orm: the timeline is the hottest read and ninja's ORM getter
    # costs more than the queries (the response schema still validates the result).
    return [{
        "id": i.pk, "channel": i.channel, "direction": i.direction,
        "occurred_at": i.occurred_at, "subject": i.subject, "text": i.text,
        "thread_key": i.thread_key, "source": i.source, "external_id": i.external_id,
        "metadata": i.metadata, "created_at": i.created_at,
        "participants": [{"role": p.role, "address": p.address,
                          "customer_id": p.customer_id if p.customer_id in visible else None}
                         for p in i.participant_list],  # type: ignore[attr-defined]
        "attachments": [{"id": a.pk, "filename": a.filename, "content_type": a.content_type,
                         "size": a.size, "sha256": a.sha256} for a in i.attachment_list],  # type: ignore[attr-defined]
    } for i in interactions]


def _decode(index: int, text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(
            "content_base64 is not valid base64.", field=f"attachments[{index}].content_base64"
        ) from exc


@router.post(
    "/interactions",
    response={200: InteractionOut, 201: InteractionOut},
    summary="Record an interaction (idempotent per source + external_id)",
)
def record_interaction(request: HttpRequest, payload: InteractionIn) -> Any:
    result = services.record_interaction(
        actor=request.auth,
        channel=payload.channel.value,
        direction=payload.direction.value,
        occurred_at=payload.occurred_at,
        subject=payload.subject,
        text=payload.text,
        thread_key=payload.thread_key,
        source=payload.source,
        external_id=payload.external_id,
        metadata=payload.metadata,
        participants=[
            services.ParticipantInput(
                role=p.role.value, customer_id=p.customer_id, kind=p.kind, value=p.value
            )
            for p in payload.participants
        ],
        attachments=[
            services.AttachmentInput(
                filename=a.filename,
                content_type=a.content_type,
                content=_decode(n, a.content_base64),
            )
            for n, a in enumerate(payload.attachments)
        ],
    )
    interaction = selectors.get_interaction(request.auth, result.interaction.pk)
    return Status((201 if result.created else 200), _out(request.auth, [interaction])[0])


@router.get(
    "/interactions/{int:interaction_id}", response=InteractionOut, summary="Read an interaction"
)
def get_interaction(request: HttpRequest, interaction_id: int) -> Any:
    return _out(request.auth, [selectors.get_interaction(request.auth, interaction_id)])[0]


@router.get(
    "/attachments/{int:attachment_id}", summary="Download an attachment", response={200: None}
)
def download_attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment, content = selectors.attachment_content(request.auth, attachment_id)
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
    return response


@router.get(
    "/customers/{int:customer_id}/timeline",
    response=TimelinePageOut,
    summary="A customer's timeline across every channel, newest first",
)
def timeline(request: HttpRequest, customer_id: int, params: Query[TimelineParams]) -> Any:
    page = selectors.timeline(
        request.auth,
        customer_id,
        channels=params.channel,
        direction=params.direction,
        since=params.since,
        until=params.until,
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": _out(request.auth, page.items), "next_cursor": page.next_cursor}
