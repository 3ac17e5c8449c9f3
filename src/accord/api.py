"""The REST API at /api/v1 (django-ninja): authentication, the one error shape, routers.

Every error answers ``{"error": {"code", "message", "field"}}`` with a stable code; the
mapping from Accord's error tree to HTTP lives here and nowhere else."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from accord.accounts.api import router as accounts_router
from accord.accounts.services import user_for_token
from accord.analytics.api import router as analytics_router
from accord.capture.api import router as capture_router
from accord.customers.api import router as customers_router
from accord.interactions.api import router as interactions_router
from accord.platform.errors import AccordError
from accord.transactions.api import router as transactions_router


class TokenAuth(HttpBearer):
    """``Authorization: Bearer acc_...``: a personal API token (hashed at rest)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class BrowserSessionAuth(SessionAuth):
    """The pages' login session, CSRF-checked on writes. Without a session cookie it
    declines quietly, so a request with a bad token gets 401, not a CSRF complaint."""

    def __call__(self, request: HttpRequest) -> Any:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super().__call__(request)


api = NinjaAPI(
    title="Accord API",
    version="1",
    description="Customers, their unified timeline across every channel, and transactions. "
    "Authenticate with a session (the pages) or `Authorization: Bearer <token>` "
    "(`accord token --user U`). Errors answer `{\"error\": {\"code\", \"message\", "
    "\"field\"}}`.",
    auth=[TokenAuth(), BrowserSessionAuth()],
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, code: str, message: str,
           field: str | None = None) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "field": field}}, status=status)


@api.exception_handler(AccordError)
def _accord_error(request: HttpRequest, exc: AccordError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.field)


def _field_of(loc: list[Any]) -> str | None:
    # ninja locations look like ["body", "payload", "participants", 0, "role"].
    parts = [p for p in loc if p not in ("body", "query", "path", "payload", "form")]
    if not parts:
        return None
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    field = _field_of(list(first.get("loc", [])))
    message = str(first.get("msg", "Invalid input."))
    if first.get("type") == "json_invalid":
        field, message = None, "The request body is not valid JSON."
    return _error(request, 400, "invalid_input",
                  f"{field}: {message}" if field else message, field)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "Sign in or send a valid API token.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "invalid_input", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 429: "throttled"}.get(
        exc.status_code, "error")
    return _error(request, exc.status_code, code, str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


api.add_router("/", accounts_router)
api.add_router("/customers", customers_router)
api.add_router("/", interactions_router)
api.add_router("/transactions", transactions_router)
api.add_router("/", capture_router)
api.add_router("/analytics", analytics_router)
