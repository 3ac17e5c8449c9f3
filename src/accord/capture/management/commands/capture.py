"""`accord capture add|list|sync|status`: configure capture sources and run them;
`accord capture campaign add|list`: the response codes captured items are searched for."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from accord.capture import selectors
from accord.capture.domain.sources import SourceKind
from accord.capture.services.campaigns import add_campaign
from accord.capture.services.sources import add_source, sync_source
from accord.platform.actors import SYSTEM
from accord.platform.errors import AccordError


class Command(BaseCommand):
    help = "Configure capture sources (IMAP mailboxes, ...) and sync them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="configure a source")
        add.add_argument("kind", choices=[k.value for k in SourceKind])
        add.add_argument("name", help="a short unique name, e.g. sales-inbox")
        add.add_argument("--host", help="imap: the mail server")
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
        add.add_argument("--url", help="caldav: the server (or the user's calendar home)")
        add.add_argument("--calendar", action="append", dest="calendars", default=[],
                         help="caldav: a calendar name or URL (repeatable; default all)")
        add.add_argument("--own-address", action="append", dest="own_addresses", default=[])
        add.add_argument("--window-days", type=int,
                         help="caldav: expand recurring meetings this many days either side")
        add.add_argument("--setting", action="append", dest="extra", default=[],
                         metavar="KEY=VALUE",
                         help="any other setting of the kind, e.g. public_url=https://... "
                              "(twilio), path=/srv/scans (documents), allowed_origins="
                              "https://shop.example (website); repeatable")
        add.add_argument("--secret", metavar="KEY",
                         help="the name of the kind's secret when it is not a password "
                              "(twilio: auth_token); read from standard input or a prompt")
        sub.add_parser("list", help="every source and its health")
        campaign = sub.add_parser("campaign", help="campaign response codes")
        campaign_sub = campaign.add_subparsers(dest="campaign_action", required=True)
        campaign_add = campaign_sub.add_parser("add", help="a code to look for")
        campaign_add.add_argument("code", help="printed on a reply card, in a letter, a link")
        campaign_add.add_argument("name")
        campaign_sub.add_parser("list", help="campaigns and their responses")
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
        secret_name = options["secret"] or "password"
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        elif options["username"] or options["secret"]:
            password = getpass.getpass(f"{secret_name} for {options['name']}: ")
        else:
            password = ""
        settings = {"host": options["host"], "port": options["port"],
                    "security": options["security"], "username": options["username"],
                    "folders": options["folders"], "own_domains": options["own_domains"],
                    "bulk": options["list_mail"]}
        if options["own_addresses"]:
            settings["own_addresses"] = options["own_addresses"]
        if options["kind"] == "caldav":
            settings = {"url": options["url"], "username": options["username"],
                        "calendars": options["calendars"],
                        "own_domains": options["own_domains"],
                        "own_addresses": options["own_addresses"],
                        "window_days": options["window_days"]}
        if options["kind"] not in ("imap", "caldav"):
            settings = {}
        for pair in options["extra"]:
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                raise CommandError(f"--setting {pair!r}: write KEY=VALUE.")
            settings[key.strip()] = value.strip()
        source = add_source(actor=SYSTEM, name=options["name"], kind=options["kind"],
                            settings={k: v for k, v in settings.items() if v is not None},
                            secrets={secret_name: password} if password else {},
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
        updated = getattr(report, "updated", 0)  # calendars: meetings moved or cancelled
        if updated:
            console.print(f"  {updated:,} updated (rescheduled or cancelled).")
        for item, reason in report.rejected[:20]:
            console.print(f"  rejected {item}: {reason}")

    def _campaign(self, console: Console, options: dict[str, Any]) -> None:
        if options["campaign_action"] == "add":
            campaign = add_campaign(actor=SYSTEM, code=options["code"], name=options["name"])
            console.print(f"Campaign {campaign.code} ({campaign.name}) added: items "
                          "customers send are searched for its code from now on.")
            return
        table = Table("code", "name", "active", "responses")
        for c in selectors.list_campaigns(SYSTEM):
            table.add_row(c.code, c.name, "yes" if c.active else "no", f"{c.response_count:,}")
        console.print(table)

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
