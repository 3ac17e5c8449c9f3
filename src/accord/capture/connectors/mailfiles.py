"""Messages from mail files: mbox, Maildir folders, single .eml files, or a folder of them.

Each message comes with a stable reference (for reports) and its raw bytes; parsing is
the caller's. Unreadable files are reported as items, never raised, so one bad file does
not stop an import."""

from __future__ import annotations

import mmap
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


_FROM_LINE = b"\nFrom "  # a message starts at every line beginning "From "


def _message_starts(mapped: mmap.mmap) -> list[int]:
    """Offsets of the lines beginning "From " (mboxo/mboxrd, as the stdlib reads them),
    found with the byte search of ``find`` (a regular expression tests every position)."""
    starts = [0] if mapped[:5] == b"From " else []
    at = mapped.find(_FROM_LINE)
    while at != -1:
        starts.append(at + 1)
        at = mapped.find(_FROM_LINE, at + 1)
    return starts


def _mbox(path: Path) -> Iterator[MailFileItem]:
    """The messages of an mbox file, split the way ``mailbox.mbox`` splits them (each
    starts at a line beginning "From ", that line not included; the blank line before the
    next one not included) but found with one byte search through the mapped file:
    the stdlib builds its table of contents a line and a ``tell()`` at a time, which cost
    an import as much as parsing the messages did."""
    try:
        with path.open("rb") as file:
            if path.stat().st_size == 0:
                return
            with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                starts = _message_starts(mapped)
                ends = [*starts[1:], len(mapped)]
                for number, (start, end) in enumerate(zip(starts, ends, strict=True), 1):
                    body = mapped.find(b"\n", start, end) + 1 or end
                    if mapped[end - 2:end] == b"\n\n":
                        end -= 1  # the blank line that separates messages
                    yield MailFileItem(f"{path} message {number}", mapped[body:end])
    except (OSError, ValueError) as exc:
        yield MailFileItem(str(path), None, f"cannot read as mbox: {exc}")
