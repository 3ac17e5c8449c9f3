"""Capture API: documents (letters and faxes) uploaded as files."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Status, UploadedFile

from accord.capture.schemas import DocumentOutcomeOut
from accord.capture.services.documents import MAX_DOCUMENT_BYTES, capture_document
from accord.platform.errors import InvalidInput

router = Router(tags=["capture"])

_STATUS = {"captured": 201, "queued": 202, "present": 200}


@router.post(
    "/documents",
    response={200: DocumentOutcomeOut, 201: DocumentOutcomeOut, 202: DocumentOutcomeOut},
    summary="Upload a letter or fax (PDF, PNG, JPEG, TIFF); idempotent per file content",
    description="201: captured on the sender's timeline; 202: queued for review (no sure "
    "match); 200: the same file was captured before. 400 names the reason a file cannot "
    "be read (empty, not a document, damaged, encrypted).",
)
def upload_document(request: HttpRequest, file: File[UploadedFile],
                    channel: Form[str | None] = None) -> Any:
    if file.size is not None and file.size > MAX_DOCUMENT_BYTES:
        raise InvalidInput(f"The file is larger than {MAX_DOCUMENT_BYTES // 2**20} MB.",
                           field="file")
    outcome = capture_document(actor=request.auth,  # type: ignore[attr-defined]
                               content=file.read(), filename=file.name or "upload",
                               origin="api", channel=channel or None)
    return Status(_STATUS[outcome.status], outcome)
