"""Messages from mail files: mbox, Maildir folders, single .eml files, or a folder of them.

Each message comes with a stable reference (for reports) and its raw bytes; parsing is
the caller's. Unreadable files are reported as items, never raised, so one bad file does
not stop an import."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

EML_SUFFIXES = {".eml", ".msg822", ".txt"}
MBOX_SUFFIXES = {".mbox", ".mbx", ""}


@dataclass(frozen=True)
class MailFileItem:
    ref: str  # "inbox.mbox message 17", "Maildir/cur/1700000.M1P2.host", "x.eml"
    raw: bytes | None  # None when the item could not be read
    problem: str = ""


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def _looks_like_mbox(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(5) == b"From "
    except OSError:
        return False


def read_mail(path: Path) -> Iterator[MailFileItem]:
    """Every message under ``path`` (a file or a folder, searched recursively), in a
    stable order."""
    if _is_maildir(path):
        yield from _maildir(path)
    elif path.is_dir():
        for child in sorted(path.iterdir()):
            if child.name.startswith("."):
                continue
            yield from read_mail(child)
    elif path.is_file():
        if _looks_like_mbox(path):
            yield from _mbox(path)
        else:
            yield _single(path)
    else:
        yield MailFileItem(str(path), None, "no such file or folder")


def _single(path: Path) -> MailFileItem:
    try:
        return MailFileItem(str(path), path.read_bytes())
    except OSError as exc:
        return MailFileItem(str(path), None, f"cannot read: {exc.strerror or exc}")


def _maildir(path: Path) -> Iterator[MailFileItem]:
    for sub in ("cur", "new"):
        for file in sorted((path / sub).iterdir()):
            if file.is_file() and not file.name.startswith("."):
                yield _single(file)


def _mbox(path: Path) -> Iterator[MailFileItem]:
    try:
        box = mailbox.mbox(path, create=False)
        keys = list(box.keys())
    except (OSError, mailbox.Error) as exc:
        yield MailFileItem(str(path), None, f"cannot read as mbox: {exc}")
        return
    try:
        for number, key in enumerate(keys, start=1):
            ref = f"{path} message {number}"
            try:
                yield MailFileItem(ref, box.get_bytes(key))
            except (OSError, mailbox.Error, KeyError) as exc:
                yield MailFileItem(ref, None, f"cannot read: {exc}")
    finally:
        box.close()
