"""Where the pages map Accord's error tree to HTTP, in one place (DESIGN.md section 3).

NotFound -> 404 (a customer the user may not see answers exactly like a missing one),
PermissionDenied -> 403, InvalidInput -> 400, Conflict -> 409. htmx requests get a small
fragment instead of a whole page, so the message lands where the swap was aimed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

from accord.platform.errors import AccordError, InvalidInput

View = Callable[..., HttpResponse]


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (typing only)."""

    htmx: HtmxDetails

_TITLES = {
    400: "That request did not make sense",
    401: "Please sign in",
    403: "You cannot do that",
    404: "Not found",
    409: "That clashes with the current state",
}


def error_response(request: HttpRequest, exc: AccordError) -> HttpResponse:
    status = exc.status if exc.status in _TITLES else 400
    template = "web/partials/error.html" if getattr(request, "htmx", False) \
        else "web/error.html"
    message = exc.message
    if status == 404:
        # Same words whether it is missing or not yours: the page must not tell them apart.
        message = "There is nothing here, or it is not one of the records you can see."
    return render(request, template, {"status": status, "title": _TITLES[status],
                                      "message": message}, status=status)


def page(view: View) -> View:
    """Login required, and Accord errors rendered as their HTTP status, never a 500."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _to_login(request)
        try:
            return view(request, *args, **kwargs)
        except AccordError as exc:
            return error_response(request, exc)

    return wrapper


def _to_login(request: HttpRequest) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    if htmx:
        # A swapped-in login form inside a timeline would be nonsense: send the whole
        # window to the login page and come back to the page the user was on.
        target = redirect_to_login(htmx.current_url_abs_path or "/", settings.LOGIN_URL)
        response = HttpResponse(status=401)
        response["HX-Redirect"] = target["Location"]
        return response
    return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


@contextmanager
def forged_cursors_are_invalid() -> Iterator[None]:
    """A forged cursor can decode cleanly yet hold a date or id out of the database's
    range, which only fails deep in the driver (OverflowError). It is bad input, not a
    server fault: report it as the invalid cursor it is."""
    try:
        yield
    except OverflowError as exc:
        raise InvalidInput("The cursor is not one this server issued.", field="cursor") from exc
