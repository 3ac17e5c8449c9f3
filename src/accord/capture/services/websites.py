"""Website sources: their settings, and finding one by the key its script tag carries.

A website source's name is the site key (``<script data-site="shop" ...>``). Its
settings: ``allowed_origins`` (the site's own origins, e.g. https://shop.example: only
pages there may send page views; empty means the script is not used, e.g. a site whose
access logs are imported), ``session_minutes`` (quiet time that ends a visit, default
30), ``ignored_paths`` (path prefixes that are not pages for people: /admin, /health),
``identify_param`` (access logs: a query parameter whose value is the visitor's email,
e.g. a link from a newsletter)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from accord.capture.domain.sources import SourceKind
from accord.capture.domain.web_visits import SESSION_GAP
from accord.capture.models import Source
from accord.capture.services.imap_sync import as_list
from accord.platform.errors import InvalidInput

WEBSITE_SETTINGS = {"allowed_origins", "session_minutes", "ignored_paths", "identify_param"}
_PARAM = re.compile(r"^[A-Za-z0-9_.\-\[\]]{1,50}$")


@dataclass(frozen=True)
class Website:
    """A website source as the collect endpoint and the log import read it."""

    id: int
    name: str
    allowed_origins: frozenset[str]
    gap: timedelta
    ignored_paths: tuple[str, ...]
    identify_param: str
    unknown_senders: str

    def allows(self, origin: str) -> bool:
        return normalise_origin(origin) in self.allowed_origins


def normalise_origin(value: str) -> str:
    """'https://Shop.Example:443/' -> 'https://shop.example'; '' when it is no origin."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    default = {"http": 80, "https": 443}[parts.scheme]
    suffix = f":{port}" if port and port != default else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{suffix}"


def clean_settings(values: dict[str, Any], secrets: dict[str, Any]) -> dict[str, Any]:
    """The settings of a website source, checked; InvalidInput names the field."""
    unknown = sorted(set(values) - WEBSITE_SETTINGS)
    if unknown:
        raise InvalidInput(f"Unknown website setting {unknown[0]!r}.",
                           field=f"settings.{unknown[0]}")
    if secrets:
        raise InvalidInput("A website source keeps no secrets.", field="secrets")
    origins = []
    for raw in as_list(values.get("allowed_origins"), "allowed_origins"):
        origin = normalise_origin(raw)
        if not origin or urlsplit(raw.strip()).path not in ("", "/"):
            raise InvalidInput(f"{raw!r} is not an origin such as https://shop.example.",
                               field="settings.allowed_origins")
        origins.append(origin)
    given = values.get("session_minutes")
    try:
        minutes = int(SESSION_GAP.total_seconds() // 60 if given in (None, "") else given)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("session_minutes must be a number of minutes.",
                           field="settings.session_minutes") from exc
    if not 1 <= minutes <= 24 * 60:
        raise InvalidInput("session_minutes must be between 1 and 1440.",
                           field="settings.session_minutes")
    ignored = as_list(values.get("ignored_paths"), "ignored_paths")
    if any(not p.startswith("/") for p in ignored):
        raise InvalidInput("ignored_paths must start with '/'.", field="settings.ignored_paths")
    param = str(values.get("identify_param") or "").strip()
    if param and not _PARAM.match(param):
        raise InvalidInput("identify_param must be a query parameter name.",
                           field="settings.identify_param")
    return {"allowed_origins": sorted(set(origins)), "session_minutes": minutes,
            "ignored_paths": ignored, "identify_param": param}


def where(source: Source) -> str:
    return ", ".join(source.settings.get("allowed_origins") or []) or source.name


def as_website(source: Source) -> Website:
    values = source.settings if isinstance(source.settings, dict) else {}
    return Website(
        id=source.pk, name=source.name,
        allowed_origins=frozenset(values.get("allowed_origins") or ()),
        gap=timedelta(minutes=int(values.get("session_minutes") or 30)),
        ignored_paths=tuple(values.get("ignored_paths") or ()),
        identify_param=str(values.get("identify_param") or ""),
        unknown_senders=source.unknown_senders)


def website_named(name: str) -> Website | None:
    """The website source whose key the script sends; None for any other name (or a
    paused source: it receives nothing)."""
    if not isinstance(name, str) or not name or len(name) > 100:
        return None
    source = (Source.objects.filter(name=name, kind=SourceKind.WEBSITE)
              .exclude(status="paused")
              .only("id", "name", "settings", "unknown_senders").first())
    return as_website(source) if source is not None else None
