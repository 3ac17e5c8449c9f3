"""Kill `accord import email` with SIGKILL at random points, ten times, then let it finish:
nothing lost, nothing doubled (each message commits with everything it wrote)."""

from __future__ import annotations

import mailbox
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from tests.conftest import at

MESSAGES = 120


def _mbox(path: Path) -> Path:
    box = mailbox.mbox(path)
    for n in range(MESSAGES):
        msg = EmailMessage()
        msg["From"] = f"Person {n % 17} <person{n % 17}@example.com>"
        msg["To"] = "sales@accord.example"
        msg["Subject"] = f"Message {n}"
        msg["Date"] = format_datetime(at(n / 10))
        msg["Message-ID"] = f"<kill{n}@mail.example>"
        msg.set_content(f"Body {n} " * 50)
        if n % 10 == 0:
            msg.add_attachment(os.urandom(20_000), maintype="application", subtype="pdf",
                               filename=f"f{n}.pdf")
        box.add(msg)
    box.flush()
    box.close()
    return path


def _accord(data_dir: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ACCORD_DATA_DIR": str(data_dir),
           "ACCORD_SECRET_KEY": "kill-test-key", "ACCORD_DEBUG": ""}
    env.pop("ACCORD_DATABASE_URL", None)  # its own SQLite file, whatever the suite runs on
    return subprocess.Popen([sys.executable, "-m", "accord.cli", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _count(data: Path) -> int:
    if not (data / "accord.sqlite3").exists():
        return 0
    db = sqlite3.connect(data / "accord.sqlite3")
    try:
        return int(db.execute("SELECT COUNT(*) FROM interactions_interaction "
                              "WHERE source = 'email'").fetchone()[0])
    finally:
        db.close()


def test_sigkill_at_random_points_loses_and_doubles_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    box = _mbox(tmp_path / "inbox.mbox")
    assert _accord(data, "migrate", "-v0").wait(timeout=120) == 0
    command = ("import", "email", str(box), "--own-domain", "accord.example", "--batch", "2")
    rng = random.Random(20261123)
    captured_when_killed = []
    for _ in range(10):
        # Kill once the import has got past a random point of the file (or after a random
        # moment, once everything is in): always in the middle of real work.
        target = rng.randint(_count(data) + 1, MESSAGES + 5)
        process = _accord(data, *command)
        deadline = time.monotonic() + 60
        while (_count(data) < target and process.poll() is None
               and time.monotonic() < deadline):
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        captured_when_killed.append(_count(data))
    # the kills really landed inside imports, not only before or after them
    assert any(0 < n < MESSAGES for n in captured_when_killed), captured_when_killed
    finished = _accord(data, *command)
    assert finished.wait(timeout=300) == 0, finished.stderr.read() if finished.stderr else ""

    db = sqlite3.connect(data / "accord.sqlite3")
    rows = db.execute("SELECT external_id FROM interactions_interaction "
                      "WHERE source = 'email'").fetchall()
    assert sorted(r[0] for r in rows) == sorted(f"kill{n}@mail.example"
                                                for n in range(MESSAGES))
    # every message kept its parties and files, and no sender became two customers
    assert db.execute("SELECT COUNT(*) FROM interactions_interaction i WHERE source = 'email' "
                      "AND NOT EXISTS (SELECT 1 FROM interactions_participant p "
                      "WHERE p.interaction_id = i.id)").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM interactions_attachment").fetchone()[0] == \
        MESSAGES // 10
    assert db.execute("SELECT COUNT(*) FROM customers_identity WHERE kind = 'email'"
                      ).fetchone()[0] == 17
    assert db.execute("SELECT COUNT(*) FROM customers_customer").fetchone()[0] == 17
