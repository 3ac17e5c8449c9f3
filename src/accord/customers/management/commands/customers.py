"""`accord customers duplicates`: look for customers that are probably the same one."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from accord.customers import selectors, services
from accord.platform.actors import SYSTEM
from accord.platform.errors import AccordError


class Command(BaseCommand):
    help = "Customer housekeeping: find duplicate suggestions for review."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        duplicates = sub.add_parser(
            "duplicates", help="refresh the duplicate suggestions shown on the Duplicates page")
        duplicates.add_argument("--full", action="store_true",
                                help="look at every customer, not only those changed "
                                     "since the last run")
        duplicates.add_argument("--show", type=int, default=10, metavar="N",
                                help="list the N best open suggestions (default 10)")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=getattr(self.stdout, "_out", sys.stdout), highlight=False,
                          soft_wrap=True)
        try:
            self._duplicates(console, options)
        except AccordError as exc:
            where = f" ({exc.field})" if exc.field else ""
            raise CommandError(f"{exc.message}{where}") from exc

    def _duplicates(self, console: Console, options: dict[str, Any]) -> None:
        if options["show"] < 0:
            raise CommandError("--show must not be negative.")
        started = time.perf_counter()
        report = services.find_duplicates(actor=SYSTEM, full=options["full"])
        took = time.perf_counter() - started
        scope = "every customer" if report.full else "customers changed since the last run"
        console.print(f"Looked at {report.customers:,} customers ({scope}) in {took:.1f} s: "
                      f"{report.found:,} open suggestions found, {report.new:,} new, "
                      f"{report.removed:,} no longer supported.")
        if not options["show"]:
            return
        page = selectors.open_duplicates(SYSTEM, limit=min(options["show"], 200))
        if not page.items:
            console.print("No open duplicate suggestions.")
            return
        table = Table("score", "customer", "customer", "why")
        for s in page.items:
            table.add_row(f"{s.score:.0%}", f"#{s.customer_a_id} {s.customer_a.display_name}",
                          f"#{s.customer_b_id} {s.customer_b.display_name}",
                          "; ".join(s.reasons))
        console.print(table)
