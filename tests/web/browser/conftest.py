"""Browser tests: Debian's Chromium driven by Playwright (sync API) against live_server.

Playwright's sync API leaves an event loop running in the main thread for the rest of
the session; the ORM calls fixtures make there are still plain synchronous calls, so
Django's async guard is relaxed from the first browser test on, and browser tests run
last so the rest of the suite keeps the guard's protection."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accord.interactions.services import ParticipantInput, record_interaction
from accord.platform.actors import SYSTEM


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)  # stable


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright() -> None:
    # Set up before Playwright's own session fixtures (autouse goes first) and never
    # undone: the loop, live_server and the database teardown outlive every test.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS,
            "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # The laptop the issue asks the pages to work on.
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}}


@pytest.fixture
def long_history(world: Any, timeline: Any) -> int:
    """Ada's timeline, long enough to need two more pages of endless scroll (30 each)."""
    ada = world.alice_customer
    now = datetime.now(UTC)
    subjects = ["Order confirmation", "Delivery update", "Invoice", "Tasting invitation"]
    for n in range(70):
        record_interaction(
            actor=SYSTEM, channel="email", direction="inbound" if n % 2 else "outbound",
            occurred_at=now - timedelta(days=11 + n, hours=n % 7),
            subject=f"{subjects[n % 4]} #{n}", text="Thanks for your order." * 3,
            participants=[ParticipantInput(role="to", customer_id=ada.pk)])
    return 11 + 70  # the every-channel timeline plus these
