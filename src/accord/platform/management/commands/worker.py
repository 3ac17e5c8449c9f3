"""`accord worker`: the background process. One loop does both kinds of queued work:

- delivers domain events still pending in the outbox (``platform.events``), which is how
  nothing is lost when a process dies between a commit and its delivery;
- runs tasks queued with Django's task API on the django-tasks-db backend, claiming each
  the way its own ``db_worker`` does, so several workers can share a PostgreSQL queue;
- runs the periodic work apps register (``platform.schedule``), such as capture syncs
  that are due.

It sleeps briefly when there is nothing to do and stops cleanly on SIGTERM or SIGINT:
the task or event in hand is finished, nothing new is started."""

from __future__ import annotations

import os
import signal
import socket
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection
from django.db.utils import OperationalError
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from accord.platform.events import dispatch_pending
from accord.platform.schedule import run_periodic


class Command(BaseCommand):
    help = ("Deliver pending outbox events and run queued background tasks until stopped "
            "(SIGTERM or Ctrl-C); --once does one pass and exits.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true",
                            help="deliver what is pending, run what is queued, then exit")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds to sleep when idle (default 1)")
        parser.add_argument("--queue", action="append", dest="queues",
                            help=f"task queue to run (repeatable; default "
                                 f"{DEFAULT_TASK_QUEUE_NAME!r})")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] < 0:
            raise CommandError("--interval must not be negative.")
        loop = WorkLoop(queues=options["queues"] or [DEFAULT_TASK_QUEUE_NAME],
                        interval=options["interval"])
        previous = {sig: signal.signal(sig, loop.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            if not options["once"]:
                self.stdout.write(f"Accord worker {loop.worker_id} started (Ctrl-C stops).")
            loop.run(once=options["once"])
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(f"Delivered {loop.events} events, ran {loop.tasks} tasks.")


class WorkLoop:
    def __init__(self, *, queues: list[str], interval: float) -> None:
        self.queues = queues
        self.interval = interval
        self.worker_id = f"accord-{socket.gethostname()}-{os.getpid()}"[:64]
        self.events = 0
        self.tasks = 0
        self.periodic = 0
        self._stopping = threading.Event()
        self._runner = Worker(queue_names=queues, interval=0, batch=True,
                              backend_name=DEFAULT_TASK_BACKEND_ALIAS, startup_delay=False,
                              max_tasks=None, worker_id=self.worker_id, excluded_queue_names=[])

    def stop(self, signum: int, frame: FrameType | None) -> None:
        self._stopping.set()

    def run(self, *, once: bool) -> None:
        while not self._stopping.is_set():
            if not connection.in_atomic_block:  # never cut a caller's open transaction
                close_old_connections()  # drop connections the database closed meanwhile
            did = self._deliver_events() + self._run_tasks() + self._run_periodic()
            if once:
                return
            if not did:
                self._stopping.wait(self.interval)

    def _run_periodic(self) -> int:
        done = run_periodic()
        self.periodic += done
        return done

    def _deliver_events(self) -> int:
        delivered = 0
        while not self._stopping.is_set():
            batch = dispatch_pending()
            delivered += batch
            if batch == 0:
                break
        self.events += delivered
        return delivered

    def _run_tasks(self) -> int:
        ran = 0
        while not self._stopping.is_set():
            claimed = self._claim()
            if claimed is None:
                break
            self._runner.run_task(claimed)
            ran += 1
        self.tasks += ran
        return ran

    def _claim(self) -> DBTaskResult[Any, Any] | None:
        ready = DBTaskResult.objects.ready().filter(backend_name=DEFAULT_TASK_BACKEND_ALIAS,
                                                    queue_name__in=self.queues)
        try:
            with exclusive_transaction(ready.db):
                result = ready.get_locked()
                if result is not None:
                    result.claim(self.worker_id)  # no other worker will run it now
                return result
        except OperationalError as exc:
            if is_locked_database_exception(exc):  # busy SQLite: try again next round
                return None
            raise
