"""What a demo run generates: size, seed, the moment it is 'now', the staff, the chunks.

Every chunk of customers draws from its own random stream, seeded by (seed, chunk), so a
chunk's data never depends on how many chunks came before it, on the writer, or on
where a run stopped."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

CHUNK_SIZE = 10_000  # customers per chunk: fixed, so a seed means the same data at any size
HISTORY_DAYS = 3 * 365  # how far back the oldest relationships start
INTERACTIONS_PER_CUSTOMER = 10.0  # average; 1M customers -> ~10M interactions
DEMO_SOURCE = "demo"  # identities and interactions
SHOP_SOURCE = "demo-shop"  # transactions, keyed by order number


@dataclass(frozen=True)
class StaffMember:
    username: str
    role: str
    teams: tuple[str, ...]
    full_name: str


TEAMS = ("North", "South", "Key Accounts")
STAFF = (
    StaffMember("nadia", "manager", ("North",), "Nadia Rahman"),
    StaffMember("tom", "consultant", ("North",), "Tom Whitfield"),
    StaffMember("priya", "consultant", ("North",), "Priya Nair"),
    StaffMember("sam", "manager", ("South",), "Sam Okoro"),
    StaffMember("liam", "consultant", ("South",), "Liam Byrne"),
    StaffMember("grace", "consultant", ("South",), "Grace Liu"),
    StaffMember("omar", "manager", ("Key Accounts",), "Omar Haddad"),
    StaffMember("ella", "consultant", ("Key Accounts",), "Ella Fontaine"),
    StaffMember("ann", "analyst", (), "Ann Analyst"),
)


def staff_of_team(team: str) -> list[int]:
    """Positions in STAFF of the people who can own that team's customers."""
    return [i for i, s in enumerate(STAFF) if team in s.teams and s.role != "analyst"]


@dataclass(frozen=True)
class Chunk:
    index: int
    start: int  # global index of its first customer
    count: int


@dataclass(frozen=True)
class DemoPlan:
    customers: int
    seed: int
    as_of: datetime  # 'now' for the data set: whole seconds, UTC

    @property
    def as_of_seconds(self) -> int:
        return int(self.as_of.timestamp())

    def chunks(self) -> Iterator[Chunk]:
        for index, start in enumerate(range(0, self.customers, CHUNK_SIZE)):
            yield Chunk(index, start, min(CHUNK_SIZE, self.customers - start))

    def rng(self, chunk: Chunk) -> np.random.Generator:
        return np.random.default_rng([self.seed, chunk.index])

    def vocabulary_rng(self) -> np.random.Generator:
        """For the pools of texts and metadata shared by every chunk."""
        return np.random.default_rng([self.seed, 2**31])


def utc_text(seconds: np.ndarray) -> list[str]:
    """Epoch seconds -> 'YYYY-MM-DD HH:MM:SS' (Django's own SQLite form), vectorised."""
    text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    codes = text.view(np.uint32).reshape(-1, text.dtype.itemsize // 4)
    codes[:, 10] = ord(" ")  # the ISO 'T' becomes a space
    formatted: list[str] = text.tolist()
    return formatted


def make_plan(customers: int, seed: int, as_of: datetime | None = None) -> DemoPlan:
    """A plan; ``as_of`` defaults to now, cut to the minute (pass it to reproduce a run)."""
    if customers < 1:
        raise ValueError("customers must be at least 1")
    moment = as_of or datetime.now(UTC).replace(second=0)
    moment = moment.astimezone(UTC).replace(microsecond=0)
    return DemoPlan(customers=customers, seed=seed, as_of=moment)
