"""Content-addressed file store under the data directory (attachments, scans).

A file is kept once under the SHA-256 of its bytes, so the same attachment captured
twice costs nothing and a stored file can never change behind a record's back."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

from accord.platform.errors import NotFound


def _root() -> Path:
    return Path(settings.BLOB_DIR)


def path_for(digest: str) -> Path:
    if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        raise NotFound("No such file.")
    return _root() / digest[:2] / digest[2:4] / digest


def store(content: bytes) -> str:
    """Store bytes and return their SHA-256 hex digest (idempotent)."""
    digest = hashlib.sha256(content).hexdigest()
    target = path_for(digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write to a temp file and rename: a crash never leaves a half-written blob.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    os.replace(tmp, target)
    return digest


def read(digest: str) -> bytes:
    target = path_for(digest)
    if not target.exists():
        raise NotFound("No such file.")
    return target.read_bytes()
