"""`accord import customers|interactions|transactions|vcard FILE` and
`accord import email PATH` (mbox, Maildir, .eml, or a folder of them) and
`accord import ics PATH` (an .ics file or a folder of them)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from accord.web.importers.activity import InteractionRows, TransactionRows
from accord.web.importers.calendar import import_ics
from accord.web.importers.customers import CustomerRows
from accord.web.importers.mail import import_email
from accord.web.importers.records import ImportFileError, count_lines, read_records
from accord.web.importers.report import ImportReport
from accord.web.importers.runner import Handler, run_import
from accord.web.importers.vcard import VCardRows, read_cards

KINDS = ("customers", "interactions", "transactions", "vcard", "email", "ics")
EPILOG = """
Files: CSV (.csv, first line names the columns), TSV (.tsv) or JSON Lines (.jsonl,
.ndjson: one JSON object per line); vCard (.vcf) for `vcard`. Column names are
case-insensitive. Full reference: docs/import-formats.md.

customers     external_id and/or email (one is required: re-runs find the customer by
              them), kind (person|organisation), display_name, given_name, family_name,
              email and phone (several allowed, separated by ';'), address, organisation
              (an identity, #id or the exact name; created by name if new), owner
              (username), team (id, or a team of the owner), lifecycle, language,
              preferred_channel.
interactions  external_id, channel, direction, occurred_at, customer (email, phone,
              external id or #id) [, role, customer_name, subject, text, thread_key,
              metadata (JSON object), participants (JSON list of {role, customer})].
transactions  external_id, customer, occurred_at, amount, currency [, kind
              (purchase|refund|payment), customer_name, metadata, lines (JSON list of
              {sku, name, quantity, unit_price, category}) or one line as sku, product,
              quantity, unit_price].
vcard         FN, N, ORG, EMAIL, TEL, ADR, UID of each card.
email         PATH is an mbox file, a Maildir folder, an .eml file, or a folder holding
              any of these. Each message lands on the timeline of everyone on it
              (unknown senders become customers unless --unknown-senders says otherwise);
              the organisation's own domains (ACCORD_OWN_DOMAINS, --own-domain) and staff
              addresses are never customers. Found again by Message-ID.
ics           PATH is an .ics file or a folder of them. Each meeting lands on the
              timeline of its organiser and attendees (same address rules as email);
              recurring meetings are expanded --window-days either side of today. Found
              again by UID (and occurrence); a higher SEQUENCE or a cancellation updates
              the stored meeting.

Rows are found again by (source, external_id) for interactions and transactions and
by identity for customers: importing a file twice adds nothing. Bad rows are listed
with their line and field and skipped; the exit code is non-zero only when the file
cannot be read.
"""


class Command(BaseCommand):
    help = "Import customers, interactions, transactions or vCards from a file."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        from argparse import RawDescriptionHelpFormatter

        parser = super().create_parser(prog_name, subcommand, epilog=EPILOG, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS, help="what the file holds")
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", help="where the rows come from; with external_id it "
                                             "makes re-runs idempotent (default: "
                                             "'import:<file name without extension>')")
        parser.add_argument("--create-customers", action="store_true",
                            help="interactions/transactions: create a customer for a "
                                 "reference that matches nobody, with that identity")
        parser.add_argument("--errors", type=Path, metavar="FILE",
                            help="also write every rejected row to FILE (CSV)")
        parser.add_argument("--own-domain", action="append", default=[], metavar="DOMAIN",
                            help="email, ics: a domain of the organisation (repeatable)")
        parser.add_argument("--unknown-senders", choices=("create", "queue", "ignore"),
                            default="create", help="email, ics: what to do with an address "
                                                   "nobody has (default: create a customer)")
        parser.add_argument("--list-mail", choices=("record", "skip"), default="skip",
                            help="email: newsletters and mailing-list mail (default: skip)")
        parser.add_argument("--window-days", type=int, default=365, metavar="DAYS",
                            help="ics: expand recurring meetings this many days either "
                                 "side of today (default: 365)")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=getattr(self.stdout, "_out", sys.stdout), highlight=False,
                          soft_wrap=True)
        path: Path = options["file"]
        kind: str = options["kind"]
        if kind == "email":
            import_email(path, options, console)
            return
        if kind == "ics":
            import_ics(path, options, console)
            return
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        source = (options["source"] or f"import:{path.stem}").strip()[:100]
        if not source:
            raise CommandError("--source: give a name.")
        create = options["create_customers"]
        handler: Handler
        if kind == "vcard":
            handler = VCardRows(source)
        elif kind == "customers":
            handler = CustomerRows(source)
        elif kind == "interactions":
            handler = InteractionRows(source, create_customers=create)
        else:
            handler = TransactionRows(source, create_customers=create)
        if create and kind in ("customers", "vcard"):
            raise CommandError("--create-customers: only for interactions and transactions.")
        report = ImportReport(kind=kind, source=source)
        try:
            records = read_cards(path) if kind == "vcard" else read_records(path)
            run_import(records, handler, report, total=count_lines(path), console=console)
        except ImportFileError as exc:
            console.print(report.summary())
            raise CommandError(str(exc)) from exc
        report.show(console)
        if options["errors"]:
            report.write_problems(options["errors"])
            console.print(f"Rejected rows written to {options['errors']}.")
