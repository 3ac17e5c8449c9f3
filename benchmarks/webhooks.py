"""Twilio webhook load test: `accord serve` (gunicorn) on loopback against a fresh data
directory with a Twilio source, and 50 concurrent clients posting correctly signed SMS
and voice status callbacks.

    python benchmarks/webhooks.py                       # SQLite, 5,000 requests
    python benchmarks/webhooks.py --requests 20000 --clients 50 --workers 5
    ACCORD_DATABASE_URL=postgresql://... python benchmarks/webhooks.py   # an empty database

The clients are one asyncio loop with one connection per request (gunicorn's sync workers
close each connection). With --rate R (default 50 requests/s: over four million webhooks
a day) they post on a schedule, as Twilio does (its callbacks come when calls happen, not
when we answer): request i is due at i/R seconds, posted by client i mod 50, and its
latency is counted from when it was due, so a server falling behind shows as latency (no
coordinated omission). With --rate 0 each client posts its next request as soon as the
previous answer is in (a closed loop, 50 always in flight): that measures capacity, and
its latency is only queueing (50 / throughput). Half the requests are incoming messages
(a new MessageSid each), half are voice status callbacks: each call rings, is answered
and completes (three callbacks, the last two updating the stored call). Half the numbers
belong to existing customers, half are new (a customer is
created for each). Prints throughput, p50/p95/p99/max latency and the error count.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

TOKEN = secrets.token_hex(16)
ACCOUNT = "AC" + secrets.token_hex(16)
PUBLIC = "https://crm.example.com"
OUR_LINE = "+441134960000"
SETUP = """
from accord.capture.services.sources import add_source
from accord.platform.actors import SYSTEM
add_source(actor=SYSTEM, name="bench", kind="twilio", every_minutes=0,
           settings={{"public_url": "{public}", "own_numbers": ["{line}"]}},
           secrets={{"auth_token": "{token}"}})
from accord.customers.services import create_customer
for n in range({customers}):
    create_customer(actor=SYSTEM, display_name=f"Known {{n}}",
                    identities=[("phone", f"+4474001{{n:05d}}")])
"""


def sign(path: str, fields: list[tuple[str, str]]) -> str:
    """X-Twilio-Signature as Twilio documents it (URL + sorted name/value, HMAC-SHA1)."""
    payload = PUBLIC + path + "".join(k + v for k, v in sorted(fields))
    return base64.b64encode(hmac.new(TOKEN.encode(), payload.encode(),
                                     hashlib.sha1).digest()).decode()


def request_bytes(path: str, fields: list[tuple[str, str]], port: int) -> bytes:
    body = urlencode(fields).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {sign(path, fields)}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode() + body


def number(rng: random.Random, customers: int) -> str:
    if customers and rng.random() < 0.5:
        return f"+4474001{rng.randrange(customers):05d}"  # a known customer
    return f"+447400{rng.randrange(200_000, 999_999)}"  # nobody yet: a new customer


def workload(total: int, port: int, customers: int, seed: int) -> list[bytes]:
    """SMS and voice callbacks, half each; a call's three callbacks stay in order."""
    rng = random.Random(seed)
    out: list[bytes] = []
    while len(out) < total:
        caller = number(rng, customers)
        if rng.random() < 0.5:
            sid = "SM" + secrets.token_hex(16)
            fields = [("MessageSid", sid), ("SmsSid", sid), ("SmsMessageSid", sid),
                      ("AccountSid", ACCOUNT), ("From", caller), ("To", OUR_LINE),
                      ("Body", "Can you call me back about my order?"), ("NumMedia", "0"),
                      ("NumSegments", "1"), ("SmsStatus", "received"),
                      ("ApiVersion", "2010-04-01")]
            out.append(request_bytes("/hooks/twilio/bench/sms", fields, port))
            continue
        sid = "CA" + secrets.token_hex(16)
        for sequence, status in enumerate(("ringing", "in-progress", "completed")):
            fields = [("CallSid", sid), ("AccountSid", ACCOUNT), ("From", caller),
                      ("To", OUR_LINE), ("CallStatus", status), ("Direction", "inbound"),
                      ("ApiVersion", "2010-04-01"), ("SequenceNumber", str(sequence)),
                      ("CallbackSource", "call-progress-events"),
                      ("Timestamp", time.strftime("%a, %d %b %Y %H:%M:%S +0000",
                                                  time.gmtime()))]
            if status == "completed":
                fields.append(("CallDuration", str(rng.randrange(5, 900))))
            out.append(request_bytes("/hooks/twilio/bench/voice", fields, port))
    return out[:total]


