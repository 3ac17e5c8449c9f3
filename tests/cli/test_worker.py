"""`accord worker`: outbox delivery and queued tasks, once or until signalled."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django_tasks import task

from accord.customers.events import CustomerCreated
from accord.customers.services import create_customer
from accord.platform import events
from accord.platform.actors import SYSTEM
from accord.platform.management.commands.worker import WorkLoop
from accord.platform.models import OutboxEvent
from tests.cli.conftest import ACCORD, process_env, run

RAN: list[int] = []


@task()
def remember(value: int) -> int:
    RAN.append(value)
    return value * 2


@pytest.mark.django_db
def test_once_delivers_pending_events_and_runs_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    monkeypatch.setitem(events._subscribers, "CustomerCreated", [seen.append])
    # Inside the test's transaction nothing commits, so the event stays pending, like one
    # left behind by a process that died after its commit.
    customer = create_customer(actor=SYSTEM, display_name="Pending Person")
    assert OutboxEvent.objects.filter(name="CustomerCreated", dispatched_at__isnull=True).exists()
    result = remember.enqueue(21)

    out = run("worker", "--once")

    assert seen == [CustomerCreated(customer_id=customer.pk)]
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()
    result.refresh()
    assert result.return_value == 42 and RAN[-1] == 21
    assert "Delivered 1 events, ran 1 tasks." in out


def test_stop_ends_the_loop_before_more_work() -> None:
    loop = WorkLoop(queues=["default"], interval=0.01)
    loop.stop(signal.SIGTERM, None)
    loop.run(once=False)  # returns at once: nothing started after a stop
    assert (loop.events, loop.tasks) == (0, 0)


def test_sigterm_stops_a_running_worker(migrated_data_dir: Path) -> None:
    worker = subprocess.Popen([*ACCORD, "worker", "--interval", "0.2"],
                              env=process_env(migrated_data_dir), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        assert worker.stdout is not None
        assert "worker" in worker.stdout.readline()  # started and looping
        time.sleep(0.5)
        worker.send_signal(signal.SIGTERM)
        out, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0
    assert "Delivered 0 events, ran 0 tasks." in out
