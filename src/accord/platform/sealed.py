"""Connector secrets (passwords, API tokens) sealed at rest with the site's secret key.

A source's password is needed in clear text only while it syncs; everywhere else (the
database, backups, the admin, logs, pages, API answers) it exists only sealed: Fernet
(AES-128-CBC + HMAC-SHA256, from the well-kept ``cryptography`` package) under a key
derived from ``settings.SECRET_KEY``. If the secret key changes, sealed values cannot be
opened any more and the source asks for its password again; nothing is silently lost."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from accord.platform.errors import InvalidInput

_CONTEXT = b"accord.platform.sealed/v1"


def _fernet() -> Fernet:
    key = hashlib.sha256(_CONTEXT + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(values: dict[str, Any]) -> str:
    """The values as one sealed text (empty when there is nothing to keep)."""
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def unseal(sealed: str, *, field: str = "secrets") -> dict[str, Any]:
    """The values sealed by ``seal``; InvalidInput when they were sealed under another key."""
    if not sealed:
        return {}
    try:
        opened = json.loads(_fernet().decrypt(sealed.encode()))
    except (InvalidToken, ValueError) as exc:
        raise InvalidInput("The stored secret cannot be read with this site's secret key "
                           "(was ACCORD_SECRET_KEY changed?); enter it again.",
                           field=field) from exc
    if not isinstance(opened, dict):
        raise InvalidInput("The stored secret is damaged; enter it again.", field=field)
    return opened
