"""A real radicale (CalDAV) for the calendar-sync tests, and a fresh account per test.

`radicale_server` (session): the server named by ACCORD_TEST_CALDAV_URL/USERS (as
scripts/test and .ci/run export them), or else a private one that scripts/radicale starts
in a temporary directory for the session and stops afterwards.

`caldav_account` (per test): a user nobody else has used, with a random password, added
to the server's htpasswd file (radicale reads it at every login, so it works at once), and
one empty calendar "Work". It PUTs and DELETEs events as a calendar client would.

Import both fixtures into a test module (`from tests.capture.radicale import ...`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from caldav import DAVClient

from accord.capture.connectors.caldav import CaldavSettings
from tests.capture.dovecot import parse_env

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "radicale"


@dataclass
class RadicaleServer:
    url: str  # "http://127.0.0.1:PORT/"
    users: Path  # radicale's htpasswd file (plain passwords)

    def add_user(self) -> tuple[str, str]:
        """A new user nobody else has used: (username, password)."""
        name, password = f"t{uuid.uuid4().hex[:16]}", secrets.token_urlsafe(12)
        with self.users.open("a", encoding="utf-8") as f:  # one O_APPEND write
            f.write(f"{name}:{password}\n")
        return name, password


def _from_environment() -> RadicaleServer | None:
    url = os.environ.get("ACCORD_TEST_CALDAV_URL")
    if not url:
        return None
    users = os.environ.get("ACCORD_TEST_CALDAV_USERS")
    if not users:
        pytest.fail("ACCORD_TEST_CALDAV_URL is set but ACCORD_TEST_CALDAV_USERS is not; "
                    "run `eval \"$(scripts/radicale env)\"`.")
    return RadicaleServer(url, Path(users))


@pytest.fixture(scope="session")
def radicale_server() -> Iterator[RadicaleServer]:
    given = _from_environment()
    if given is not None:
        yield given
        return
    state = Path(tempfile.mkdtemp(prefix="accord-radicale-"))
    env = {**os.environ, "ACCORD_RADICALE_DIR": str(state)}
    env.pop("ACCORD_RADICALE_PORT", None)
    try:
        started = subprocess.run([str(SCRIPT), "start"], env=env, capture_output=True,
                                 text=True, timeout=60, check=False)
        if started.returncode != 0:
            pytest.fail(f"scripts/radicale start failed:\n{started.stderr}")
        values = parse_env(started.stdout)
        yield RadicaleServer(values["ACCORD_TEST_CALDAV_URL"],
                             Path(values["ACCORD_TEST_CALDAV_USERS"]))
    finally:
        subprocess.run([str(SCRIPT), "stop"], env=env, capture_output=True, timeout=60,
                       check=False)
        shutil.rmtree(state, ignore_errors=True)


@dataclass
class CaldavAccountFixture:
    """A user of the test server with one calendar, "Work"."""

    server_url: str
    username: str
    password: str
    calendar_url: str

    def settings(self, **changes: Any) -> CaldavSettings:
        values: dict[str, Any] = {"url": self.server_url, "username": self.username,
                                  "password": self.password, "timeout": 10.0}
        return CaldavSettings(**{**values, **changes})

    def client(self) -> DAVClient:
        return DAVClient(self.server_url, username=self.username, password=self.password,
                         timeout=10)

    def make_calendar(self, name: str) -> str:
        """Another calendar of this user; returns its URL."""
        with self.client() as client:
            calendar = client.principal().make_calendar(name=name, cal_id=name.lower())
            return str(calendar.url)

    def put(self, name: str, ics: str, calendar_url: str | None = None) -> str:
        """Store (create or replace) the resource ``name`` as a calendar client would;
        returns its URL. Fails the test if the server refuses it."""
        url = (calendar_url or self.calendar_url) + name
        with self.client() as client:
            response = client.put(url, ics, {"Content-Type": "text/calendar; charset=utf-8"})
        assert response.status in (201, 204), f"PUT {name}: {response.status} {response.raw}"
        return url

    def delete(self, name: str, calendar_url: str | None = None) -> None:
        with self.client() as client:
            response = client.delete((calendar_url or self.calendar_url) + name)
        assert response.status in (200, 204), f"DELETE {name}: {response.status}"


@pytest.fixture
def caldav_account(radicale_server: RadicaleServer) -> CaldavAccountFixture:
    username, password = radicale_server.add_user()
    account = CaldavAccountFixture(radicale_server.url, username, password, "")
    account.calendar_url = account.make_calendar("Work")
    return account
