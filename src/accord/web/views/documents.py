"""Scans as files and pictures: a queued document's original and first-page preview, and
the preview of a letter or fax on the timeline (its original is an attachment)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from accord.capture import selectors_review
from accord.interactions import selectors as interaction_selectors
from accord.platform import blobs
from accord.platform.errors import NotFound
from accord.web.views.errors import HtmxHttpRequest, page


def _png(content: bytes) -> HttpResponse:
    """A preview Accord rendered itself (always a PNG), so it may show inline."""
    response = HttpResponse(content, content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"  # content-addressed: never changes
    response["X-Content-Type-Options"] = "nosniff"
    return response


@page
def queued_file(request: HtmxHttpRequest, pending_id: int) -> HttpResponse:
    """The original as uploaded, as a download (never rendered in Accord's origin)."""
    pending, content = selectors_review.document_file(request.user, pending_id)
    response = HttpResponse(content, content_type=pending.content_type
                            or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=pending.filename or "document") or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@page
def queued_preview(request: HtmxHttpRequest, pending_id: int) -> HttpResponse:
    return _png(selectors_review.document_preview(request.user, pending_id))


@page
def interaction_preview(request: HtmxHttpRequest, interaction_id: int) -> HttpResponse:
    """The first page of a letter or fax the user may see."""
    item = interaction_selectors.get_interaction(request.user, interaction_id)
    digest = item.metadata.get("preview_sha256") if isinstance(item.metadata, dict) else None
    if not digest:
        raise NotFound("This interaction has no preview.", field="interaction_id")
    return _png(blobs.read(str(digest)))
