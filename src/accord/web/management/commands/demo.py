"""`accord demo`: a working Accord with realistic data, in one command."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from rich.console import Console
from rich.table import Table

from accord.customers.selectors import visible_customers
from accord.platform.actors import SYSTEM
from accord.web.demo.plan import make_plan
from accord.web.demo.runner import generate
from accord.web.demo.staff import Credential, ensure_admin, ensure_staff

# Through the services a customer with its history costs ~0.15 s here (every write audited,
# every event delivered): fine for a few hundred, minutes for thousands.
BULK_ABOVE = 300


class Command(BaseCommand):
    help = (
        "Create the data directory, migrate, create an administrator (printing its "
        "password), generate a seeded demo data set and serve it on http://127.0.0.1:8000. "
        f"Up to {BULK_ABOVE:,} customers the data goes through the services one write at a "
        "time (audit rows and events included); above that, or with --bulk, it is "
        "bulk-loaded, which manages millions of rows in minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=2_000,
                            help="how many customers, organisations included (default 2000)")
        parser.add_argument("--seed", type=int, default=42,
                            help="random seed; the same seed gives the same data (default 42)")
        writer = parser.add_mutually_exclusive_group()
        writer.add_argument("--bulk", action="store_true",
                            help=f"bulk-load (automatic above {BULK_ABOVE:,} customers)")
        writer.add_argument("--services", action="store_true",
                            help="write through the services however many customers")
        parser.add_argument("--no-serve", action="store_true", help="stop after generating")
        parser.add_argument("--as-of", type=datetime.fromisoformat, default=None,
                            help="the data set's 'now' (ISO 8601, UTC if no offset); "
                                 "default: the current minute. Seed + as-of reproduce a run")
        parser.add_argument("--host", default="127.0.0.1", help="where to serve")
        parser.add_argument("--port", type=int, default=8000, help="where to serve")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=getattr(self.stdout, "_out", sys.stdout), highlight=False,
                          soft_wrap=True)
        customers = options["customers"]
        if customers < 1:
            raise CommandError("--customers must be at least 1.")
        data_dir = settings.DATA_DIR
        data_dir.mkdir(parents=True, exist_ok=True)
        console.print(f"Accord demo: data in [bold]{data_dir}[/] ({connection.vendor})")
        call_command("migrate", interactive=False, verbosity=0)
        admin = ensure_admin()
        console.print(f"Administrator: username [bold]{admin.username}[/]  "
                      f"password [bold]{admin.password}[/]")

        existing = visible_customers(SYSTEM).count()
        if existing:
            console.print(f"The database already holds {existing:,} customers: no new demo "
                          "data (use an empty ACCORD_DATA_DIR for a fresh set).")
        else:
            self._generate(console, options)
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])

    def _generate(self, console: Console, options: dict[str, Any]) -> None:
        roster = ensure_staff()
        _print_staff(console, roster.credentials)
        as_of = options["as_of"]
        if as_of is not None and as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=UTC)
        plan = make_plan(options["customers"], options["seed"], as_of)
        bulk = options["bulk"] or (plan.customers > BULK_ABOVE and not options["services"])
        console.print(f"Generating {plan.customers:,} customers, seed {plan.seed}, as of "
                      f"{plan.as_of:%Y-%m-%d %H:%M} UTC"
                      + (" (bulk load)" if bulk else " (through the services)"))
        counts = generate(plan, roster, bulk=bulk, console=console)
        console.print(
            f"Wrote {counts.customers:,} customers ({counts.identities:,} identities), "
            f"{counts.interactions:,} interactions ({counts.participants:,} participants), "
            f"{counts.transactions:,} transactions ({counts.lines:,} lines) "
            f"in {counts.seconds:,.1f} s.")
        rate = counts.interactions / max(counts.seconds, 1e-9)
        built = ", index builds included" if "indexes and statistics" in counts.timings else ""
        console.print(f"Throughput: [bold]{rate:,.0f} interactions/s[/] end to end "
                      f"({counts.rows / max(counts.seconds, 1e-9):,.0f} rows/s over all "
                      f"tables{built}).")
        writing = counts.timings.get("interactions")
        if writing:
            console.print(f"Interactions and their participants alone were written at "
                          f"{counts.interactions / writing:,.0f} interactions/s.")
        phases = ", ".join(f"{name} {seconds:,.1f} s" for name, seconds in counts.timings.items())
        if phases:
            console.print(f"Time by phase: {phases}.")
        self._analyse(console, plan.as_of.date())
        if counts.showcase_id is not None:
            console.print(f"Someone with news from the last 24 hours: "
                          f"http://{options['host']}:{options['port']}/customers/"
                          f"{counts.showcase_id}/")


    def _analyse(self, console: Console, as_of: Any) -> None:
        """A first analytics run, so the Company View and the value panels have scores."""
        from accord.analytics.services.runs import run_analytics
        from accord.platform.errors import AccordError

        try:
            run = run_analytics(actor=SYSTEM, as_of=as_of)
        except AccordError as exc:
            console.print(f"No analytics run: {exc.message}")
            return
        console.print(f"Analytics: {run.customers:,} customers scored as of {run.as_of} in "
                      f"{sum(run.timings.values()):,.1f} s (Company View: /analytics/).")


def _print_staff(console: Console, credentials: list[Credential]) -> None:
    table = Table(title="Staff accounts", title_justify="left")
    for column in ("username", "role", "teams", "password"):
        table.add_column(column)
    for c in credentials:
        table.add_row(c.username, c.role, ", ".join(c.teams) or "-", c.password)
    console.print(table)
