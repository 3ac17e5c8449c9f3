"""Calls and text messages onto the timeline of the customer on the other end: Twilio's
webhooks (voice status callbacks, incoming SMS) and Asterisk's call detail records.

A call is found again by its id (CallSid, the CDR's uniqueid): Twilio repeats a call's
callbacks as it rings, is answered and ends, and the stored call follows the newest of
them. The organisation's own numbers are never customers; an unknown number becomes a
customer, waits in the queue or is ignored as the source says."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import F
from twilio.request_validator import RequestValidator

from accord.capture.domain.sources import SourceKind, SourceStatus
from accord.capture.domain.telephony import (
    InboundSms,
    PhoneRules,
    VoiceCallback,
    call_metadata,
    call_sides,
    own_number,
    parse_sms,
    parse_voice,
    phone_of,
    sms_consent,
    supersedes,
)
from accord.capture.events import OptOutRequested
from accord.capture.models import Source
from accord.capture.services.imap_sync import as_list
from accord.capture.services.reports import record_problem
from accord.customers import selectors as customer_selectors
from accord.customers import services as customer_services
from accord.customers.domain.identities import NormalisedIdentity
from accord.interactions import selectors as interaction_selectors
from accord.interactions import services as interaction_services
from accord.platform import clock, sealed
from accord.platform.actors import SYSTEM
from accord.platform.errors import AccordError, Conflict, InvalidInput, NotFound
from accord.platform.events import publish

logger = logging.getLogger(__name__)

TWILIO_SOURCE = "twilio"  # one (source, external_id) space: CallSid (CA...), MessageSid
CDR_SOURCE = "asterisk"  # uniqueid[/sequence] of Asterisk's call detail records
TWILIO_SETTINGS = {"public_url", "own_numbers", "account_sid"}
TWILIO_SECRETS = {"auth_token"}
_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")


def clean_settings(values: dict[str, Any], secrets: dict[str, Any]) -> dict[str, Any]:
    """A Twilio source: the base URL Twilio calls (it is part of what Twilio signs), the
    organisation's own numbers, optionally the account it must come from; the auth token
    is the one secret."""
    unknown = sorted(set(values) - TWILIO_SETTINGS)
    if unknown:
        raise InvalidInput(f"Unknown Twilio setting {unknown[0]!r}.",
                           field=f"settings.{unknown[0]}")
    if set(secrets) - TWILIO_SECRETS:
        raise InvalidInput("Twilio sources keep only an auth_token secret.", field="secrets")
    token = secrets.get("auth_token")
    if not isinstance(token, str) or not token.strip():
        raise InvalidInput("A Twilio source needs the account's auth token: Twilio signs "
                           "every webhook with it.", field="secrets.auth_token")
    public_url = str(values.get("public_url") or "").strip().rstrip("/")
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query \
            or parts.fragment:
        raise InvalidInput("public_url must be the address Twilio calls, such as "
                           "https://crm.example.com (no query).", field="settings.public_url")
    region = _region()
    numbers = [own_number(raw, region=region, index=i)
               for i, raw in enumerate(as_list(values.get("own_numbers"), "own_numbers"))]
    account = str(values.get("account_sid") or "").strip()
    if account and not _ACCOUNT_SID.match(account):
        raise InvalidInput("account_sid is AC followed by 32 hex digits.",
                           field="settings.account_sid")
    return {"public_url": public_url, "own_numbers": sorted(set(numbers)),
            "account_sid": account}


def _region() -> str:
    from django.conf import settings

    return str(settings.DEFAULT_PHONE_REGION)


@dataclass(frozen=True)
class TwilioHook:
    """A Twilio source as a webhook needs it (the auth token in clear, for checking)."""

    source_id: int
    name: str
    public_url: str
    account_sid: str
    rules: PhoneRules
    unknown: str
    status: str
    auth_token: str = field(repr=False)

    @property
    def origin(self) -> str:
        return f"twilio:{self.name}"


def twilio_hook(name: str) -> TwilioHook:
    """The Twilio source named ``name``; NotFound when there is none."""
    row = (Source.objects.filter(name=name, kind=SourceKind.TWILIO)
           .values("id", "name", "settings", "sealed_secrets", "unknown_senders", "status")
           .first())
    if row is None:
        raise NotFound(f"No Twilio source named {name!r}.", field="source")
    values = row["settings"] if isinstance(row["settings"], dict) else {}
    token = _auth_token(row["sealed_secrets"])
    if not token:
        logger.warning("Twilio source %s: no auth token can be unsealed", name)
    return TwilioHook(
        source_id=row["id"], name=row["name"], public_url=str(values.get("public_url", "")),
        account_sid=str(values.get("account_sid") or ""),
        rules=PhoneRules(frozenset(values.get("own_numbers") or ()), _region()),
        unknown=row["unknown_senders"], status=row["status"], auth_token=token)


# Keyed by the sealed text, so a new token (new sealed text) is read at once.
@lru_cache(maxsize=64)
def _auth_token(sealed_text: str) -> str:
    try:
        return str(sealed.unseal(sealed_text).get("auth_token") or "")
    except InvalidInput:  # sealed under another secret key: nothing can be verified
        return ""


def signature_valid(hook: TwilioHook, path: str, params: Any, signature: str) -> bool:
    """Twilio's X-Twilio-Signature, checked as Twilio documents it (the full URL as
    configured, then the POST fields sorted by name, HMAC-SHA1 with the auth token,
    base64), by Twilio's own validator, which compares in constant time."""
    if not hook.auth_token or not signature:
        return False
    return bool(RequestValidator(hook.auth_token).validate(hook.public_url + path, params,
                                                           signature))


