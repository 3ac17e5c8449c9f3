"""A demo data set as a stream of chunks, generated in order, optionally in another
process a few chunks ahead of the writer (generation and writing then use both cores)."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field

from accord.web.demo.activity import Interactions, generate_interactions
from accord.web.demo.content import ContentPools, build_pools
from accord.web.demo.plan import Chunk, DemoPlan
from accord.web.demo.population import Population, generate_population
from accord.web.demo.purchases import Purchases, simulate_purchases


@dataclass
class DemoChunk:
    chunk: Chunk
    people: Population
    purchases: Purchases
    interactions: Interactions


def generate_chunk(plan: DemoPlan, chunk: Chunk, pools: ContentPools) -> DemoChunk:
    """Everything about one chunk of customers; depends only on (seed, chunk, as_of)."""
    rng = plan.rng(chunk)
    people = generate_population(chunk, rng)
    purchases = simulate_purchases(chunk, people, rng, plan.as_of_seconds)
    interactions = generate_interactions(chunk, people, purchases, rng, pools,
                                         plan.as_of_seconds)
    return DemoChunk(chunk, people, purchases, interactions)


@dataclass
class LoadCounts:
    """What a writer wrote, and how long it took."""

    customers: int = 0
    identities: int = 0
    interactions: int = 0
    participants: int = 0
    transactions: int = 0
    lines: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    showcase_id: int | None = None  # a person with something in every channel today

    @property
    def rows(self) -> int:
        return (self.customers + self.identities + self.interactions + self.participants
                + self.transactions + self.lines)

    def add_time(self, phase: str, seconds: float) -> None:
        self.timings[phase] = self.timings.get(phase, 0.0) + seconds


_worker_state: dict[str, object] = {}


def _start_worker(plan: DemoPlan) -> None:
    _worker_state["plan"] = plan
    _worker_state["pools"] = build_pools(plan.vocabulary_rng())


def _generate_in_worker(chunk: Chunk) -> DemoChunk:
    plan = _worker_state["plan"]
    pools = _worker_state["pools"]
    assert isinstance(plan, DemoPlan) and isinstance(pools, ContentPools)
    return generate_chunk(plan, chunk, pools)


def chunk_stream(plan: DemoPlan, *, background: bool = False, ahead: int = 3
                 ) -> Iterator[DemoChunk]:
    """The plan's chunks in order. ``background`` generates them in a separate process, at
    most ``ahead`` chunks in advance to keep memory bounded. The process is forked where
    possible (no re-import of __main__); it only computes and never touches the database
    connection it inherits."""
    chunks = list(plan.chunks())
    if not background or len(chunks) < 2:
        pools = build_pools(plan.vocabulary_rng())
        for chunk in chunks:
            yield generate_chunk(plan, chunk, pools)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_start_worker,
                             initargs=(plan,)) as pool:
        pending: deque[Future[DemoChunk]] = deque()
        upcoming = iter(chunks)
        for chunk in upcoming:
            pending.append(pool.submit(_generate_in_worker, chunk))
            if len(pending) >= ahead:
                break
        while pending:
            ready = pending.popleft().result()
            following = next(upcoming, None)
            if following is not None:
                pending.append(pool.submit(_generate_in_worker, following))
            yield ready
