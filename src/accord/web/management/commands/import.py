"""`accord import customers|interactions|transactions|vcard FILE` and
`accord import email PATH` (mbox, Maildir, .eml, or a folder of them) and
`accord import ics PATH` (an .ics file or a folder of them) and
`accord import weblog PATH --site NAME` (access logs, combined format)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from accord.web.importers.activity import InteractionRows, TransactionRows
from accord.web.importers.calendar import import_ics
from accord.web.importers.cdr import import_call_records
from accord.web.importers.customers import CustomerRows
from accord.web.importers.documents import import_document_files
from accord.web.importers.mail import import_email
from accord.web.importers.records import ImportFileError, count_lines, read_records
from accord.web.importers.report import ImportReport
from accord.web.importers.runner import Handler, run_import
from accord.web.importers.vcard import VCardRows, read_cards
from accord.web.importers.weblog import import_weblog_files

KINDS = ("customers", "interactions", "transactions", "vcard", "email", "ics", "weblog")
KINDS += ("cdr",)
KINDS += ("documents",)
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
weblog        PATH is a web server access log in the combined log format (nginx,
              Apache; plain or .gz) or a folder of them; --site names the website
              source (added if new). Page views (GET, 2xx/304; not bots, static files
              or the site's ignored_paths) are grouped into visits (30 minutes of quiet
              or a new UTM campaign starts another). The visitor is a digest of (client
              address, user agent): the address is not kept. A visitor is identified by
              an email as the authenticated user (%u) or in the site's identify_param
              query parameter; their visits then land on that customer's timeline.
              Found again by visitor and first page: re-runs add nothing.
cdr           PATH is an Asterisk Master.csv (cdr_csv, 16 to 21 columns, or with a header
              line) or a folder of .csv files. Each call lands on the timeline of the
              customer on the other end, with talk time, waiting time (in a queue:
              duration - billsec), disposition and queue (Queue's first argument).
              --own-number names the organisation's lines (repeatable); numbers of up to
              --extension-digits digits are extensions; calls between own lines are
              skipped. Times are read in --timezone (default UTC: usegmtime=yes). Found
              again by uniqueid (and sequence).
documents     PATH is a letter or fax (PDF, PNG, JPEG, TIFF) or a folder of them. Text
              comes from the PDF text layer, else OCR (tesseract). The sender is
              matched from the emails, phone numbers, customer numbers, names and
              postal addresses in the text: a sure match lands on that customer's
              timeline with the original attached; the rest wait on the Review page.
              --channel letter|fax (default: decided per file: fax TIFFs and fax
              header lines are faxes). Found again by the file's SHA-256.

Rows are found again by (source, external_id) for interactions and transactions and
by identity for customers: importing a file twice adds nothing. Bad rows are listed
with their line and field and skipped; the exit code is non-zero only when the file
cannot be read.
"""


CAPTURE_IMPORTS = {"email": import_email, "ics": import_ics, "cdr": import_call_records,
                   "documents": import_document_files, "weblog": import_weblog_files}


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
        parser.add_argument("--batch", type=int, metavar="N",
                            help="email: messages written per transaction (default: 500)")
        parser.add_argument("--workers", type=int, metavar="N",
                            help="email: processes parsing mail (default: one per core)")
        parser.add_argument("--site", metavar="NAME",
                            help="weblog: the website source the log is of (added if new)")
        parser.add_argument("--identify-param", metavar="NAME",
                            help="weblog: a query parameter carrying the visitor's email "
                                 "(default: the site's identify_param)")
        parser.add_argument("--own-number", action="append", default=[], metavar="NUMBER",
                            help="cdr: a phone line of the organisation (repeatable)")
        parser.add_argument("--extension-digits", type=int, default=5, metavar="N",
                            help="cdr: numbers this short are internal extensions "
                                 "(default: 5)")
        parser.add_argument("--timezone", default="UTC", metavar="ZONE",
                            help="cdr: the time zone of the file's times (default: UTC)")
        parser.add_argument("--channel", choices=("auto", "letter", "fax"), default="auto",
                            help="documents: letter or fax (default: decided per file)")
        parser.add_argument("--window-days", type=int, default=365, metavar="DAYS",
                            help="ics: expand recurring meetings this many days either "
                                 "side of today (default: 365)")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=getattr(self.stdout, "_out", sys.stdout), highlight=False,
                          soft_wrap=True)
        path: Path = options["file"]
        kind: str = options["kind"]
        if kind in CAPTURE_IMPORTS:  # capture's files: their own progress and summary
            CAPTURE_IMPORTS[kind](path, options, console)
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
