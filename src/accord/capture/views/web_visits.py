"""The web visit script and its collect endpoint: hit on every page view of a customer's
site, so kept lean: one body read, one site lookup, one service call.

    <script async src="https://accord.example/capture/web.js" data-site="shop"></script>

POST /collect?site=shop with a JSON body (sent as text/plain by navigator.sendBeacon,
which needs no CORS preflight): {"type": "pageview"|"leave"|"identify", "visitor": id,
"url", "title", "referrer", "email"}. Answers 202 when recorded, 204 when dropped on
purpose (Do-Not-Track, Global Privacy Control, bots, ignored paths), 4xx with a JSON
error naming the field for bad input, 404 for an unknown site, 403 for a page on an
origin the site does not list."""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from accord.capture.domain.web_visits import (
    TITLE_LIMIT,
    URL_LIMIT,
    PageView,
    clip,
    is_bot,
    is_ignored_path,
    path_of,
)
from accord.capture.services import web_visits
from accord.capture.services.websites import Website, website_named
from accord.platform import clock
from accord.platform.actors import SYSTEM
from accord.platform.errors import AccordError, InvalidInput

logger = logging.getLogger(__name__)

SCRIPT = Path(__file__).resolve().parent.parent / "static" / "capture" / "web.js"
MAX_BODY = 8 * 1024  # a page view is a few hundred bytes
KINDS = ("pageview", "leave", "identify")


@lru_cache(maxsize=1)
def _script() -> bytes:
    return SCRIPT.read_bytes()


@require_GET
def web_script(request: HttpRequest) -> HttpResponse:
    """The first-party script the customer's site embeds."""
    response = HttpResponse(_script(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    # Loaded by other sites' pages: allowed even where they isolate themselves (COEP).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _error(status: int, message: str, field: str | None) -> JsonResponse:
    return JsonResponse({"code": "invalid_input" if status == 400 else "error",
                         "message": message, "field": field}, status=status)


def _with_cors(response: HttpResponse, origin: str) -> HttpResponse:
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "86400"
    response["Vary"] = "Origin"
    return response


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        raise InvalidInput(f"The body is larger than {MAX_BODY} bytes.", field="body")
    raw = request.body[: MAX_BODY + 1]
    if len(raw) > MAX_BODY:
        raise InvalidInput(f"The body is larger than {MAX_BODY} bytes.", field="body")
    try:
        payload = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("The body must be a JSON object.", field="body") from exc
    if not isinstance(payload, dict):
        raise InvalidInput("The body must be a JSON object.", field="body")
    return payload


def _text(payload: dict[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    value = payload.get(name)
    if value is None or value == "":
        if required:
            raise InvalidInput(f"{name} is missing.", field=name)
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text.", field=name)
    return clip(value, limit)


def _page_url(payload: dict[str, Any], site: Website) -> str:
    url = _text(payload, "url", URL_LIMIT, required=True)
    if not site.allows(url):
        raise InvalidInput("url is not a page of this site (its allowed origins).",
                           field="url")
    return url.split("#", 1)[0]


def _dropped(request: HttpRequest) -> bool:
    """The browser asks not to be tracked (Do-Not-Track, Global Privacy Control), or it
    is no person: a crawler, a monitor, a headless browser, or no User-Agent at all."""
    if request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1":
        return True
    agent = request.headers.get("User-Agent", "")
    return not agent or is_bot(agent)


def _record(payload: dict[str, Any], site: Website) -> bool:
    kind = payload.get("type") or "pageview"
    if kind not in KINDS:
        raise InvalidInput(f"type must be one of {', '.join(KINDS)}.", field="type")
    visitor = web_visits.check_visitor_key(payload.get("visitor"))
    now = clock.now()
    if kind == "identify":
        email = _text(payload, "email", 254, required=True)
        web_visits.identify_visitor(actor=SYSTEM, site=site, visitor_key=visitor, email=email,
                                    at=now)
        return True
    url = _page_url(payload, site)
    if is_ignored_path(path_of(url), site.ignored_paths):
        return False
    if kind == "leave":
        web_visits.record_leave(actor=SYSTEM, site=site, visitor_key=visitor, at=now, url=url)
        return True
    view = PageView(at=now, url=url, title=_text(payload, "title", TITLE_LIMIT),
                    referrer=_text(payload, "referrer", URL_LIMIT))
    web_visits.record_page_view(actor=SYSTEM, site=site, visitor_key=visitor, view=view)
    return True


@csrf_exempt
def collect(request: HttpRequest) -> HttpResponse:
    """Page views, leaves and identifications from the script."""
    if request.method not in ("POST", "OPTIONS"):
        response = _error(405, "Send page views with POST.", "method")
        response["Allow"] = "POST, OPTIONS"
        return response
    site_name = request.GET.get("site", "")
    allowed = ""  # the Origin to answer CORS for: only one the site lists
    try:
        payload: dict[str, Any] | None = None
        if not site_name and request.method == "POST":  # the key may come in the body
            payload = _body(request)
            site_name = str(payload.get("site") or "")
        site = website_named(site_name)
        if site is None:
            return _error(404, "No website source with this site key.", "site")
        origin = request.headers.get("Origin", "")
        if origin and not site.allows(origin):
            return _error(403, f"Origin {origin[:100]!r} is not allowed for this site.",
                          "origin")
        allowed = origin
        if request.method == "OPTIONS" or _dropped(request):
            return _with_cors(HttpResponse(status=204), allowed)
        recorded = _record(payload if payload is not None else _body(request), site)
    except AccordError as exc:
        return _with_cors(_error(exc.status, exc.message, exc.field), allowed)
    return _with_cors(HttpResponse(status=202 if recorded else 204), allowed)