# ---------------------------------------------------------------------------------------
# One call or message onto the timeline, whichever source it came from.


@dataclass(frozen=True)
class PhoneItem:
    namespace: str  # TWILIO_SOURCE or CDR_SOURCE
    external_id: str
    channel: str  # call or sms
    from_number: str
    to_number: str
    occurred_at: datetime
    metadata: dict[str, Any]
    direction_hint: str = ""
    caller_name: str = ""
    text: str = ""


@dataclass
class PhoneOutcome:
    status: str  # captured, updated, present, skipped
    interaction_id: int | None = None
    reason: str = ""
    customer_id: int | None = None
    created_customer: bool = False


@dataclass(frozen=True)
class PhoneParty:
    """Who is on the other end of a call or message, decided before anything is written
    (reads only, so a webhook holds SQLite's write lock for its inserts alone)."""

    direction: str = ""
    role: str = ""
    line: str = ""
    phone: NormalisedIdentity | None = None
    customer_id: int | None = None
    skip: str = ""  # why it lands nowhere: between own lines, a withheld number


def decide_party(item: PhoneItem, rules: PhoneRules) -> PhoneParty:
    sides = call_sides(item.from_number, item.to_number, rules, hint=item.direction_hint,
                       message=item.channel == "sms")
    if sides.direction == "internal":
        return PhoneParty(skip="between the organisation's own lines")
    phone = phone_of(sides.customer_number, rules.region) if not sides.problem else None
    if phone is None:
        return PhoneParty(skip=sides.problem or "no customer number")
    return PhoneParty(sides.direction, sides.customer_role, sides.line, phone,
                      customer_selectors.find_by_identity(phone))


