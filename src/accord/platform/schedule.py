"""Work the `accord worker` loop runs on every pass, registered by feature apps.

A platform module cannot import the apps above it; instead each app registers, in its
``AppConfig.ready()``, a function that finds and does whatever of its periodic work is due
(and returns how many things it did). Each job claims its work itself, so several workers
never do the same thing twice."""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

_jobs: dict[str, Callable[[], int]] = {}


def register_periodic(name: str, job: Callable[[], int]) -> None:
    """Run ``job`` on each worker pass; registering a name again replaces it."""
    _jobs[name] = job


def run_periodic() -> int:
    """Run every registered job once; a failing job is logged and the others still run."""
    done = 0
    for name, job in list(_jobs.items()):
        try:
            done += job()
        except Exception:  # one broken job must not stop the worker
            logger.exception("periodic job %s failed", name)
    return done
