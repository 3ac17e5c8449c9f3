"""Parse mail on every core while the caller writes: a bounded pipeline over a process pool.

Parsing is most of an import's work and pure Python, so one process cannot go faster than
one core; the writer (the database) is the other half. Messages go to worker processes
in chunks, results come back in the original order, and at most a few chunks are in
flight so a 100,000-message mbox never sits in memory at once."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from accord.capture.connectors.mailfiles import MailFileItem
from accord.capture.domain.address_identities import identities_of
from accord.capture.domain.addresses import AddressRules
from accord.capture.domain.email_message import ParsedEmail, parse_email
from accord.customers.domain.identities import NormalisedIdentity

CHUNK = 64  # messages per task: big enough that pickling overhead stays small
LOOKAHEAD = 1_000  # messages parsed ahead of the writer (or in flight), at most


@dataclass(frozen=True)
class ParsedItem:
    ref: str
    parsed: ParsedEmail | None  # None when the item could not be read or parsed
    problem: str = ""
    # Every address on it (and its other spellings) validated as an identity: the
    # writer would otherwise spend as long on it as the parsing took.
    identities: dict[str, NormalisedIdentity | None] = field(default_factory=dict)


def _parse_one(item: MailFileItem, rules: AddressRules | None) -> ParsedItem:
    if item.raw is None:
        return ParsedItem(item.ref, None, item.problem)
    try:
        parsed = parse_email(item.raw)
    except Exception as exc:  # a parser bug on one message must not stop the import
        return ParsedItem(item.ref, None,
                          f"cannot be parsed ({type(exc).__name__}): {exc}"[:500])
    if rules is None:
        return ParsedItem(item.ref, parsed)
    people = (parsed.sender, *parsed.to, *parsed.cc, *parsed.reply_to)
    addresses = [p.address for p in people if p is not None]
    return ParsedItem(item.ref, parsed,
                      identities=identities_of([*addresses, *parsed.bounced_recipients],
                                               rules))


def _parse_chunk(chunk: list[MailFileItem], rules: AddressRules | None) -> list[ParsedItem]:
    return [_parse_one(item, rules) for item in chunk]


def _chunks(items: Iterable[MailFileItem], size: int) -> Iterator[list[MailFileItem]]:
    chunk: list[MailFileItem] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def parse_all(items: Iterable[MailFileItem], *, workers: int | None = None,
              rules: AddressRules | None = None, chunk: int = CHUNK,
              lookahead: int = LOOKAHEAD) -> Iterator[ParsedItem]:
    """Every item parsed, in order. With one worker (or one core) it parses in this
    process; otherwise in ``workers`` forked processes. With ``rules``, each item also
    carries its addresses as identities. ``lookahead``: how many messages the workers
    may parse ahead of the consumer; more than the consumer's batch, or the workers
    stand idle while it writes and it stands idle while they catch up."""
    count = default_workers() if workers is None else workers
    source = _chunks(items, chunk)
    if count <= 1:
        for batch in source:
            yield from _parse_chunk(batch, rules)
        return
    first = next(source, None)
    if first is None:
        return
    second = next(source, None)
    if second is None:  # one chunk: a pool would cost more than it saves
        yield from _parse_chunk(first, rules)
        return
    # fork: the workers need nothing from the parent but the code; spawning would
    # re-import Django for nothing.
    context = multiprocessing.get_context("fork")
    with context.Pool(count) as pool:
        pending: deque[Any] = deque()
        pending.append(pool.apply_async(_parse_chunk, (first, rules)))
        pending.append(pool.apply_async(_parse_chunk, (second, rules)))
        for batch in source:
            if len(pending) >= max(count * 2, lookahead // chunk):
                yield from pending.popleft().get()
            pending.append(pool.apply_async(_parse_chunk, (batch, rules)))
        while pending:
            yield from pending.popleft().get()
