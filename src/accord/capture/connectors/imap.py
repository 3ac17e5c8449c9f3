"""An IMAP mailbox read incrementally, folder by folder, over IMAPClient.

The checkpoint of a folder is its UIDVALIDITY and the highest UID already read; a sync
reads the messages above it in UID order and in batches, each batch carrying the
checkpoint to save together with its messages. When the server's UIDVALIDITY differs from
the checkpoint's, the folder's UIDs mean something else now: everything is read again
(``reset=True``) and the caller's idempotent store drops what it already has.

Nothing is changed on the server: folders are opened read-only (EXAMINE) and bodies are
fetched with BODY.PEEK[], so no message is marked \\Seen.

The password is never logged, never in a repr and never in an exception message. No
Django here: the capture services call this adapter.
"""

from __future__ import annotations

import contextlib
import ipaddress
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

# IMAPClient ships no type hints (no py.typed): mypy sees it as Any (pyproject's
# ignore_missing_imports). Only the few calls below touch it, and their results are checked
# and converted into typed values before they leave this module.
from imapclient import IMAPClient
from imapclient.exceptions import (
    CapabilityError,
    IMAPClientAbortError,
    IMAPClientError,
    LoginError,
)

from accord.platform.errors import AccordError, InvalidInput

SECURITY_MODES = ("tls", "starttls", "plain")
# When no SPECIAL-USE \Sent folder is announced, the first of these that exists.
SENT_FOLDER_NAMES = ("Sent", "Sent Items", "Sent Messages", "INBOX.Sent")
SENT_FLAG = b"\\Sent"
BODY = b"BODY[]"


class ImapError(AccordError):
    """The IMAP server could not be reached, refused us, or broke off the conversation."""

    code = "imap_error"
    status = 502  # the fault is upstream, not in the request


class ImapLoginFailed(ImapError):
    """The server refused the username or password."""

    code = "imap_login_failed"


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1: the only hosts plain IMAP may talk to."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int = 993
    security: str = "tls"  # "tls" (IMAPS), "starttls", or "plain" (loopback hosts only)
    username: str = ""
    password: str = field(default="", repr=False)
    folders: tuple[str, ...] = ()  # empty: INBOX plus the Sent folder
    timeout: float = 30.0
    batch: int = 200  # messages fetched per round trip

    def __post_init__(self) -> None:
        if not self.host:
            raise InvalidInput("An IMAP server needs a host.", field="host")
        if self.security not in SECURITY_MODES:
            raise InvalidInput(f"IMAP security must be one of {', '.join(SECURITY_MODES)}, "
                               f"not {self.security!r}.", field="security")
        if self.security == "plain" and not is_loopback(self.host):
            # A password in clear text over a network is never acceptable.
            raise InvalidInput(f"Plain (unencrypted) IMAP is allowed only to this machine "
                               f"(localhost); use tls or starttls for {self.host}.",
                               field="security")
        if not 0 < self.port < 65536:
            raise InvalidInput(f"IMAP port {self.port} is out of range.", field="port")
        if self.batch < 1:
            raise InvalidInput("The IMAP batch size must be at least 1.", field="batch")
        if self.timeout <= 0:
            raise InvalidInput("The IMAP timeout must be positive.", field="timeout")


@dataclass(frozen=True)
class FolderState:
    """The checkpoint of one folder."""

    uidvalidity: int
    last_uid: int


@dataclass(frozen=True)
class FetchedMessage:
    folder: str
    uid: int
    raw: bytes  # RFC 822 bytes, fetched with BODY.PEEK[] so nothing is marked \Seen


@dataclass(frozen=True)
class FolderBatch:
    folder: str
    state: FolderState  # the checkpoint to save together with these messages
    messages: tuple[FetchedMessage, ...]
    reset: bool  # UIDVALIDITY changed since the given checkpoint: everything is re-read
    failed: tuple[tuple[int, str], ...] = ()  # (uid, reason) of messages that were skipped


