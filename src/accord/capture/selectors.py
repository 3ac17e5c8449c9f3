"""Reads over capture sources. Sources are operator configuration, for administrators:
their settings are shown, their sealed secrets never are."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from accord.accounts.access import ensure_admin
from accord.capture.models import Campaign, CaptureProblem, Source
from accord.platform.errors import NotFound


def list_sources(actor: Any) -> list[Source]:
    ensure_admin(actor)
    return list(Source.objects.defer("sealed_secrets").order_by("name"))


def source_by_name(actor: Any, name: str) -> Source:
    ensure_admin(actor)
    source = Source.objects.defer("sealed_secrets").filter(name=name).first()
    if source is None:
        raise NotFound(f"No source named {name!r}.", field="name")
    return source


def recent_problems(actor: Any, source_id: int | None, limit: int = 20) -> list[CaptureProblem]:
    ensure_admin(actor)
    return list(CaptureProblem.objects.filter(source_id=source_id)
                .order_by("-occurred_at", "-id")[:limit])


def list_campaigns(actor: Any) -> list[Campaign]:
    """Campaigns with ``response_count`` counted, newest first."""
    ensure_admin(actor)
    return list(Campaign.objects.annotate(response_count=Count("responses")).order_by("-id"))
