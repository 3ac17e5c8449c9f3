"""The data directory's generated secret key (imported by settings, so no Django here)."""

from __future__ import annotations

import secrets
from pathlib import Path


def ensure_secret_key_file(path: Path) -> None:
    """Generate a key into ``path`` (mode 600) unless one is there already."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
