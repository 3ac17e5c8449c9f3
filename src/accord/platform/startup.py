"""What a long-running process does once Django is loaded, before it serves anything."""

from __future__ import annotations

import gc


def warm_and_freeze() -> None:
    """Load what the first request would load, then hide it from the garbage collector.

    A Django process holds a few hundred thousand long-lived objects (modules, models, URL
    patterns, compiled templates). Each full collection walks all of them, which shows up
    as a pause of tens of milliseconds on a random request. Freezing them after start-up
    (the approach CPython added gc.freeze for) leaves collections only the objects that
    requests create, and keeps forked workers' memory shared."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # imports every view and API module  # noqa: B018
    gc.collect()
    gc.freeze()
