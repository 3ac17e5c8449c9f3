"""`accord import weblog PATH`: visits from web server access logs (combined log format),
for sites that cannot embed Accord's script.

The visitor is a digest of (site, client address, user agent): the address is not kept.
Bots (by User-Agent), static files (stylesheets, scripts, images, fonts ...), requests
other than GET, answers other than 2xx/304 and the site's ignored paths are not page
views. Page views are grouped into visits as the script's are (the site's session gap,
a new campaign); a visit's id is derived from its visitor and first page, and pages are
found again by time and address, so a re-run adds nothing and a later log continues the
visit it continues. A hit identifies its visitor when the log shows who it is: the
authenticated user (``%u``) when that is an email address, or the site's
``identify_param`` query parameter (e.g. ``?email=`` on a newsletter link; dropped from
the stored address). Identification stitches every visit of that visitor in the log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.db import transaction

from accord.capture.connectors.access_log import LogHit, read_log
from accord.capture.domain.web_visits import (
    URL_LIMIT,
    PageView,
    clip,
    is_bot,
    is_ignored_path,
    is_static_asset,
    log_visit_key,
    log_visitor_key,
    sessionise,
    without_param,
)
from accord.capture.services import web_visits
from accord.capture.services.reports import CaptureReport
from accord.capture.services.websites import Website
from accord.platform.errors import InvalidInput

PAGE_METHODS = frozenset({"GET"})


@dataclass
class WeblogReport(CaptureReport):
    """``captured`` counts new visits, ``updated`` visits that gained pages, ``present``
    visits read before; ``skipped`` counts hits that are no page views."""

    lines: int = 0
    page_views: int = 0
    updated: int = 0
    bots: int = 0
    identified: int = 0  # visitors the log named
    stitched: int = 0  # visits put on a timeline by an identification

    @property
    def visits(self) -> int:
        return self.captured + self.updated + self.present


def _identification(hit: LogHit, param: str) -> str:
    """The email the hit reveals (the logged-in user, or the configured parameter)."""
    if "@" in hit.user:
        return hit.user
    if param and param in hit.target:
        for key, value in parse_qsl(urlsplit(hit.target).query):
            if key == param and "@" in value:
                return value.strip()
    return ""


def _is_page(hit: LogHit, site: Website) -> bool:
    return (hit.method in PAGE_METHODS and (200 <= hit.status < 300 or hit.status == 304)
            and not is_static_asset(hit.target)
            and not is_ignored_path(hit.target, site.ignored_paths))


def _page_url(site: Website, target: str) -> str:
    """The page's address: absolute on the site's first origin when it has one."""
    target = without_param(target, site.identify_param)
    if target.startswith("/") and site.allowed_origins:
        return clip(min(site.allowed_origins) + target, URL_LIMIT)
    return clip(target, URL_LIMIT)


def import_weblog(*, actor: Any, site: Website, path: Path,
                  progress: Callable[[int], None] = lambda _: None) -> WeblogReport:
    """Every page view in the access log(s) at ``path`` onto the site's visits (and onto
    timelines, for visitors who are known)."""
    report = WeblogReport()
    origin = f"file:{path}"
    views: dict[str, list[PageView]] = defaultdict(list)
    named: dict[str, tuple[datetime, str]] = {}  # visitor -> latest identification
    for line in read_log(path):
        report.lines += 1
        progress(1)
        hit = line.hit
        if hit is None:
            report.reject(source_id=site.id, origin=origin, item=line.ref, reason=line.problem)
            continue
        if is_bot(hit.user_agent):
            report.bots += 1
            report.skipped += 1
            continue
        at = hit.at.astimezone(UTC)
        key = log_visitor_key(site.name, hit.address, hit.user_agent)
        email = _identification(hit, site.identify_param)
        if email and (key not in named or named[key][0] <= at):
            named[key] = (at, email)
        if not _is_page(hit, site):
            report.skipped += 1
            continue
        report.page_views += 1
        views[key].append(PageView(at=at, url=_page_url(site, hit.target),
                                   referrer=clip(hit.referrer, URL_LIMIT)))
    for key in sorted(set(views) | set(named)):
        _import_visitor(report, actor=actor, site=site, key=key, views=views.get(key, []),
                        named=named.get(key), origin=origin)
    return report


def _import_visitor(report: WeblogReport, *, actor: Any, site: Website, key: str,
                    views: list[PageView], named: tuple[datetime, str] | None,
                    origin: str) -> None:
    """One visitor's visits, each in its own transaction, then its identification."""
    for visit_views in sessionise(views, site.gap):
        start = visit_views[0].at
        item = f"visit of {key[:16]} at {start.isoformat()}"

        def add(visit_views: list[PageView] = visit_views, start: datetime = start) -> str:
            with transaction.atomic():
                visitor = web_visits.log_visitor(site, key, start)
                return web_visits.add_visit_pages(
                    actor=actor, site=site, visitor=visitor, views=visit_views,
                    key=log_visit_key(key, start), origin=origin)

        status = report.guarded(add, source_id=site.id, origin=origin, item=item)
        if status == "captured":
            report.captured += 1
        elif status == "updated":
            report.updated += 1
        elif status == "present":
            report.present += 1
    if named is None:
        return
    at, email = named

    def identify() -> web_visits.Identified:
        return web_visits.identify_visitor(actor=actor, site=site, visitor_key=key,
                                           email=email, at=at)

    done = report.guarded(identify, source_id=site.id, origin=origin,
                          item=f"identification of {key[:16]} as {email[:100]}")
    if done is not None:
        report.identified += 1
        report.stitched += done.stitched
        report.created_customers += int(done.created_customer)


def check_log_path(path: Path) -> None:
    if not path.exists():
        raise InvalidInput(f"{path}: no such file or folder.", field="path")