class ImapMailbox:
    """A logged-in IMAP session; use it as a context manager (connects, logs in, logs
    out)."""

    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings
        self._client: Any = None

    def __repr__(self) -> str:
        s = self.settings
        return f"ImapMailbox({s.username!r} at {s.host}:{s.port}, {s.security})"

    # --- session ---------------------------------------------------------------------
    def __enter__(self) -> ImapMailbox:
        self.connect()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def connect(self) -> None:
        """Open the connection, secure it as configured and log in."""
        s = self.settings
        where = f"{s.host}:{s.port}"
        context = ssl.create_default_context()  # verifies the certificate and the host name
        try:
            client = IMAPClient(s.host, port=s.port, ssl=s.security == "tls",
                                ssl_context=context, timeout=s.timeout)
        except (OSError, IMAPClientError) as exc:
            raise ImapError(f"Cannot connect to the IMAP server {where}: "
                            f"{self._safe(exc)}", field="host") from None
        try:
            if s.security == "starttls":
                client.starttls(context)
        except CapabilityError:
            self._drop(client)
            raise ImapError(f"The IMAP server {where} does not offer STARTTLS.",
                            field="security") from None
        except (OSError, IMAPClientError) as exc:
            self._drop(client)
            raise ImapError(f"STARTTLS with the IMAP server {where} failed: "
                            f"{self._safe(exc)}", field="security") from None
        try:
            client.login(s.username, s.password)
        except LoginError as exc:
            self._drop(client)
            # `from None`: the chained imaplib error is the server's, but keep nothing
            # that could ever have seen the password.
            raise ImapLoginFailed(f"The IMAP server {where} refused the login of "
                                  f"{s.username!r}: {self._safe(exc)}",
                                  field="password") from None
        except (OSError, IMAPClientError) as exc:
            self._drop(client)
            raise ImapError(f"Logging in to the IMAP server {where} failed: "
                            f"{self._safe(exc)}", field="host") from None
        self._client = client

    def close(self) -> None:
        """Log out; errors are ignored (the connection may already be gone)."""
        client, self._client = self._client, None
        if client is not None:
            self._drop(client, logout=True)

    # --- folders ---------------------------------------------------------------------
    def folders_to_sync(self) -> list[str]:
        """The configured folders (each checked to exist), or else INBOX plus the Sent
        folder: the one flagged SPECIAL-USE \\Sent, else the first of the usual names."""
        listed = self._list_folders()
        names = {name for _, name in listed}
        if self.settings.folders:
            for folder in self.settings.folders:
                self._require(folder, names)
            return list(self.settings.folders)
        folders = ["INBOX"]
        sent = next((name for flags, name in listed if SENT_FLAG in flags), None)
        if sent is None:
            sent = next((name for name in SENT_FOLDER_NAMES if name in names), None)
        if sent is not None and sent.upper() != "INBOX":
            folders.append(sent)
        return folders

    def fetch_new(self, folder: str, state: FolderState | None) -> Iterator[FolderBatch]:
        """The messages of ``folder`` above the checkpoint, in UID order, in batches.

        A batch is yielded for every ``settings.batch`` UIDs; when there is nothing new
        but the checkpoint changes (first sync, or a new UIDVALIDITY), one empty batch
        carries the new checkpoint. A message the server returns nothing for is skipped
        and listed in the batch's ``failed``."""
        client = self._session()
        info = self._call(f"open the folder {folder!r}",
                          lambda: client.select_folder(folder, readonly=True),
                          missing_folder=folder)
        uidvalidity = _as_int(info.get(b"UIDVALIDITY"))
        if uidvalidity is None:
            raise ImapError(f"The IMAP server gave no UIDVALIDITY for {folder!r}.",
                            field="folders")
        reset = state is not None and state.uidvalidity != uidvalidity
        last = state.last_uid if state is not None and not reset else 0
        uids = self._uids_after(folder, last, info)
        if not uids:
            new_state = FolderState(uidvalidity, last)
            if new_state != state:
                yield FolderBatch(folder, new_state, (), reset)
            return
        size = self.settings.batch
        for start in range(0, len(uids), size):
            chunk = uids[start:start + size]
            messages, failed = self._fetch(folder, chunk)
            yield FolderBatch(folder, FolderState(uidvalidity, chunk[-1]), messages, reset,
                              failed)

    # --- the IMAP calls ----------------------------------------------------------------
    def _uids_after(self, folder: str, last: int, info: dict[bytes, Any]) -> list[int]:
        exists, uidnext = _as_int(info.get(b"EXISTS")), _as_int(info.get(b"UIDNEXT"))
        if exists == 0 or (uidnext is not None and uidnext <= last + 1):
            return []  # nothing there, or nothing new: spare the round trip
        client = self._session()
        found = self._call(f"search {folder!r}",
                           lambda: client.search(["UID", f"{last + 1}:*"]))
        # "n:*" always matches the highest UID, even when it is below n: filter.
        return sorted({uid for uid in (_as_int(u) for u in found)
                       if uid is not None and uid > last})

    def _fetch(self, folder: str, uids: Sequence[int]
               ) -> tuple[tuple[FetchedMessage, ...], tuple[tuple[int, str], ...]]:
        client = self._session()
        try:
            response = client.fetch(list(uids), ["BODY.PEEK[]"])
        except IMAPClientAbortError as exc:
            raise ImapError(f"The IMAP server broke off while fetching from {folder!r}: "
                            f"{self._safe(exc)}", field="host") from None
        except IMAPClientError:
            # The server refused the whole batch (NO/BAD): ask for each message alone so
            # one bad message costs only itself.
            response = {}
            for uid in uids:
                try:
                    response.update(client.fetch([uid], ["BODY.PEEK[]"]))
                except IMAPClientAbortError as exc:
                    raise ImapError(f"The IMAP server broke off while fetching from "
                                    f"{folder!r}: {self._safe(exc)}", field="host") from None
                except IMAPClientError as exc:
                    response[uid] = {"error": self._safe(exc)}
        except OSError as exc:
            raise ImapError(f"Lost the IMAP server while fetching from {folder!r}: "
                            f"{self._safe(exc)}", field="host") from None
        messages: list[FetchedMessage] = []
        failed: list[tuple[int, str]] = []
        for uid in uids:
            data = response.get(uid) or {}
            raw = data.get(BODY)
            if isinstance(raw, bytes):
                messages.append(FetchedMessage(folder, uid, raw))
            elif "error" in data:
                failed.append((uid, f"the server refused it: {data['error']}"))
            else:
                failed.append((uid, "the server returned no message for this UID"))
        return tuple(messages), tuple(failed)

    def _list_folders(self) -> list[tuple[tuple[bytes, ...], str]]:
        client = self._session()
        listed = self._call("list the folders", client.list_folders)
        return [(tuple(f for f in flags if isinstance(f, bytes)), str(name))
                for flags, _delimiter, name in listed]

    def _require(self, folder: str, names: set[str]) -> None:
        if folder in names or folder.upper() == "INBOX":
            return
        raise InvalidInput(f"The IMAP folder {folder!r} does not exist on "
                           f"{self.settings.host} (folders there: "
                           f"{', '.join(sorted(names)) or 'none'}).", field="folders")

    def _call(self, doing: str, call: Any, *, missing_folder: str | None = None) -> Any:
        try:
            return call()
        except IMAPClientAbortError as exc:
            raise ImapError(f"The IMAP server broke off when asked to {doing}: "
                            f"{self._safe(exc)}", field="host") from None
        except IMAPClientError as exc:
            if missing_folder is not None:
                self._require(missing_folder, {n for _, n in self._list_folders()})
            raise ImapError(f"The IMAP server refused to {doing}: {self._safe(exc)}",
                            field="folders" if missing_folder else "host") from None
        except OSError as exc:
            raise ImapError(f"Lost the IMAP server when asked to {doing}: "
                            f"{self._safe(exc)}", field="host") from None

    def _session(self) -> Any:
        if self._client is None:
            raise ImapError("Not connected: use ImapMailbox as a context manager.")
        return self._client

    def _safe(self, exc: BaseException) -> str:
        """The exception's text as a short sentence, with the password cut out should a
        server ever echo it back."""
        text = str(exc) or type(exc).__name__
        if text.startswith(("b'", 'b"')) and text.endswith(("'", '"')):
            text = text[2:-1]  # imaplib hands over server bytes as their repr
        if self.settings.password:
            text = text.replace(self.settings.password, "********")
        return text[:300]

    @staticmethod
    def _drop(client: Any, *, logout: bool = False) -> None:
        # Errors while closing mean the connection is already gone: nothing left to do.
        if logout:
            try:
                client.logout()
                return
            except Exception:
                pass
        with contextlib.suppress(Exception):
            client.shutdown()


def _as_int(value: object) -> int | None:
    """An integer from a server response (int, or digits as bytes/str), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
