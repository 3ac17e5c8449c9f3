"""Finding campaign response codes in what customers send: pure rules.

A code is a word of letters, digits, '-' or '_' ("SPRING24", "RC-1187"), matched whole
and without regard to case, anywhere in the subject, the text or the metadata of an
item (a landing page's ?rc=SPRING24 or utm_campaign=spring24 included): printed on a
reply card and read by OCR, typed into an SMS, carried by a link."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

_WORD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?")
METADATA_DEPTH = 4  # pages of a visit, parts of a letter: deep enough, never unbounded
METADATA_STRINGS = 2_000


def normalise_code(code: str) -> str:
    """The form codes are stored and compared in."""
    return code.strip().upper()


def is_valid_code(code: str) -> bool:
    return 2 <= len(code) <= 40 and _WORD.fullmatch(code) is not None


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif depth < METADATA_DEPTH and isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif depth < METADATA_DEPTH and isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, depth + 1)


def codes_in(texts: Iterable[str], metadata: Any, codes: Iterable[str]) -> set[str]:
    """The known ``codes`` (normalised) that occur as whole words in ``texts`` or in any
    string of ``metadata``."""
    wanted = set(codes)
    if not wanted:
        return set()
    strings = [*texts]
    for n, text in enumerate(_strings(metadata)):
        if n >= METADATA_STRINGS:
            break
        strings.append(text)
    found: set[str] = set()
    for text in strings:
        for word in _WORD.findall(text):
            upper = word.upper()
            if upper in wanted:
                found.add(upper)
    return found
