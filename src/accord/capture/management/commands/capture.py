"""`accord capture add|list|sync|status`: configure capture sources and run them."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from accord.capture import selectors
from accord.capture.services.sources import add_source, sync_source
from accord.platform.actors import SYSTEM
from accord.platform.errors import AccordError


class Command(BaseCommand):
    help = "Configure capture sources (IMAP mailboxes, ...) and sync them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="configure a source")
        add.add_argument("kind", choices=("imap",))
        add.add_argument("name", help="a short unique name, e.g. sales-inbox")
        add.add_argument("--host", required=True)
        add.add_argument("--port", type=int)
        add.add_argument("--security", choices=("tls", "starttls", "plain"), default="tls",
                         help="plain only for a server on this machine (loopback)")
        add.add_argument("--username", default="")
        add.add_argument("--password-stdin", action="store_true",
                         help="read the password from standard input (else a prompt)")
        add.add_argument("--folder", action="append", dest="folders", default=[],
                         help="a folder to read (repeatable; default INBOX and Sent)")
        add.add_argument("--own-domain", action="append", dest="own_domains", default=[])
        add.add_argument("--every", type=int, default=15, metavar="MINUTES",
                         help="sync every N minutes in `accord worker` (0: only on demand)")
        add.add_argument("--unknown-senders", choices=("create", "queue", "ignore"),
                         default="create")
        add.add_argument("--list-mail", choices=("record", "skip"), default="skip")
        sub.add_parser("list", help="every source and its health")
        sync = sub.add_parser("sync", help="sync a source now")
        sync.add_argument("name")
        status = sub.add_parser("status", help="a source's health and recent problems")
        status.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=getattr(self.stdout, "_out", sys.stdout), highlight=False,
                          soft_wrap=True)
        try:
            getattr(self, f"_{options['action']}")(console, options)
        except AccordError as exc:
            where = f" ({exc.field})" if exc.field else ""
            raise CommandError(f"{exc.message}{where}") from exc

    def _add(self, console: Console, options: dict[str, Any]) -> None:
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        elif options["username"]:
            password = getpass.getpass(f"Password for {options['username']}: ")
        else:
            password = ""
        settings = {"host": options["host"], "port": options["port"],
                    "security": options["security"], "username": options["username"],
                    "folders": options["folders"], "own_domains": options["own_domains"],
                    "bulk": options["list_mail"]}
        source = add_source(actor=SYSTEM, name=options["name"], kind=options["kind"],
                            settings={k: v for k, v in settings.items() if v is not None},
                            secrets={"password": password} if password else {},
                            every_minutes=options["every"],
                            unknown_senders=options["unknown_senders"])
        when = f"every {source.every_minutes} min" if source.every_minutes else "on demand"
        console.print(f"Added {source.kind} source {source.name!r} ({when}).")

    def _list(self, console: Console, options: dict[str, Any]) -> None:
        table = Table("name", "kind", "status", "last sync", "captured", "skipped",
                      "rejected", "last error")
        for s in selectors.list_sources(SYSTEM):
            table.add_row(s.name, s.kind, s.status,
                          f"{s.last_sync_at:%Y-%m-%d %H:%M}" if s.last_sync_at else "never",
                          f"{s.captured:,}", f"{s.skipped:,}", f"{s.rejected:,}",
                          s.last_error[:60])
        console.print(table)

    def _sync(self, console: Console, options: dict[str, Any]) -> None:
        source = selectors.source_by_name(SYSTEM, options["name"])
        report = sync_source(actor=SYSTEM, source_id=source.pk)
        console.print(f"{source.name}: {report.captured:,} captured, {report.present:,} "
                      f"already present, {report.skipped:,} skipped, "
                      f"{len(report.rejected):,} rejected.")
        for item, reason in report.rejected[:20]:
            console.print(f"  rejected {item}: {reason}")

    def _status(self, console: Console, options: dict[str, Any]) -> None:
        source = selectors.source_by_name(SYSTEM, options["name"])
        console.print(f"{source.name} ({source.kind}): {source.status}")
        for label, value in (("last sync", source.last_sync_at),
                             ("last success", source.last_success_at),
                             ("next sync", source.next_sync_at)):
            console.print(f"  {label}: {value:%Y-%m-%d %H:%M:%S %Z}" if value
                          else f"  {label}: -")
        console.print(f"  captured {source.captured:,}, skipped {source.skipped:,}, "
                      f"rejected {source.rejected:,}")
        if source.last_error:
            console.print(f"  last error: {source.last_error}")
        for problem in selectors.recent_problems(SYSTEM, source.pk):
            console.print(f"  {problem.occurred_at:%Y-%m-%d %H:%M} {problem.item}: "
                          f"{problem.reason}")
