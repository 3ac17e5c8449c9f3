"""Web visits as pure rules: page views grouped into visits (30 minutes of quiet, or a
new campaign, starts another), what a visit keeps (landing page with its UTM
parameters, outside referrer, pages with time on each, exit page, duration), and which
hits are not people reading pages (bots, static files). Time is passed in."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from crawlerdetect import CrawlerDetect

SESSION_GAP = timedelta(minutes=30)
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
MAX_PAGES = 300  # listed per visit; later pages still extend it, counted in extra_pages
URL_LIMIT = 2000
TITLE_LIMIT = 300
UTM_VALUE_LIMIT = 200

# What a browser fetches besides the page itself; never a page view.
STATIC_SUFFIXES = frozenset({
    ".css", ".js", ".mjs", ".map", ".json", ".xml", ".txt", ".ico", ".png", ".jpg",
    ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp", ".tif", ".tiff", ".woff", ".woff2",
    ".ttf", ".otf", ".eot", ".mp4", ".webm", ".mp3", ".ogg", ".wav", ".pdf", ".zip",
    ".gz", ".webmanifest", ".wasm",
})


@dataclass(frozen=True)
class PageView:
    """One page seen: when, where, what it was called, where the reader came from, and
    (when the script said so on leaving) how long it was open."""

    at: datetime
    url: str
    title: str = ""
    referrer: str = ""
    seconds: int | None = None


@dataclass(frozen=True)
class VisitSummary:
    started_at: datetime
    ended_at: datetime
    landing_url: str
    exit_url: str
    referrer: str  # from another site only: moving between one's own pages is no referral
    utm: dict[str, str]
    pages: list[dict[str, Any]]  # JSON-ready, oldest first, each with its time on page
    extra_pages: int  # beyond MAX_PAGES
    duration_seconds: int


def clip(text: Any, limit: int) -> str:
    return str(text or "")[:limit]


def utm_of(url: str) -> dict[str, str]:
    """The UTM parameters of a page address (only those present, trimmed)."""
    query = urlsplit(url).query
    if "utm_" not in query:
        return {}
    found: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=False):
        key = key.lower()
        if key in UTM_KEYS and key not in found and value.strip():
            found[key] = value.strip()[:UTM_VALUE_LIMIT]
    return found


def _campaign(utm: Mapping[str, str]) -> tuple[str, str, str]:
    return (utm.get("utm_source", ""), utm.get("utm_medium", ""), utm.get("utm_campaign", ""))


def starts_new_visit(*, last_activity: datetime | None, at: datetime, visit_utm: Mapping[str, str],
                     page_url: str, gap: timedelta = SESSION_GAP) -> bool:
    """A page view opens a new visit after ``gap`` of quiet, or when it arrives from
    another campaign than the one the current visit came from (as analytics tools count
    it: the new campaign deserves the credit)."""
    if last_activity is None or at - last_activity > gap:
        return True
    page_utm = utm_of(page_url)
    return bool(page_utm) and _campaign(page_utm) != _campaign(visit_utm)


def sessionise(views: Iterable[PageView], gap: timedelta = SESSION_GAP) -> list[list[PageView]]:
    """Page views of one visitor grouped into visits, oldest first."""
    visits: list[list[PageView]] = []
    current: list[PageView] = []
    last: datetime | None = None
    for view in sorted(views, key=lambda v: v.at):
        if current and not starts_new_visit(last_activity=last, at=view.at, gap=gap,
                                            visit_utm=utm_of(current[0].url),
                                            page_url=view.url):
            current.append(view)
        else:
            if current:
                visits.append(current)
            current = [view]
        last = view.at
    if current:
        visits.append(current)
    return visits


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def outside_referrer(referrer: str, page_url: str) -> str:
    """The referrer, unless it is the site itself."""
    if not referrer or host_of(referrer) == host_of(page_url):
        return ""
    return referrer


def path_of(url: str) -> str:
    """'/pricing?plan=team' from any page address (fragment dropped)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def without_param(url: str, name: str) -> str:
    """The address without one query parameter (one that carried an email)."""
    if not name or name not in url:
        return url
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    return parts._replace(query=urlencode(kept)).geturl()


def page_record(view: PageView, seconds: int | None = None) -> dict[str, Any]:
    """A page as a visit stores it (JSON). ``seconds`` is its time on page as shown:
    measured on leaving, else until the next page; only a measured one is read back."""
    record: dict[str, Any] = {"at": view.at.isoformat(), "url": view.url,
                              "path": path_of(view.url)}
    if view.title:
        record["title"] = view.title
    if view.referrer:
        record["referrer"] = view.referrer
    shown = view.seconds if view.seconds is not None else seconds
    if shown is not None:
        record["seconds"] = shown
    if view.seconds is not None:
        record["measured"] = True
    return record


