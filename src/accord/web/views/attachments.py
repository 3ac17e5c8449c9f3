"""Downloading an attachment of an interaction the user may see."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from accord.interactions import selectors as interaction_selectors
from accord.web.views.errors import HtmxHttpRequest, page


@page
def attachment_download(request: HtmxHttpRequest, attachment_id: int) -> HttpResponse:
    """The stored bytes, always as a download: a captured HTML or SVG file must never run
    in Accord's origin, so it is not rendered inline and is sandboxed if opened."""
    attachment, content = interaction_selectors.attachment_content(request.user, attachment_id)
    response = HttpResponse(content, content_type=attachment.content_type
                            or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=attachment.filename or "attachment") or "attachment"
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
