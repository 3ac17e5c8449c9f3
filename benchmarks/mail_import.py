"""`accord import email` throughput on a generated mbox, against the stdlib parser alone.

    ACCORD_DATA_DIR=/tmp/accord-100k accord demo --customers 100000 --no-serve
    ACCORD_DATA_DIR=/tmp/accord-100k python benchmarks/mail_import.py --messages 100000

Writes an mbox of N messages (seeded): customers of the database writing to and hearing
from the organisation's own domain, in threads where each reply quotes the message
before, 10% with a ~40 KB PDF attachment, 5% from people nobody knows yet. Then prints:
  (a) messages/s of the standard library alone over the file: mailbox + BytesParser
      (policy.default) + walking every part, no database;
  (b) messages/s of the import itself (parse, match, record, with the database), as
      `accord import email` runs it: parsing in one worker process per core (--workers),
      the main process writing a batch per transaction;
and b/a. Run it on a copy: the import writes interactions (and new customers).
"""

from __future__ import annotations

import argparse
import mailbox
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")

OWN = "accord.example"
WORDS = ["order", "invoice", "delivery", "chairs", "desk", "quote", "price", "discount",
         "meeting", "tomorrow", "week", "contract", "renewal", "support", "ticket",
         "account", "shipment", "warranty", "colour", "size"]


def write_mbox(path: Path, addresses: list[str], count: int, seed: int) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    pdf = b"%PDF-1.4\n" + bytes(rng.getrandbits(8) for _ in range(40_000))
    box = mailbox.mbox(path)
    thread: list[tuple[str, str, str]] = []  # (message id, subject, text) of the open thread
    for n in range(count):
        customer = (f"new{n}@unknown.example" if rng.random() < 0.05
                    else rng.choice(addresses))
        inbound = rng.random() < 0.6
        msg = EmailMessage()
        msg["From"] = customer if inbound else f"sales@{OWN}"
        msg["To"] = f"sales@{OWN}" if inbound else customer
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 120)))
        if thread and rng.random() < 0.5:
            parent_id, subject, parent_text = thread[-1]
            msg["Subject"] = f"Re: {subject}"
            msg["In-Reply-To"] = msg["References"] = f"<{parent_id}>"
            quoted = "\n".join(f"> {line}" for line in parent_text.splitlines())
            body = f"{text}\n\nOn Mon, someone wrote:\n{quoted}\n\n-- \nKind regards"
        else:
            msg["Subject"] = " ".join(rng.choice(WORDS) for _ in range(4)).capitalize()
            body = f"{text}\n\n-- \nKind regards"
            thread = []
        message_id = f"bench{n}.{seed}@mail.example"
        msg["Message-ID"] = f"<{message_id}>"
        msg["Date"] = format_datetime(start + timedelta(minutes=7 * n))
        msg.set_content(body)
        if rng.random() < 0.10:
            msg.add_attachment(pdf, maintype="application", subtype="pdf",
                               filename=f"quote-{n}.pdf")
        thread.append((message_id, str(msg["Subject"]).removeprefix("Re: "), text))
        box.add(msg)
    box.flush()
    box.close()


def stdlib_rate(path: Path) -> float:
    parser = BytesParser(policy=policy.default)
    box = mailbox.mbox(path, create=False)
    started = time.perf_counter()
    count = 0
    for key in box.iterkeys():
        message = parser.parsebytes(box.get_bytes(key))
        for part in message.walk():
            if not part.is_multipart():
                part.get_content()
        count += 1
    box.close()
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None,
                        help="parse processes for (b) (default: one per core)")
    args = parser.parse_args()

    import django

    django.setup()
    from accord.capture.connectors.parallel_parse import default_workers
    from accord.capture.services.email import address_rules
    from accord.capture.services.mail_import import import_mail
    from accord.customers.models import Identity
    from accord.platform.actors import SYSTEM

    addresses = list(Identity.objects.filter(kind="email").values_list("value", flat=True)
                     .order_by("id")[:200_000])
    if not addresses:
        raise SystemExit("no customers with email addresses: run `accord demo` first")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.mbox"
        t = time.perf_counter()
        write_mbox(path, addresses, args.messages, args.seed)
        size = path.stat().st_size
        print(f"mbox: {args.messages:,} messages, {size / 2**20:,.0f} MiB, written in "
              f"{time.perf_counter() - t:.0f} s; {len(addresses):,} customer addresses")
        baseline = stdlib_rate(path)
        print(f"(a) standard library alone: {baseline:,.0f} messages/s")
        t = time.perf_counter()
        report = import_mail(actor=SYSTEM, path=path, rules=address_rules([OWN]),
                             workers=args.workers)
        took = time.perf_counter() - t
        rate = report.seen / took
        workers = args.workers or default_workers()
        print(f"(b) accord import email:    {rate:,.0f} messages/s, {workers} parse "
              f"worker(s) on {os.cpu_count()} cores "
              f"({report.captured:,} captured, {report.present:,} present, "
              f"{report.skipped:,} skipped, {len(report.rejected):,} rejected, "
              f"{report.created_customers:,} new customers, {took:.0f} s)")
        print(f"b/a = {rate / baseline:.2f}")


if __name__ == "__main__":
    main()
