"""Cursors round-trip and refuse anything the server did not issue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accord.platform.errors import InvalidInput
from accord.platform.pagination import decode_time_cursor, encode_cursor, encode_time_cursor


def test_round_trip() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert decode_time_cursor(encode_time_cursor(at, 42)) == (at, 42)


@pytest.mark.parametrize("cursor", [
    "", "!!!", "Zm9v", "WyJ4IiwxXQ", "WzEsMiwzXQ",
    encode_cursor("0001-01-01T00:00:00+01:00", 1),  # no UTC form
    encode_cursor("2026-01-01T00:00:00+00:00", 2**70),  # beyond any id column
    encode_cursor("2026-01-01T00:00:00+00:00", True),
])
def test_foreign_cursors_are_invalid_input(cursor: str) -> None:
    with pytest.raises(InvalidInput) as err:
        decode_time_cursor(cursor)
    assert err.value.field == "cursor"
