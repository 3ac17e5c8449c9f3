"""Running a demo generation: the chunk stream into a writer, under a progress bar, with
the throughput measured at the end."""

from __future__ import annotations

import time
from contextlib import nullcontext

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from accord.web.demo.bulk_writer import BulkWriter, bulk_tables
from accord.web.demo.fast_load import fast_load
from accord.web.demo.generate import LoadCounts, chunk_stream
from accord.web.demo.plan import DemoPlan
from accord.web.demo.service_writer import ServiceWriter
from accord.web.demo.staff import Roster


def generate(plan: DemoPlan, roster: Roster, *, bulk: bool, console: Console) -> LoadCounts:
    """Generate and write the whole plan; returns what was written and how long it took
    (``seconds`` is the wall time from the first chunk to the last commit)."""
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("customers · {task.fields[interactions]:,} interactions · "
                   "{task.fields[rate]:,.0f}/s"),
        TimeElapsedColumn(), TimeRemainingColumn(), console=console)
    started = time.perf_counter()
    tuning = fast_load(bulk_tables(), say=console.print) if bulk else nullcontext()
    with progress, tuning:
        task = progress.add_task("Generating" + (" (bulk)" if bulk else ""),
                                 total=plan.customers, interactions=0, rate=0.0)
        writer = BulkWriter(roster) if bulk else ServiceWriter(roster)
        stream = chunk_stream(plan, background=bulk)
        reported = 0
        while True:
            waited = time.perf_counter()
            data = next(stream, None)
            writer.counts.add_time("waiting for the generator", time.perf_counter() - waited)
            if data is None:
                break
            writer.write(data)
            elapsed = time.perf_counter() - started
            rate = writer.counts.interactions / max(elapsed, 1e-9)
            progress.update(task, advance=data.chunk.count,
                            interactions=writer.counts.interactions, rate=rate)
            done = (data.chunk.start + data.chunk.count) / plan.customers
            if not console.is_terminal and int(done * 10) > reported:
                # No live bar in a log file: a line every tenth of the way instead.
                reported = int(done * 10)
                console.print(f"{done:.0%}: {writer.counts.interactions:,} interactions, "
                              f"{elapsed:,.0f} s, {rate:,.0f} interactions/s")
        if isinstance(writer, BulkWriter):
            writer.finish()
        finishing = time.perf_counter()
    counts = writer.counts
    if bulk:
        counts.add_time("indexes and statistics", time.perf_counter() - finishing)
    counts.seconds = time.perf_counter() - started
    return counts

