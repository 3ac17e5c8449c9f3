"""Twilio's webhooks: voice status callbacks and incoming SMS, form-encoded POSTs.

No session and no CSRF token: Twilio signs every request (X-Twilio-Signature) with the
account's auth token, and that signature is checked before anything is read. Answers:
404 for a source that does not exist, 403 for a missing or wrong signature, 400 naming
the field for a bad payload, 204 for a voice callback, an empty TwiML <Response/> for a
message (so Twilio sends no reply)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accord.capture.services import telephony
from accord.platform.errors import AccordError, NotFound

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
SIGNATURE_HEADER = "X-Twilio-Signature"


def _plain(status: int, message: str) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _receive(request: HttpRequest, source: str, kind: str,
             answer: Callable[[], HttpResponse]) -> HttpResponse:
    try:
        hook = telephony.twilio_hook(source)
    except NotFound as exc:
        return _plain(404, exc.message)
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return _plain(403, f"The request has no {SIGNATURE_HEADER} header.")
    if not telephony.signature_valid(hook, request.get_full_path(), request.POST, signature):
        # Not kept as a problem of the source: anybody can send these.
        logger.warning("Twilio %s webhook for %s: bad signature", kind, source)
        return _plain(403, f"{SIGNATURE_HEADER} does not match this request.")
    params = {name: request.POST.get(name, "") for name in request.POST}
    try:
        telephony.receive_twilio(hook=hook, kind=kind, params=params,
                                 queue=request.GET.get("queue", ""))
    except AccordError as exc:
        return _plain(exc.status, exc.message)
    return answer()


@csrf_exempt
@require_POST
def voice(request: HttpRequest, source: str) -> HttpResponse:
    """A voice status callback (or an <Enqueue> action: ?queue=NAME names the queue)."""
    return _receive(request, source, "voice", lambda: HttpResponse(status=204))


@csrf_exempt
@require_POST
def sms(request: HttpRequest, source: str) -> HttpResponse:
    """An incoming SMS or MMS."""
    return _receive(request, source, "sms",
                    lambda: HttpResponse(EMPTY_TWIML, content_type="text/xml; charset=utf-8"))
