"""Keyset (cursor) pagination: opaque cursors over (sort key, id).

Cursors are base64 of a tiny JSON list, so they survive URLs and stay stable while rows
are inserted (offsets would shift and repeat or skip rows)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from accord.platform.errors import InvalidInput


def encode_cursor(*values: Any) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, arity: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("The cursor is not one this server issued.", field="cursor") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise InvalidInput("The cursor is not one this server issued.", field="cursor")
    return values


def encode_time_cursor(at: datetime, row_id: int) -> str:
    """Cursor for lists ordered newest first by (time, id)."""
    return encode_cursor(at.isoformat(), row_id)


def decode_time_cursor(cursor: str) -> tuple[datetime, int]:
    at_text, row_id = decode_cursor(cursor, arity=2)
    try:
        at = datetime.fromisoformat(at_text)
        if at.tzinfo is None:  # forged: the server only issues aware times
            at = at.replace(tzinfo=UTC)
        at.astimezone(UTC)  # year 1 at +01:00 has no UTC form: the databases disagree on it
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidInput("The cursor is not one this server issued.", field="cursor") from exc
    if not isinstance(row_id, int) or isinstance(row_id, bool) or not 0 <= row_id < 2**63:
        raise InvalidInput("The cursor is not one this server issued.", field="cursor")
    return at, row_id
