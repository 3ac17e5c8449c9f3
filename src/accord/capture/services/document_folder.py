"""Documents from the file system: `accord import documents PATH` (a file or a folder)
and the watched-folder source kind ``documents``.

A watched folder's sync takes each new file in its own transaction with the checkpoint
(the files handled, by size and modification time), so a sync killed half-way resumes
where it stopped; files may then move to a done folder. One unreadable file is recorded
as a problem of the source and the others go on."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from accord.capture.connectors.documents import OcrUnavailable
from accord.capture.models import Source
from accord.capture.services.documents import CHANNELS, DocumentOutcome, capture_document
from accord.capture.services.imap_sync import save_progress
from accord.capture.services.reports import CaptureReport, record_problem
from accord.platform import clock
from accord.platform.errors import AccordError, InvalidInput

logger = logging.getLogger(__name__)

DOCUMENT_SUFFIXES = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"})
FOLDER_SETTINGS = {"path", "channel", "done", "language", "settle_seconds"}
SETTLE_SECONDS = 10  # a file changed more recently may still be being written by a scanner


@dataclass
class DocumentReport(CaptureReport):
    queued: int = 0  # waiting in the review queue

    @property
    def seen(self) -> int:
        return super().seen + self.queued

    def add(self, other: CaptureReport) -> None:
        super().add(other)
        self.queued += getattr(other, "queued", 0)

    def count(self, outcome: DocumentOutcome, *, source_id: int | None, origin: str,
              item: str) -> None:
        if outcome.status == "captured":
            self.captured += 1
        elif outcome.status == "queued":
            self.queued += 1
        else:
            self.present += 1
        if outcome.status != "present":
            self.captured_in_part(source_id=source_id, origin=origin, item=item,
                                  problems=outcome.problems)


def document_files(path: Path, skip: Path | None = None) -> Iterator[Path]:
    """``path`` itself, or every document file under it (hidden files and the done
    folder left out), in a stable order."""
    if not path.is_dir():
        yield path
        return
    for file in sorted(path.rglob("*")):
        relative = file.relative_to(path)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if skip is not None and file.is_relative_to(skip):
            continue
        if file.is_file() and file.suffix.lower() in DOCUMENT_SUFFIXES:
            yield file


def capture_file(report: DocumentReport, *, actor: Any, file: Path, origin: str,
                 channel: str | None, source_id: int | None = None,
                 language: str = "eng") -> DocumentOutcome | None:
    """Capture one file, counting the outcome. A bad file is rejected with its reason
    and None returned; OcrUnavailable (the machine, not the file) is raised."""
    try:
        content = file.read_bytes()
        outcome = capture_document(actor=actor, content=content, filename=file.name,
                                   origin=origin, channel=channel, source_id=source_id,
                                   language=language)
    except OcrUnavailable:
        raise
    except OSError as exc:
        report.reject(source_id=source_id, origin=origin, item=str(file),
                      reason=f"cannot read: {exc.strerror or exc}")
        return None
    except AccordError as exc:
        report.reject(source_id=source_id, origin=origin, item=str(file), reason=exc.message)
        return None
    except Exception as exc:
        logger.exception("capturing %s failed", file)
        report.reject(source_id=source_id, origin=origin, item=str(file),
                      reason=f"unexpected error ({type(exc).__name__}): {exc}"[:500])
        return None
    report.count(outcome, source_id=source_id, origin=origin, item=str(file))
    return outcome


def import_documents(*, actor: Any, path: Path, channel: str | None = None,
                     progress: Callable[[int], None] = lambda _: None) -> DocumentReport:
    """Every document at ``path``; re-running it adds nothing twice."""
    report = DocumentReport()
    for file in document_files(path):
        capture_file(report, actor=actor, file=file, origin=f"file:{file}", channel=channel)
        progress(1)
    return report


# --- the watched-folder source kind ------------------------------------------------------


def clean_settings(values: dict[str, Any], secrets: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - FOLDER_SETTINGS
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(f"Unknown documents setting {name!r}.", field=f"settings.{name}")
    if secrets:
        raise InvalidInput("A documents source keeps no secrets.", field="secrets")
    path = Path(str(values.get("path") or "")).expanduser()
    if not str(values.get("path") or "").strip():
        raise InvalidInput("A documents source needs the folder to watch.",
                           field="settings.path")
    if not path.is_absolute() or not path.is_dir():
        raise InvalidInput(f"{path} is not an existing folder (give an absolute path).",
                           field="settings.path")
    channel = str(values.get("channel") or "auto")
    if channel not in ("auto", *CHANNELS):
        raise InvalidInput("channel must be letter, fax or auto.", field="settings.channel")
    done = str(values.get("done") or "").strip()
    if done and not Path(done).expanduser().is_absolute():
        raise InvalidInput("done must be an absolute folder path.", field="settings.done")
    try:
        settle = int(values.get("settle_seconds", SETTLE_SECONDS))
    except (TypeError, ValueError) as exc:
        raise InvalidInput("settle_seconds must be a number.",
                           field="settings.settle_seconds") from exc
    return {"path": str(path), "channel": channel,
            "done": str(Path(done).expanduser()) if done else "",
            "language": str(values.get("language") or "eng"),
            "settle_seconds": max(0, settle)}


def _stamp(file: Path) -> list[int]:
    stat = file.stat()
    return [stat.st_size, stat.st_mtime_ns]


def sync(actor: Any, source: Source) -> CaptureReport:
    """Capture the files that are new (or changed) since the last sync."""
    values = source.settings
    folder = Path(values["path"])
    if not folder.is_dir():
        raise AccordError(f"The folder {folder} is not there (unmounted or removed).",
                          field="settings.path")
    done = Path(values["done"]) if values.get("done") else None
    channel = None if values.get("channel") in (None, "", "auto") else values["channel"]
    settle = int(values.get("settle_seconds", SETTLE_SECONDS))
    handled: dict[str, list[int]] = dict((source.checkpoint or {}).get("files", {}))
    origin = f"folder:{source.name}"
    report = DocumentReport()
    now_ns = clock.now().timestamp() * 1e9
    present: set[str] = set()
    for file in document_files(folder, skip=done):
        name = str(file.relative_to(folder))
        present.add(name)
        try:
            stamp = _stamp(file)
        except OSError:
            continue  # gone between the listing and now
        if handled.get(name) == stamp or now_ns - stamp[1] < settle * 1e9:
            continue
        part = DocumentReport()
        with transaction.atomic():
            outcome = capture_file(part, actor=actor, file=file, origin=origin,
                                   channel=channel, source_id=source.pk,
                                   language=values.get("language") or "eng")
            handled[name] = stamp
            source.checkpoint = {"files": {k: v for k, v in handled.items()
                                           if k in present or k == name}}
            # A queued document was taken in too: the source counts it as captured.
            save_progress(source, CaptureReport(captured=part.captured + part.queued,
                                                present=part.present, rejected=part.rejected))
        report.add(part)
        if done is not None and outcome is not None:
            _move_done(file, folder, done, source, origin)
    # Files that were moved or deleted need no entry any more.
    source.checkpoint = {"files": {k: v for k, v in handled.items() if k in present}}
    save_progress(source, CaptureReport())
    return report


def _move_done(file: Path, folder: Path, done: Path, source: Source, origin: str) -> None:
    """Move a handled file out of the way; a failure is a problem, not a lost file (the
    checkpoint already says it was handled)."""
    target = done / file.relative_to(folder)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target = target.with_name(f"{target.stem}-{os.getpid()}-"
                                      f"{clock.now():%Y%m%d%H%M%S}{target.suffix}")
        shutil.move(str(file), str(target))
    except OSError as exc:
        record_problem(source_id=source.pk, origin=origin, item=str(file), partial=True,
                       reason=f"captured, but could not be moved to {done}: {exc}")
