"""Real-time scores, end to end: how long after a transaction is posted to the API does
the customer's rescored row (from the latest run's parameters) answer from the API?

    python benchmarks/realtime_scores.py                    # SQLite, 2,000 demo customers
    python benchmarks/realtime_scores.py --customers 20000 --purchases 200
    ACCORD_DATABASE_URL=postgresql://... python benchmarks/realtime_scores.py  # empty database

It builds a demo data directory (`accord demo --no-serve`), runs `accord analytics run`,
starts `accord serve` on loopback (which delivers outbox events in a background thread),
then, one purchase at a time, for customers picked at random: POST /api/v1/transactions,
and poll GET /api/v1/analytics/scores/<id> every 5 ms until the row shows the purchase
(its last purchase is today and it was updated in real time after the POST). The latency
is from the start of the POST to that answer. Prints p50/p95/p99/max, and the issue's
target (within a second).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from webhooks import free_port, percentile, wait_for

SETUP = """
from accord.accounts.models import User
from accord.accounts.services import issue_token
from accord.analytics.models import CustomerScore
admin = User.objects.get(username="admin")
print(issue_token(actor=admin, user=admin, name="bench"))
print(",".join(str(c) for c in CustomerScore.objects.values_list("customer_id", flat=True)))
"""


def call(port: int, token: str, method: str, path: str, body: object = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def one_purchase(port: int, token: str, customer: int, n: int) -> float:
    started = time.perf_counter()
    now = datetime.now(UTC)
    call(port, token, "POST", "/api/v1/transactions", {
        "customer_id": customer, "occurred_at": now.isoformat(), "amount": "25.00",
        "currency": "GBP", "external_id": f"bench-{n}-{secrets.token_hex(4)}",
        "lines": [{"sku": "BENCH", "name": "Benchmark tea", "unit_price": "25.00"}]})
    deadline = started + 10
    while time.perf_counter() < deadline:
        row = call(port, token, "GET", f"/api/v1/analytics/scores/{customer}")
        assert isinstance(row, dict)
        if (row["updated_by"] == "realtime" and row["last_purchase"] == now.date().isoformat()
                and datetime.fromisoformat(row["updated_at"]) >= now):
            return time.perf_counter() - started
        time.sleep(0.005)
    raise SystemExit(f"customer {customer}: no real-time score within 10 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--purchases", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="accord-realtime-"))
    env = {**os.environ, "ACCORD_DATA_DIR": str(data_dir),
           "ACCORD_SECRET_KEY": os.environ.get("ACCORD_SECRET_KEY") or secrets.token_hex(32)}
    accord = str(Path(sys.executable).with_name("accord"))
    subprocess.run([accord, "demo", "--customers", str(args.customers), "--no-serve"],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    subprocess.run([accord, "analytics", "run"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    run_seconds = time.perf_counter() - started
    lines = subprocess.run([accord, "shell", "--no-imports", "-c", SETUP], env=env, check=True,
                           capture_output=True, text=True).stdout.split("\n")
    token, customers = lines[0].strip(), [int(c) for c in lines[1].split(",") if c]
    port = free_port()
    log = (data_dir / "serve.log").open("wb")  # kept for a look when something fails
    server = subprocess.Popen([accord, "serve", "--port", str(port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    rng = random.Random(args.seed)
    try:
        wait_for(port, server)
        chosen = rng.sample(customers, min(args.purchases + 5, len(customers)))
        for n, customer in enumerate(chosen[:5]):  # warm up each worker's imports
            one_purchase(port, token, customer, n)
        latencies = sorted(one_purchase(port, token, customer, n)
                           for n, customer in enumerate(chosen[5:], start=5))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"database: {os.environ.get('ACCORD_DATABASE_URL', 'sqlite')} ({data_dir})")
    print(f"{len(customers):,} scored customers; the analytics run took {run_seconds:.1f} s")
    print(f"{len(latencies)} purchases, one at a time: POST to rescored row in the API, ms: "
          + ", ".join(f"p{p} {percentile(latencies, p) * 1000:.0f}" for p in (50, 95, 99))
          + f", max {latencies[-1] * 1000:.0f} (target: within 1,000)")


if __name__ == "__main__":
    main()