async def one(port: int, data: bytes, started: float) -> tuple[float, int]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    elapsed = time.perf_counter() - started
    try:
        status = int(answer.split(b" ", 2)[1])
    except (IndexError, ValueError):
        status = 0
    return elapsed, status


async def run_load(port: int, requests: list[bytes], clients: int,
                   rate: float) -> tuple[list[float], dict[int, int], float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    begin = time.perf_counter()

    async def client(first: int) -> None:
        for index in range(first, len(requests), clients):
            if rate:
                due = begin + index / rate
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            else:
                due = time.perf_counter()
            try:
                elapsed, status = await one(port, requests[index], due)
            except OSError:
                elapsed, status = time.perf_counter() - due, 0
            latencies.append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(client(n) for n in range(clients)))
    return latencies, statuses, time.perf_counter() - begin


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"accord serve exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("accord serve did not start")


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second "
                        "offered by all clients together (0: closed loop, as fast as the "
                        "server answers)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers "
                        "(default: accord serve's own default)")
    parser.add_argument("--customers", type=int, default=2000, help="customers with a "
                        "phone number before the test")
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="accord-webhooks-"))
    env = {**os.environ, "ACCORD_DATA_DIR": str(data_dir),
           "ACCORD_SECRET_KEY": os.environ.get("ACCORD_SECRET_KEY") or secrets.token_hex(32)}
    accord = str(Path(sys.executable).with_name("accord"))
    subprocess.run([accord, "migrate", "-v0"], env=env, check=True)
    setup = SETUP.format(public=PUBLIC, line=OUR_LINE, token=TOKEN, customers=args.customers)
    subprocess.run([accord, "shell", "-c", setup], env=env, check=True)
    port = free_port()
    command = [accord, "serve", "--port", str(port)]
    if args.workers:
        command += ["--workers", str(args.workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE)
    try:
        wait_for(port, server)
        banner = server.stdout.readline().decode().strip() if server.stdout else ""
        load = workload(args.warmup + args.requests, port, args.customers, args.seed)
        asyncio.run(run_load(port, load[:args.warmup], args.clients, 0))  # warm up
        latencies, statuses, wall = asyncio.run(run_load(port, load[args.warmup:],
                                                         args.clients, args.rate))
    finally:
        server.terminate()
        server.wait(timeout=30)
    ordered = sorted(latencies)
    errors = sum(n for status, n in statuses.items() if not 200 <= status < 300)
    print(f"database: {os.environ.get('ACCORD_DATABASE_URL', 'sqlite')} ({data_dir})")
    print(f"server: {banner}")
    offered = f"{args.rate:,.0f} requests/s offered" if args.rate else "closed loop"
    print(f"{len(latencies):,} requests ({args.clients} concurrent clients, {offered}, "
          f"after {args.warmup} warm-up requests) in {wall:.2f} s: "
          f"{len(latencies) / wall:,.0f} requests/s answered")
    print("latency ms: " + ", ".join(
        f"p{p} {percentile(ordered, p) * 1000:.1f}" for p in (50, 95, 99))
        + f", max {ordered[-1] * 1000:.1f}")
    print(f"errors: {errors} (status counts: {dict(sorted(statuses.items()))})")


if __name__ == "__main__":
    main()
