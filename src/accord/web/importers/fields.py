"""Reading one value out of an import record, with errors that name the column."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from accord.platform.errors import AccordError


class RowError(Exception):
    """This row cannot be imported because of ``field``."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    @classmethod
    def from_accord(cls, error: AccordError, field: str | None = None) -> RowError:
        """A service's error, named after the file's column when the caller knows it."""
        return cls(field or error.field, error.message)


def text(data: dict[str, Any], name: str, *, required: bool = False, limit: int | None = None,
         default: str = "") -> str:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RowError(name, f"{name} is required.")
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RowError(name, f"{name} must be text.")
    result = str(value).strip()
    if limit is not None and len(result) > limit:
        raise RowError(name, f"{name} is longer than {limit} characters.")
    return result


def many(data: dict[str, Any], name: str) -> list[str]:
    """A column holding several values: a JSON list, or text separated by ';'."""
    value = data.get(name)
    if value is None:
        return []
    if isinstance(value, list):
        items = value
    elif isinstance(value, str):
        items = value.split(";")
    else:
        items = [value]
    found = []
    for item in items:
        if not isinstance(item, str | int) or isinstance(item, bool):
            raise RowError(name, f"{name} must be text or a list of texts.")
        if str(item).strip():
            found.append(str(item).strip())
    return found


def moment(data: dict[str, Any], name: str) -> datetime:
    """A required ISO 8601 time ('2025-03-01T09:30:00+01:00', '2025-03-01 09:30',
    '2025-03-01'); without an offset the time is UTC, a bare date is midnight UTC."""
    raw = text(data, name, required=True)
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            value = datetime.combine(date.fromisoformat(raw), datetime.min.time())
        except ValueError as exc:
            raise RowError(name, f"{raw!r} is not an ISO 8601 date or time "
                                 f"(e.g. 2025-03-01 09:30:00).") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def json_object(data: dict[str, Any], name: str) -> dict[str, Any]:
    """An object: as is from JSON Lines, or JSON text in a CSV cell."""
    value = data.get(name)
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise RowError(name, f"{name} is not valid JSON: {exc.msg}.") from exc
    if not isinstance(value, dict):
        raise RowError(name, f"{name} must be a JSON object.")
    return value


def json_list(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = data.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise RowError(name, f"{name} is not valid JSON: {exc.msg}.") from exc
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise RowError(name, f"{name} must be a list of objects.")
    return value