def record_phone_item(*, actor: Any, item: PhoneItem, party: PhoneParty, unknown: str,
                      origin: str) -> PhoneOutcome:
    """Record one call or message on ``party``'s timeline (a customer is made for an
    unknown number when ``unknown`` is "create"); "present" when it was stored before.
    Call inside a transaction."""
    if party.phone is None:
        return PhoneOutcome("skipped", reason=party.skip or "no customer number")
    customer_id, created = party.customer_id, False
    if customer_id is None and unknown == "create":
        # The caller id name (CNAM, the CDR's clid) names the caller: on an outbound
        # call that is our own member of staff.
        name = item.caller_name if party.role in ("caller", "sender") else ""
        customer_id, created = _new_customer(actor, party.phone.value, party.phone.display,
                                             name, item.namespace)
    metadata = {**item.metadata, "from": item.from_number, "to": item.to_number,
                "line": party.line, "origin": origin}
    if customer_id is None:
        metadata["unmatched"] = unknown  # queue: waits for review; ignore: stays unlinked
    # The party is decided, so the lean path for connectors records it: a webhook's whole
    # budget is a few milliseconds (benchmarks/webhooks.py).
    captured = interaction_services.CapturedInteraction(
        channel=item.channel, direction=party.direction, occurred_at=item.occurred_at,
        source=item.namespace, external_id=item.external_id, text=item.text,
        participants=[(customer_id, party.role, party.phone.display)], metadata=metadata)
    try:
        with transaction.atomic():
            [interaction_id] = interaction_services.record_captured(actor=actor,
                                                                    items=[captured])
    except IntegrityError:  # stored before (a repeated webhook, a re-imported record)
        stored = interaction_selectors.find_recorded(item.namespace, item.external_id)
        if stored is None:
            raise
        return PhoneOutcome("present", stored, "already captured")
    return PhoneOutcome("captured", interaction_id, customer_id=customer_id,
                        created_customer=created)


def capture_phone_item(*, actor: Any, item: PhoneItem, rules: PhoneRules, unknown: str,
                       origin: str) -> PhoneOutcome:
    """Decide and record one call or message (imports: inside the caller's
    transaction). Calls between own lines and withheld numbers are skipped."""
    return record_phone_item(actor=actor, item=item, party=decide_party(item, rules),
                             unknown=unknown, origin=origin)


def _new_customer(actor: Any, value: str, display: str, name: str,
                  source: str) -> tuple[int | None, bool]:
    """A customer for an unknown number; when a concurrent request made one first for the
    same number, that one."""
    try:
        with transaction.atomic():
            customer = customer_services.create_customer(
                actor=actor, kind="person", display_name=(name.strip() or display)[:200],
                identities=[("phone", value)], source=source)
        return int(customer.pk), True
    except (Conflict, InvalidInput):
        again = phone_of(value, _region())
        return (customer_selectors.find_by_identity(again) if again else None), False


# ---------------------------------------------------------------------------------------
# Twilio's webhooks.


def capture_voice(*, actor: Any, hook: TwilioHook, call: VoiceCallback) -> PhoneOutcome:
    """A voice callback: the first one records the call, later ones bring it up to date
    (status, duration, time in queue)."""
    if interaction_selectors.find_recorded(TWILIO_SOURCE, call.call_sid) is None:
        item = PhoneItem(namespace=TWILIO_SOURCE, external_id=call.call_sid, channel="call",
                         from_number=call.from_number, to_number=call.to_number,
                         occurred_at=call.started_at, metadata=call_metadata(call),
                         direction_hint=call.direction_hint,
                         caller_name=call.extras.get("CallerName", ""))
        party = decide_party(item, hook.rules)
        with transaction.atomic():
            outcome = record_phone_item(actor=actor, item=item, party=party,
                                        unknown=hook.unknown, origin=hook.origin)
            if outcome.status == "present":  # a concurrent callback recorded it
                outcome = _update_call(actor, call) or outcome
            _count(hook, outcome.status)
        return outcome
    with transaction.atomic():
        outcome = _update_call(actor, call) or PhoneOutcome("present")
        _count(hook, outcome.status)
    return outcome


def _update_call(actor: Any, call: VoiceCallback) -> PhoneOutcome | None:
    """Bring a stored call up to date with this callback; None when it is not stored.
    Reads the call locked: concurrent callbacks of one call apply one after the other."""
    stored = (interaction_selectors.recorded(TWILIO_SOURCE, call.call_sid).select_for_update()
              .values("id", "metadata", "occurred_at", "subject", "text").first())
    if stored is None:
        return None
    old = stored["metadata"] if isinstance(stored["metadata"], dict) else {}
    if supersedes(call.status, call.sequence, old):
        metadata = call_metadata(call, old)
    else:  # an older callback may still know the queue or the wait
        metadata = {**old, **{k: v for k, v in (("wait_seconds", call.wait_seconds),
                                                 ("queue", call.queue))
                              if v not in (None, "") and k not in old}}
    started = min(stored["occurred_at"], call.started_at)
    if metadata == old and started == stored["occurred_at"]:
        return PhoneOutcome("present", stored["id"], "nothing new")
    interaction_services.update_interaction_content(
        actor=actor, interaction_id=stored["id"], subject=stored["subject"],
        text=stored["text"], occurred_at=started, metadata=metadata)
    return PhoneOutcome("updated", stored["id"])


