"""A real dovecot for the IMAP tests, and a fresh mailbox per test.

`dovecot_server` (session): the server named by ACCORD_TEST_IMAP_HOST/PORT/USERS (as
scripts/test and .ci/run export them), or else a private one that scripts/dovecot starts
in a temporary directory for the session and stops afterwards.

`imap_account` (per test): a user nobody else has used, with a random password, from the
server's passwd-file (dovecot re-reads it when it changes; users are added a batch at a
time, see DovecotServer._register), so no test ever sees another's mail. It also APPENDs
raw messages and manages folders over IMAPClient, as a mail client would.

Import both fixtures into a test module (`from tests.capture.dovecot import ...`).
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from accord.capture.connectors.imap import ImapSettings

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "dovecot"
DOVECOT = Path("/usr/sbin/dovecot")
POOL = 25  # users registered at a time (see DovecotServer._register)
APPENDUID = re.compile(rb"\[APPENDUID \d+ (\d+)\]")


@dataclass
class DovecotServer:
    host: str
    port: int
    users: Path  # dovecot's passwd-file
    _unused: list[tuple[str, str]] = field(default_factory=list)

    def add_user(self) -> tuple[str, str]:
        """A new mailbox user nobody else has used: (username, password)."""
        if not self._unused:
            self._register(POOL)
        return self._unused.pop()

    def _register(self, count: int) -> None:
        # Dovecot looks at its passwd-file at most once a second, so a user appended now
        # may be unknown for up to a second. Users are therefore added in batches, and
        # handed out once the newest of them can log in: one wait per batch, not per test.
        fresh = [(f"t{uuid.uuid4().hex[:16]}@example.test", secrets.token_urlsafe(12))
                 for _ in range(count)]
        with self.users.open("a", encoding="utf-8") as f:  # one O_APPEND write
            f.write("".join(f"{name}:{{PLAIN}}{password}::::::\n" for name, password in fresh))
        name, password = fresh[-1]
        deadline = time.monotonic() + 10
        while True:
            try:
                with IMAPClient(self.host, port=self.port, ssl=False, timeout=10) as client:
                    client.login(name, password)
                break
            except LoginError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self._unused.extend(fresh)


def _from_environment() -> DovecotServer | None:
    host = os.environ.get("ACCORD_TEST_IMAP_HOST")
    if not host:
        return None
    try:
        return DovecotServer(host, int(os.environ["ACCORD_TEST_IMAP_PORT"]),
                             Path(os.environ["ACCORD_TEST_IMAP_USERS"]))
    except (KeyError, ValueError) as exc:
        pytest.fail(f"ACCORD_TEST_IMAP_HOST is set but ACCORD_TEST_IMAP_PORT/USERS are not "
                    f"usable ({exc!r}); run `eval \"$(scripts/dovecot env)\"`.")


def parse_env(text: str) -> dict[str, str]:
    """The variables of the `export NAME=value` lines a scripts/<server> prints."""
    values = {}
    for line in text.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            key, value = words[1].split("=", 1)
            values[key] = value
    return values


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[DovecotServer]:
    given = _from_environment()
    if given is not None:
        yield given
        return
    if not DOVECOT.exists():
        pytest.fail("The IMAP tests need dovecot (Debian dovecot-imapd): run scripts/bootstrap.")
    # Under the system temp dir, not pytest's tmp_path: as root, the mail is stored by a
    # system user who cannot enter pytest's 0700 directories.
    state = Path(tempfile.mkdtemp(prefix="accord-dovecot-"))
    env = {**os.environ, "ACCORD_DOVECOT_DIR": str(state)}
    env.pop("ACCORD_DOVECOT_PORT", None)
    try:
        started = subprocess.run([str(SCRIPT), "start"], env=env, capture_output=True,
                                 text=True, timeout=60, check=False)
        if started.returncode != 0:
            pytest.fail(f"scripts/dovecot start failed:\n{started.stderr}")
        values = parse_env(started.stdout)
        yield DovecotServer(values["ACCORD_TEST_IMAP_HOST"],
                            int(values["ACCORD_TEST_IMAP_PORT"]),
                            Path(values["ACCORD_TEST_IMAP_USERS"]))
    finally:
        subprocess.run([str(SCRIPT), "stop"], env=env, capture_output=True, timeout=60,
                       check=False)
        shutil.rmtree(state, ignore_errors=True)


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    username: str
    password: str

    def settings(self, **changes: Any) -> ImapSettings:
        """Settings that reach this account (plain IMAP: the server is on loopback)."""
        values: dict[str, Any] = {"host": self.host, "port": self.port, "security": "plain",
                                  "username": self.username, "password": self.password,
                                  "timeout": 10.0}
        return ImapSettings(**{**values, **changes})

    @contextmanager
    def client(self) -> Iterator[Any]:
        """A logged-in IMAPClient of our own, as another mail client would be."""
        with IMAPClient(self.host, port=self.port, ssl=False, timeout=10) as client:
            client.login(self.username, self.password)
            yield client

    def append(self, folder: str, raw: bytes, flags: Sequence[bytes] = ()) -> int:
        """APPEND one raw message; returns the UID the server gave it (UIDPLUS)."""
        with self.client() as client:
            answer = client.append(folder, raw, flags=tuple(flags))
        found = APPENDUID.search(answer)
        assert found, f"no APPENDUID in {answer!r}"
        return int(found.group(1))

    def create_folder(self, name: str) -> None:
        with self.client() as client:
            client.create_folder(name)

    def delete_folder(self, name: str) -> None:
        with self.client() as client:
            client.delete_folder(name)

    def expunge(self, folder: str, uids: Sequence[int]) -> None:
        """Delete messages for good, as a user emptying the trash would."""
        with self.client() as client:
            client.select_folder(folder)
            client.delete_messages(list(uids))
            client.uid_expunge(list(uids))

    def flags(self, folder: str) -> dict[int, tuple[bytes, ...]]:
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            return {uid: tuple(data[b"FLAGS"])
                    for uid, data in client.fetch(uids, ["FLAGS"]).items()}


@pytest.fixture
def imap_account(dovecot_server: DovecotServer) -> ImapAccount:
    username, password = dovecot_server.add_user()
    return ImapAccount(dovecot_server.host, dovecot_server.port, username, password)