def page_from_record(record: Mapping[str, Any]) -> PageView | None:
    """The page back from what a visit stored; None when the record is unreadable."""
    try:
        at = datetime.fromisoformat(str(record["at"]))
    except (KeyError, ValueError):
        return None
    seconds = record.get("seconds") if record.get("measured") else None
    return PageView(at=at, url=str(record.get("url") or ""), title=str(record.get("title") or ""),
                    referrer=str(record.get("referrer") or ""),
                    seconds=seconds if isinstance(seconds, int) else None)


def merge_pages(stored: Sequence[PageView], new: Iterable[PageView]) -> list[PageView]:
    """Pages of a visit with new ones added once: a page seen at the same moment at the
    same address is the same page (re-imported logs add nothing)."""
    known = {(v.at, v.url) for v in stored}
    merged = list(stored)
    for view in new:
        if (view.at, view.url) not in known:
            known.add((view.at, view.url))
            merged.append(view)
    return sorted(merged, key=lambda v: v.at)


def with_leave(pages: Sequence[PageView], *, at: datetime, gap: timedelta = SESSION_GAP,
               url: str = "") -> list[PageView]:
    """The script said the reader left the last page at ``at``: its time on page, unless
    it was already measured, another page is meant, or the tab sat open past ``gap``."""
    if not pages:
        return []
    last = pages[-1]
    if last.seconds is not None or (url and url != last.url):
        return list(pages)
    seconds = int((at - last.at).total_seconds())
    if not 0 <= seconds <= gap.total_seconds():
        return list(pages)
    return [*pages[:-1], replace(last, seconds=seconds)]


def summarise(views: Sequence[PageView]) -> VisitSummary:
    """What a visit made of these page views (one visit, not empty) keeps."""
    pages = sorted(views, key=lambda v: v.at)
    first, last = pages[0], pages[-1]
    records = []
    for view, after in zip(pages, [*pages[1:], None], strict=True):
        until_next = int((after.at - view.at).total_seconds()) if after is not None else None
        records.append(page_record(view, until_next))
    ended = last.at + timedelta(seconds=last.seconds or 0)
    return VisitSummary(
        started_at=first.at, ended_at=ended, landing_url=first.url, exit_url=last.url,
        referrer=outside_referrer(first.referrer, first.url), utm=utm_of(first.url),
        pages=records[:MAX_PAGES], extra_pages=max(0, len(records) - MAX_PAGES),
        duration_seconds=int((ended - first.at).total_seconds()))


def visit_subject(summary: VisitSummary) -> str:
    """'Pricing (3 pages)': the landing page's title or path, and how far the visit went."""
    landing = summary.pages[0] if summary.pages else {}
    name = str(landing.get("title") or landing.get("path") or summary.landing_url or "Visit")
    count = len(summary.pages) + summary.extra_pages
    return clip(f"{name} ({count} page{'s' if count != 1 else ''})", 500)


def log_visitor_key(site: str, address: str, user_agent: str) -> str:
    """An access log's stand-in for the script's anonymous id: a digest of the site, the
    client address and its user agent. People behind one address with one browser build
    count as one visitor; the address itself is not kept."""
    digest = hashlib.sha256(f"{site}\x00{address}\x00{user_agent}".encode()).hexdigest()
    return "log:" + digest[:40]


def log_visit_key(visitor_key: str, started_at: datetime) -> str:
    """A visit's lasting id from its visitor and first page: the same log read twice
    gives the same ids."""
    return hashlib.sha256(f"{visitor_key}\x00{started_at.isoformat()}".encode()).hexdigest()[:40]


@lru_cache(maxsize=1)
def _crawler_detector() -> CrawlerDetect:
    return CrawlerDetect()


def is_bot(user_agent: str) -> bool:
    """A crawler, spider, monitor or headless browser by its User-Agent (the patterns
    maintained by the CrawlerDetect project)."""
    return bool(user_agent) and bool(_crawler_detector().is_crawler(user_agent))


def is_static_asset(path: str) -> bool:
    """A stylesheet, script, image, font ... by the suffix of its path."""
    bare = path.split("?", 1)[0].split("#", 1)[0].lower()
    name = bare.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return dot > 0 and name[dot:] in STATIC_SUFFIXES


def is_ignored_path(path: str, ignored: Iterable[str]) -> bool:
    """A path under one of the site's ignored prefixes (its admin, its health check)."""
    bare = path.split("?", 1)[0].rstrip("/")
    return any(bare == prefix.rstrip("/") or bare.startswith(prefix.rstrip("/") + "/")
               for prefix in ignored)
