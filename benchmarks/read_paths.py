"""Server-side latency of the read paths the issue sets numbers for.

Runs inside one process against the configured database (ACCORD_DATA_DIR /
ACCORD_DATABASE_URL), through Django's full request stack (middleware, auth, views,
templates, JSON) with its test client, so the figures are server time without network.

    ACCORD_DATA_DIR=/tmp/accord-1m python benchmarks/read_paths.py --samples 1000

Prints p50 / p95 / p99 / max in milliseconds for:
- the Customer View page (GET /customers/<id>/)
- the timeline API, first page (GET /api/v1/customers/<id>/timeline)
- search by email, by phone (national format), and by name prefix (4 letters)
each over --samples random customers, after --warmup requests per path. The database is
first read once into the operating system's cache (a running server's steady state;
--cold skips it), and the process starts up as `accord serve`'s workers do.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
os.environ.setdefault("ACCORD_ALLOWED_HOSTS", "testserver")


def warm_database(connection: Any) -> None:
    """Read the whole database once, so the operating system's cache holds it as it does
    for a server that has been running. Without this, a run that follows anything that
    evicted the cache measures the disk, not Accord."""
    start = time.perf_counter()
    if connection.vendor == "sqlite":
        with open(connection.settings_dict["NAME"], "rb") as db:
            while db.read(1 << 24):
                pass
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # pg_prewarm ships with PostgreSQL (contrib); 'read' fills the OS cache.
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            cursor.execute(
                "SELECT count(pg_prewarm(c.oid, 'read')) FROM pg_class c "
                "WHERE c.relkind IN ('r', 'i', 't') AND c.relnamespace IN "
                "(current_schema()::regnamespace, 'pg_toast'::regnamespace)")
    print(f"database read into the OS cache in {time.perf_counter() - start:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cold", action="store_true",
                        help="skip reading the database into the OS cache first")
    args = parser.parse_args()

    from django.db import connection
    from django.test import Client

    import accord.wsgi  # noqa: F401  # start up exactly as `accord serve` does
    from accord.accounts.selectors import staff_by_username
    from accord.accounts.services import create_user, issue_token
    from accord.customers.selectors import identities_of, visible_customers
    from accord.platform.actors import SYSTEM

    user = staff_by_username("bench-admin") or create_user(
        actor=None, username="bench-admin", password="bench-password-123", role="admin")
    token = issue_token(actor=SYSTEM, user=user, name="benchmark")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    pages = Client()
    pages.force_login(user)

    if not args.cold:
        warm_database(connection)
    rng = random.Random(args.seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id) FROM customers_customer")
        low, high = cursor.fetchone()
    if low is None:
        sys.exit("no customers: run `accord demo --bulk --no-serve` first")
    everyone = visible_customers(user)
    picked = []
    while len(picked) < args.samples + args.warmup:
        customer = everyone.filter(pk=rng.randint(low, high), merged_into__isnull=True,
                                   kind="person").first()
        if customer is not None:
            picked.append(customer)
    print(f"database: {connection.vendor}, customers {low}..{high}, "
          f"{len(picked)} sampled (seed {args.seed})")

    import phonenumbers

    def national(e164: str) -> str:
        number = phonenumbers.parse(e164)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)

    cases: dict[str, list[Callable[[], object]]] = {k: [] for k in (
        "Customer View page", "timeline API first page", "search by email",
        "search by phone", "search by name prefix")}
    for c in picked:
        ids = identities_of(c)
        email = next((i.display for i in ids if i.kind == "email"), None)
        phone = next((i.value for i in ids if i.kind == "phone"), None)
        cases["Customer View page"].append(lambda c=c: pages.get(f"/customers/{c.pk}/"))
        cases["timeline API first page"].append(
            lambda c=c: api.get(f"/api/v1/customers/{c.pk}/timeline"))
        if email:
            cases["search by email"].append(
                lambda e=email: api.get("/api/v1/customers/search", {"email": e.upper()}))
        if phone:
            written = national(phone)  # as a person would type it, not E.164
            cases["search by phone"].append(
                lambda p=written: api.get("/api/v1/customers/search", {"phone": p}))
        prefix = (c.family_name or c.display_name)[:4]
        cases["search by name prefix"].append(
            lambda p=prefix: api.get("/api/v1/customers/search", {"name": p}))

    print(f"{'path':<28}{'n':>6}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}  (ms)")
    for name, calls in cases.items():
        for call in calls[: args.warmup]:
            call()
        timings = []
        for call in calls[args.warmup:]:
            start = time.perf_counter()
            response = call()
            timings.append((time.perf_counter() - start) * 1000)
            status = getattr(response, "status_code", 0)
            if status != 200:
                sys.exit(f"{name}: HTTP {status}")
        timings.sort()
        q = statistics.quantiles(timings, n=100, method="inclusive")
        print(f"{name:<28}{len(timings):>6}{q[49]:>9.2f}{q[94]:>9.2f}{q[98]:>9.2f}"
              f"{timings[-1]:>9.2f}")


if __name__ == "__main__":
    main()