def capture_sms(*, actor: Any, hook: TwilioHook, sms: InboundSms,
                opt_out_type: str = "") -> PhoneOutcome:
    """An incoming message, once per MessageSid. STOP/START (or Twilio's own OptOutType)
    from a customer is published as an opt-out/opt-in request, once."""
    metadata: dict[str, Any] = {"message_sid": sms.message_sid}
    if sms.num_media:
        metadata.update(num_media=sms.num_media, media=list(sms.media))
    if sms.segments:
        metadata["segments"] = sms.segments
    consent = {"STOP": False, "START": True}.get(opt_out_type.strip().upper(),
                                                 sms_consent(sms.body))
    if consent is not None:
        metadata["consent_keyword"] = "opt_in" if consent else "opt_out"
    item = PhoneItem(namespace=TWILIO_SOURCE, external_id=sms.message_sid, channel="sms",
                     from_number=sms.from_number, to_number=sms.to_number,
                     occurred_at=clock.now(), metadata=metadata, text=sms.body)
    party = decide_party(item, hook.rules)
    with transaction.atomic():
        outcome = record_phone_item(actor=actor, item=item, party=party,
                                    unknown=hook.unknown, origin=hook.origin)
        if outcome.status == "captured" and outcome.customer_id is not None \
                and consent is not None:
            publish(OptOutRequested(customer_id=outcome.customer_id, channel="sms",
                                    opt_in=consent, source=hook.origin,
                                    interaction_id=outcome.interaction_id))
        _count(hook, outcome.status)
    return outcome


def receive_twilio(*, hook: TwilioHook, kind: str, params: Mapping[str, str],
                   queue: str = "") -> PhoneOutcome:
    """A verified webhook's fields (``kind`` voice or sms) onto the timeline. Bad fields
    raise InvalidInput naming the field, and are kept as a problem of the source."""
    item = params.get("CallSid") or params.get("MessageSid") or "request"
    try:
        if hook.account_sid and params.get("AccountSid") != hook.account_sid:
            raise InvalidInput("AccountSid is not this source's Twilio account.",
                               field="AccountSid")
        if kind == "voice":
            call = parse_voice(params, received_at=clock.now(), queue=queue)
            return capture_voice(actor=SYSTEM, hook=hook, call=call)
        return capture_sms(actor=SYSTEM, hook=hook, sms=parse_sms(params),
                           opt_out_type=params.get("OptOutType") or "")
    except AccordError as exc:
        where = f"{exc.field}: " if exc.field else ""
        _problem(hook, f"{kind} {item}"[:500], f"{where}{exc.message}")
        raise
    except Exception as exc:
        logger.exception("Twilio %s webhook for %s failed", kind, hook.name)
        _problem(hook, f"{kind} {item}"[:500], f"unexpected error ({type(exc).__name__})")
        raise


def _problem(hook: TwilioHook, item: str, reason: str) -> None:
    record_problem(source_id=hook.source_id, origin=hook.origin, item=item, reason=reason)
    Source.objects.filter(pk=hook.source_id).update(rejected=F("rejected") + 1,
                                                    updated_at=clock.now())


def _count(hook: TwilioHook, status: str) -> None:
    """The source's health and counts, in the item's transaction: a receiving source is
    healthy when its last webhook was taken."""
    now = clock.now()
    changes: dict[str, Any] = {"captured": F("captured") + 1} if status == "captured" else \
        {"skipped": F("skipped") + 1}
    if hook.status not in (SourceStatus.OK, SourceStatus.PAUSED):
        changes.update(status=SourceStatus.OK, last_error="")
    Source.objects.filter(pk=hook.source_id).update(
        last_sync_at=now, last_success_at=now, updated_at=now, **changes)
