"""`accord import weblog PATH --site NAME`: a progress count over capture's access log
import, then a summary."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from rich.console import Console

from accord.capture.services.sources import add_source
from accord.capture.services.weblog_import import WeblogReport, import_weblog
from accord.capture.services.websites import Website, website_named
from accord.platform.actors import SYSTEM
from accord.platform.errors import AccordError
from accord.web.importers.capture_progress import show_rejected, with_progress


def _site(name: str, console: Console) -> Website:
    """The website source the log belongs to; one is added (without allowed origins: the
    script stays off) the first time a site's logs are imported."""
    site = website_named(name)
    if site is not None:
        return site
    try:
        add_source(actor=SYSTEM, name=name, kind="website", settings={}, every_minutes=0)
    except AccordError as exc:
        raise CommandError(f"--site {name}: {exc.message} (a website source is needed; "
                           "is the name taken by another kind of source, or paused?)") from exc
    console.print(f"Added website source {name!r} for these logs.")
    found = website_named(name)
    assert found is not None
    return found


def import_weblog_files(path: Path, options: dict[str, Any], console: Console) -> WeblogReport:
    name = (options.get("site") or "").strip()
    if not name:
        raise CommandError("weblog: say which site the log is of with --site NAME (the "
                           "website source; added if new).")
    if not path.exists():
        raise CommandError(f"{path}: no such file or folder.")
    site = _site(name, console)
    param = (options.get("identify_param") or "").strip()
    if param:
        site = replace(site, identify_param=param)
    report = with_progress(console, path, "lines", lambda progress: import_weblog(
        actor=SYSTEM, site=site, path=path, progress=progress))
    assert isinstance(report, WeblogReport)
    console.print(
        f"{report.lines:,} lines: {report.page_views:,} page views in {report.visits:,} "
        f"visits: {report.captured:,} captured, {report.updated:,} updated with new pages, "
        f"{report.present:,} already present; {report.skipped:,} hits skipped "
        f"({report.bots:,} from bots; the rest static files, errors, redirects, other "
        f"methods or ignored paths); {len(report.rejected):,} rejected. "
        f"{report.identified:,} visitors identified, {report.stitched:,} visits put on "
        f"their timelines, {report.created_customers:,} new customers.")
    show_rejected(console, report)
    return report
