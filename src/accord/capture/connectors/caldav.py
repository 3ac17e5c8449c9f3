"""Calendars on a CalDAV server read incrementally, over the caldav library.

The checkpoint of a calendar is its sync-token (RFC 6578), its ctag and the etag of
every event resource in it. A sync asks the server what changed since the sync-token
(a sync-collection REPORT); a server that does not keep sync-tokens, or that has
forgotten ours (RFC 6578 3.2: it answers 403 valid-sync-token), is listed in full
instead and compared etag by etag against the checkpoint (``reset`` says so). Either
way the result is the resources added or changed, fetched with calendar-multiget in
batches, and the resources that are gone.

Each batch carries the checkpoint to save together with what it holds: batches before
the last keep the old sync-token but add the etags just read (a run killed half-way asks
again from the old token and skips what it has), the last one brings the new token and
the deletions.

Nothing is changed on the server. The password is never logged, never in a repr and
never in an exception message. No Django here: the capture services call this adapter.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.sax.saxutils import escape

# caldav's types are partial; only the few calls below touch it, and what they return
# is turned into plain typed values before it leaves this module.
import requests
from caldav import DAVClient
from caldav.lib.error import AuthorizationError, DAVError

from accord.capture.connectors.imap import is_loopback  # the same rule as plain IMAP
from accord.platform.errors import AccordError, InvalidInput

DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"
CALSERVER = "{http://calendarserver.org/ns/}"
SYNC_REPORT = ('<?xml version="1.0" encoding="utf-8"?>'
               '<D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token>'
               '<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop>'
               '</D:sync-collection>')
CTAG_PROPFIND = ('<?xml version="1.0" encoding="utf-8"?>'
                 '<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">'
                 '<D:prop><CS:getctag/><D:sync-token/></D:prop></D:propfind>')
ETAG_PROPFIND = ('<?xml version="1.0" encoding="utf-8"?>'
                 '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:resourcetype/>'
                 '</D:prop></D:propfind>')
MULTIGET = ('<?xml version="1.0" encoding="utf-8"?>'
            '<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            '<D:prop><D:getetag/><C:calendar-data/></D:prop>{hrefs}</C:calendar-multiget>')


class CaldavError(AccordError):
    """The CalDAV server could not be reached, refused us, or answered nonsense."""

    code = "caldav_error"
    status = 502  # the fault is upstream, not in the request


class CaldavLoginFailed(CaldavError):
    """The server refused the username or password."""

    code = "caldav_login_failed"


@dataclass(frozen=True)
class CaldavSettings:
    url: str  # the server, or the principal / calendar home (discovery starts here)
    username: str = ""
    password: str = field(default="", repr=False)
    calendars: tuple[str, ...] = ()  # names or URLs; empty: every calendar of the user
    timeout: float = 30.0
    batch: int = 100  # events fetched per calendar-multiget
    use_sync_token: bool = True  # False: always list and compare etags

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput("A CalDAV URL must start with https:// (or http:// on this "
                               "machine) and name a host.", field="url")
        if parts.username or parts.password:
            # The password goes in its own (sealed) field, never in a URL that gets shown.
            raise InvalidInput("Put the username and password in their own fields, not "
                               "in the URL.", field="url")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise InvalidInput(f"Plain http is allowed only to this machine (localhost); "
                               f"use https for {parts.hostname}.", field="url")
        if self.batch < 1:
            raise InvalidInput("The CalDAV batch size must be at least 1.", field="batch")
        if self.timeout <= 0:
            raise InvalidInput("The CalDAV timeout must be positive.", field="timeout")


@dataclass(frozen=True)
class CalendarState:
    """The checkpoint of one calendar."""

    sync_token: str = ""
    ctag: str = ""
    etags: Mapping[str, str] = field(default_factory=dict)  # resource path -> etag

    def as_json(self) -> dict[str, Any]:
        return {"sync_token": self.sync_token, "ctag": self.ctag, "etags": dict(self.etags)}

    @classmethod
    def from_json(cls, data: Any) -> CalendarState | None:
        """The state saved by ``as_json``; None for anything else (a fresh start)."""
        if not isinstance(data, dict) or not isinstance(data.get("etags", {}), dict):
            return None
        return cls(str(data.get("sync_token") or ""), str(data.get("ctag") or ""),
                   {str(k): str(v) for k, v in (data.get("etags") or {}).items()})


@dataclass(frozen=True)
class CalendarInfo:
    url: str
    name: str


@dataclass(frozen=True)
class CalendarObject:
    href: str  # the resource's path on the server, unquoted
    etag: str
    raw: bytes  # the iCalendar text


@dataclass(frozen=True)
class CalendarBatch:
    calendar: str
    state: CalendarState  # the checkpoint to save together with this batch
    changed: tuple[CalendarObject, ...]
    deleted: tuple[str, ...]  # paths of resources that are gone
    reset: bool  # the whole calendar was listed (first sync, token refused, no tokens)
    failed: tuple[tuple[str, str], ...] = ()  # (path, reason): skipped this time


@dataclass(frozen=True)
class _Listing:
    token: str
    ctag: str
    current: dict[str, str]  # path -> etag of what was listed
    gone: list[str]
    full: bool  # ``current`` is the whole calendar (so anything else in state is gone)


class CaldavAccount:
    """A CalDAV session; use it as a context manager (connects and checks the login)."""

    def __init__(self, settings: CaldavSettings) -> None:
        self.settings = settings
        self._client: Any = None
        self._principal: Any = None

    def __repr__(self) -> str:
        return f"CaldavAccount({self.settings.username!r} at {self._where()})"

    def __enter__(self) -> CaldavAccount:
        self.connect()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def connect(self) -> None:
        """Open a session and find the user's principal (this proves the login)."""
        s = self.settings
        client = DAVClient(s.url, username=s.username or None, password=s.password or None,
                           timeout=int(s.timeout) or 1)
        self._client = client
        self._principal = self._call("find the user's calendars", client.principal)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.session.close()

    # --- calendars ---------------------------------------------------------------------
    def calendars_to_sync(self) -> list[CalendarInfo]:
        """The configured calendars (by name, last path segment or URL), each checked to
        exist, or else every calendar of the user."""
        found = [CalendarInfo(str(c.url), str(c.name or "")) for c in
                 self._call("list the calendars", self._principal.calendars)]
        if not self.settings.calendars:
            return found
        chosen: list[CalendarInfo] = []
        for wanted in self.settings.calendars:
            match = next((c for c in found if _names(c, self.settings.url) & {wanted,
                          wanted.rstrip("/")}), None)
            if match is None:
                known = ", ".join(c.name or c.url for c in found) or "none"
                raise CaldavError(f"The CalDAV server has no calendar {wanted!r} for "
                                  f"{self.settings.username!r} (it has: {known}).",
                                  field="calendars")
            chosen.append(match)
        return chosen

    def fetch_changes(self, calendar: str, state: CalendarState | None,
                      refetch: Iterable[str] = ()) -> Iterator[CalendarBatch]:
        """What changed in ``calendar`` since ``state``, in batches (see the module's
        docstring), plus the resources in ``refetch`` that are still there, changed or
        not (a recurring series to expand further). Nothing new and the same
        checkpoint: no batch at all."""
        old = state or CalendarState()
        listing = self._listing(calendar, state)
        gone = set(listing.gone)
        if listing.full:
            gone |= set(old.etags) - set(listing.current)
        present = (set(listing.current) | (set() if listing.full else set(old.etags))) - gone
        changed = sorted({h for h, etag in listing.current.items() if old.etags.get(h) != etag}
                         | (set(refetch) & present))
        etags = dict(old.etags)
        size = self.settings.batch
        reset = state is None or listing.full
        any_failed = False
        for start in range(0, len(changed), size):
            chunk = changed[start:start + size]
            objects, missing, failed = self._multiget(calendar, chunk)
            etags.update((o.href, o.etag) for o in objects)
            gone |= set(missing)
            any_failed = any_failed or bool(failed)
            if start + size < len(changed):
                yield CalendarBatch(calendar, CalendarState(old.sync_token, old.ctag,
                                                            dict(etags)),
                                    objects, (), reset, failed)
                continue
            yield CalendarBatch(calendar, self._final(listing, old, etags, gone, any_failed),
                                objects, tuple(sorted(gone)), reset, failed)
            return
        final = self._final(listing, old, etags, gone, any_failed)
        if final != state:
            yield CalendarBatch(calendar, final, (), tuple(sorted(gone)), reset)

    @staticmethod
    def _final(listing: _Listing, old: CalendarState, etags: dict[str, str], gone: set[str],
               any_failed: bool) -> CalendarState:
        """The checkpoint after the last batch. If a resource could not be fetched, the
        old token (and ctag) stay, so the next sync lists it again; the etags spare
        everything else a second fetch."""
        etags = {href: etag for href, etag in etags.items() if href not in gone}
        if any_failed:
            return CalendarState(old.sync_token, old.ctag, etags)
        return CalendarState(listing.token, listing.ctag, etags)

    # --- listing -----------------------------------------------------------------------
    def _listing(self, calendar: str, state: CalendarState | None) -> _Listing:
        if self.settings.use_sync_token:
            token = state.sync_token if state is not None else ""
            listing = self._sync_report(calendar, token)
            if listing is None and token:
                # The server no longer knows our token: start again from nothing.
                listing = self._sync_report(calendar, "")
            if listing is not None:
                return listing
        return self._etag_listing(calendar, state)

    def _sync_report(self, calendar: str, token: str) -> _Listing | None:
        """The sync-collection answer, or None when the server refuses it (it keeps no
        tokens, or not ours)."""
        body = SYNC_REPORT.format(token=escape(token))
        try:
            response = self._client.report(calendar, body, depth=1)
        except AuthorizationError:  # 403: RFC 6578's valid-sync-token precondition
            return None
        except (DAVError, requests.RequestException) as exc:
            raise CaldavError(f"The CalDAV server {self._where()} failed: "
                              f"{self._safe(exc)}", field="url") from None
        if response.status != 207 or response.tree is None:
            return None  # 400, 404, 405, 409, 501: no sync-collection here
        current: dict[str, str] = {}
        gone: list[str] = []
        for href, status, props in _responses(response.tree, calendar):
            if status == 404:
                gone.append(href)
            elif DAV + "getetag" in props:
                current[href] = props[DAV + "getetag"]
        new_token = response.tree.findtext(DAV + "sync-token") or ""
        return _Listing(new_token.strip(), "", current, gone, full=not token)

    def _etag_listing(self, calendar: str, state: CalendarState | None) -> _Listing:
        top = self._propfind(calendar, CTAG_PROPFIND, depth=0)
        props = next((p for _, _, p in top), {})
        ctag = props.get(CALSERVER + "getctag", "")
        if state is not None and ctag and ctag == state.ctag:
            return _Listing(state.sync_token, ctag, {}, [], full=False)  # nothing changed
        current = {href: p.get(DAV + "getetag", "")
                   for href, status, p in self._propfind(calendar, ETAG_PROPFIND, depth=1)
                   if status != 404 and "collection" not in p.get(DAV + "resourcetype", "")
                   and href.rstrip("/") != _path(calendar).rstrip("/")}
        return _Listing("", ctag, current, [], full=True)

    def _propfind(self, url: str, body: str, depth: int
                  ) -> list[tuple[str, int, dict[str, str]]]:
        response = self._call(f"read {url}", self._client.propfind, url, body, depth)
        if response.status != 207 or response.tree is None:
            raise CaldavError(f"The CalDAV server {self._where()} answered "
                              f"{response.status} to PROPFIND {_path(url)}.", field="url")
        return list(_responses(response.tree, url))

    def _multiget(self, calendar: str, hrefs: list[str]
                  ) -> tuple[tuple[CalendarObject, ...], list[str],
                             tuple[tuple[str, str], ...]]:
        """The resources asked for; the paths the server says are gone; and those it
        gave nothing usable for, with why."""
        body = MULTIGET.format(hrefs="".join(f"<D:href>{escape(quote(h))}</D:href>"
                                             for h in hrefs))
        response = self._call(f"fetch events from {calendar}", self._client.report,
                              calendar, body, 1)
        if response.status != 207 or response.tree is None:
            raise CaldavError(f"The CalDAV server {self._where()} answered "
                              f"{response.status} to calendar-multiget.", field="url")
        objects: list[CalendarObject] = []
        missing: list[str] = []
        answered: set[str] = set()
        for href, status, props in _responses(response.tree, calendar):
            answered.add(href)
            data = props.get(CALDAV + "calendar-data")
            if status == 404:
                missing.append(href)
            elif data:
                objects.append(CalendarObject(href, props.get(DAV + "getetag", ""),
                                              data.encode("utf-8")))
        fetched = {o.href for o in objects}
        failed = tuple((h, "the server returned no calendar data" if h in answered else
                        "the server did not answer for it") for h in hrefs
                       if h not in fetched and h not in missing)
        return tuple(objects), missing, failed

    # --- plumbing ----------------------------------------------------------------------
    def _call(self, what: str, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except AuthorizationError as exc:
            reason = getattr(exc, "reason", "") or "refused"
            raise CaldavLoginFailed(f"The CalDAV server {self._where()} refused the login "
                                    f"of {self.settings.username!r} ({reason}).",
                                    field="password") from None
        except requests.RequestException as exc:
            raise CaldavError(f"Cannot reach the CalDAV server {self._where()} to {what}: "
                              f"{self._safe(exc)}", field="url") from None
        except (DAVError, ValueError, AssertionError) as exc:
            raise CaldavError(f"The CalDAV server {self._where()} could not {what}: "
                              f"{self._safe(exc)}", field="url") from None

    def _where(self) -> str:
        parts = urlsplit(self.settings.url)
        return parts.netloc or self.settings.url

    def _safe(self, exc: BaseException) -> str:
        """The error in words, with the password blanked out should it ever appear."""
        text = str(exc) or type(exc).__name__
        if self.settings.password:
            text = text.replace(self.settings.password, "***")
        return text[:300]


def _path(url: str) -> str:
    return unquote(urlsplit(url).path) or "/"


def _names(calendar: CalendarInfo, base: str) -> set[str]:
    """What a configured calendar may be called: display name, last path segment, path
    or full URL."""
    path = _path(calendar.url)
    names = {calendar.name, calendar.url, calendar.url.rstrip("/"), path, path.rstrip("/"),
             path.rstrip("/").rsplit("/", 1)[-1], urljoin(base, path).rstrip("/")}
    return {n for n in names if n}


def _responses(tree: Any, base: str) -> Iterator[tuple[str, int, dict[str, str]]]:
    """(path, status, {property tag: text}) for each <response> of a multistatus; the
    status is the response's own (404 for a gone member) or else 200."""
    for response in tree.iter(DAV + "response"):
        href = response.findtext(DAV + "href")
        if not href:
            continue
        status = _status(response.findtext(DAV + "status"))
        props: dict[str, str] = {}
        for propstat in response.iter(DAV + "propstat"):
            if _status(propstat.findtext(DAV + "status")) != 200:
                continue
            for prop in propstat.iter(DAV + "prop"):
                for child in prop:
                    if child.tag == DAV + "resourcetype":
                        props[child.tag] = " ".join(_local(c.tag) for c in child)
                    else:
                        props[child.tag] = (child.text or "").strip() \
                            if child.tag != CALDAV + "calendar-data" else child.text or ""
        yield _path(urljoin(base, href.strip())), status, props


def _status(line: str | None) -> int:
    """200 from "HTTP/1.1 200 OK"; 200 when absent."""
    words = (line or "").split()
    return int(words[1]) if len(words) > 1 and words[1].isdigit() else 200


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]
