"""`accord import documents PATH`: a progress count over capture's document import (OCR
takes a second or two a page), then a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from accord.capture.services.document_folder import DocumentReport, import_documents
from accord.platform.actors import SYSTEM
from accord.web.importers.capture_progress import show_rejected, with_progress


def import_document_files(path: Path, options: dict[str, Any],
                          console: Console) -> DocumentReport:
    channel = options.get("channel") or None
    report = with_progress(console, path, "documents", lambda progress: import_documents(
        actor=SYSTEM, path=path, channel=None if channel == "auto" else channel,
        progress=progress))
    assert isinstance(report, DocumentReport)
    console.print(
        f"{report.seen:,} documents: {report.captured:,} captured on a customer's timeline "
        f"({report.partial:,} with problems noted), {report.queued:,} queued for review, "
        f"{report.present:,} already present, {len(report.rejected):,} rejected.")
    if report.queued:
        console.print("  Queued documents wait on the Review page (/review/).")
    show_rejected(console, report)
    return report
