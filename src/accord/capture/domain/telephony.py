"""Calls and text messages: which side of a call is the organisation, what a Twilio
callback says, which callback wins when they repeat, and what an SMS keyword asks for.

Pure rules; the phone numbers are normalised by the customers app's identity rules
(phonenumbers, E.164) so a number written three ways is one customer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from accord.customers.domain.identities import NormalisedIdentity, is_junk, normalise_phone
from accord.platform.errors import InvalidInput


class Side(StrEnum):
    OWN = "own"  # one of the organisation's lines, an extension, a staff softphone
    EXTERNAL = "external"  # a real phone number outside: a customer or a prospect
    UNKNOWN = "unknown"  # withheld, "anonymous", or not a number at all


# How carriers and PBXs write a withheld caller id.
WITHHELD = frozenset({"", "anonymous", "unknown", "restricted", "private", "unavailable",
                      "+266696687", "266696687", "0", "-"})


@dataclass(frozen=True)
class PhoneRules:
    """The organisation's own lines (E.164) and how to read the rest: numbers in national
    format are read in ``region``; on a PBX, all-digit numbers of up to
    ``extension_digits`` digits are internal extensions."""

    own_numbers: frozenset[str] = frozenset()
    region: str = "GB"
    extension_digits: int = 0  # 0: no extensions (Twilio); 4-6 on a typical PBX

    @classmethod
    def build(cls, own_numbers: Iterable[str], *, region: str,
              extension_digits: int = 0) -> PhoneRules:
        """Rules with every own number normalised; InvalidInput names the bad one."""
        numbers = {own_number(raw, region=region, index=i)
                   for i, raw in enumerate(own_numbers) if raw.strip()}
        return cls(frozenset(numbers), region.upper(), extension_digits)


def own_number(raw: str, *, region: str, index: int = 0) -> str:
    """One of the organisation's lines as E.164, or InvalidInput naming it."""
    where = f"settings.own_numbers[{index}]"
    return normalise_phone(raw, default_region=region, field=where).value


# A call's numbers are read several times per callback, and the same few numbers (our
# lines, regular callers) over and over: parsing one costs ~0.3 ms of phonenumbers.
@lru_cache(maxsize=8192)
def phone_of(raw: str, region: str) -> NormalisedIdentity | None:
    """The number as a normalised phone identity, or None when it is not a usable one
    (withheld, a SIP address, too short, or a placeholder such as 0000000)."""
    text = raw.strip()
    if text.lower() in WITHHELD or not any(c.isdigit() for c in text):
        return None
    if text.lower().startswith(("sip:", "client:")):
        return None
    try:
        identity = normalise_phone(text, default_region=region)
    except InvalidInput:
        return None
    return None if is_junk(identity) else identity


def side_of(raw: str, rules: PhoneRules) -> Side:
    """Whose end of a call ``raw`` is."""
    text = raw.strip()
    lowered = text.lower()
    if lowered.startswith("client:"):  # a Twilio Client softphone: a member of staff
        return Side.OWN
    digits = text.lstrip("+")
    if rules.extension_digits and digits.isdigit() and len(digits) <= rules.extension_digits:
        return Side.OWN
    if rules.extension_digits and text and lowered not in WITHHELD and not any(
            c.isdigit() for c in text):
        return Side.OWN  # a PBX's own targets: "s", "h", "voicemail"
    phone = phone_of(text, rules.region)
    if phone is None:
        return Side.UNKNOWN
    return Side.OWN if phone.value in rules.own_numbers else Side.EXTERNAL


@dataclass(frozen=True)
class CallSides:
    """Which way a call or message went, and the number of the customer on it."""

    direction: str  # inbound, outbound, internal
    customer_number: str  # as written; "" when internal
    customer_role: str  # caller or callee (sender or recipient for a message)
    line: str  # the organisation's end, as written
    problem: str = ""  # why no customer can be read (withheld caller), else ""


def call_sides(from_raw: str, to_raw: str, rules: PhoneRules, *, hint: str = "",
               message: bool = False) -> CallSides:
    """Direction from which side is ours: from us -> outbound, to us -> inbound, both
    ours -> internal. When neither number is a configured line, ``hint`` (Twilio's
    Direction: inbound, outbound-api, outbound-dial) decides, else inbound."""
    caller, callee = ("sender", "recipient") if message else ("caller", "callee")
    ours_from = side_of(from_raw, rules) is Side.OWN
    ours_to = side_of(to_raw, rules) is Side.OWN
    if ours_from and ours_to:
        return CallSides("internal", "", "", from_raw)
    outbound = ours_from or (not ours_to and hint.startswith("outbound"))
    if outbound:
        sides = CallSides("outbound", to_raw, callee, from_raw)
    else:
        sides = CallSides("inbound", from_raw, caller, to_raw)
    if side_of(sides.customer_number, rules) is Side.UNKNOWN:
        who = "callee" if outbound else "caller"
        shown = sides.customer_number.strip() or "empty"
        return CallSides(sides.direction, "", sides.customer_role, sides.line,
                         problem=f"the {who}'s number is withheld or unreadable ({shown})")
    return sides


# ---------------------------------------------------------------------------------------
# Call progress: the order of Twilio's call statuses, and what each one means at the end.

STATUS_ORDER = {"queued": 0, "initiated": 1, "ringing": 2, "in-progress": 3, "answered": 3,
                "completed": 4, "busy": 4, "no-answer": 4, "canceled": 4, "failed": 4}
FINAL_STATUSES = frozenset(s for s, rank in STATUS_ORDER.items() if rank == 4)
# Disposition in the words Asterisk's CDRs use, lower-cased, so both sources read alike.
DISPOSITIONS = {"completed": "answered", "in-progress": "answered", "answered": "answered",
                "busy": "busy", "no-answer": "no answer", "canceled": "no answer",
                "failed": "failed"}


def disposition_of(status: str) -> str:
    """'answered', 'no answer', 'busy', 'failed', or '' while the call is not over."""
    return DISPOSITIONS.get(status, "") if status in FINAL_STATUSES else ""


def supersedes(new_status: str, new_sequence: int | None, old: Mapping[str, Any]) -> bool:
    """Whether a callback should replace what a stored call says. Twilio numbers a call's
    callbacks (SequenceNumber) and may deliver them out of order: the higher number wins;
    without numbers, the later status (ringing < in-progress < completed) does. A final
    status is never replaced by an earlier one."""
    old_status = str(old.get("status") or "")
    old_sequence = old.get("sequence")
    if new_sequence is not None and isinstance(old_sequence, int):
        return new_sequence > old_sequence
    return STATUS_ORDER.get(new_status, -1) > STATUS_ORDER.get(old_status, -1)


@dataclass(frozen=True)
class VoiceCallback:
    """One of Twilio's voice callbacks (a status callback, or the action of <Enqueue>)."""

    call_sid: str
    account_sid: str
    from_number: str
    to_number: str
    status: str
    direction_hint: str
    at: datetime  # when Twilio says it happened (Timestamp), else when it arrived
    duration_seconds: int | None = None
    wait_seconds: int | None = None
    queue: str = ""
    sequence: int | None = None
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def started_at(self) -> datetime:
        """When the call began: a final callback's Timestamp is its end."""
        if self.status in FINAL_STATUSES and self.duration_seconds:
            return self.at - timedelta(seconds=self.duration_seconds)
        return self.at


@dataclass(frozen=True)
class InboundSms:
    message_sid: str
    account_sid: str
    from_number: str
    to_number: str
    body: str
    num_media: int = 0
    media: tuple[dict[str, str], ...] = ()
    segments: int | None = None


def required(params: Mapping[str, str], name: str, *, empty_ok: bool = False) -> str:
    """A form field Twilio always sends; InvalidInput naming it when it is missing."""
    value = params.get(name)
    if value is None or (not empty_ok and not value.strip()):
        raise InvalidInput(f"The request has no {name}.", field=name)
    return value.strip() if not empty_ok else value


def _count(params: Mapping[str, str], name: str) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidInput(f"{name} must be a whole number of seconds, not {raw!r}.",
                           field=name)
    return int(raw)


def twilio_time(raw: str, received_at: datetime) -> datetime:
    """Twilio's Timestamp (RFC 2822, 'Mon, 16 Aug 2010 03:45:01 +0000'); the moment it
    arrived when absent or unreadable (the callback is news of now)."""
    if raw.strip():
        try:
            parsed = parsedate_to_datetime(raw.strip())
        except (TypeError, ValueError, IndexError):
            return received_at
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return received_at


_SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")


def _sid(params: Mapping[str, str], name: str) -> str:
    value = required(params, name)
    if not _SID.match(value):
        raise InvalidInput(f"{name} {value[:40]!r} is not a Twilio id (two letters and 32 "
                           "hex digits).", field=name)
    return value


# Callback fields worth keeping beside the call, as Twilio names them.
VOICE_EXTRAS = ("CallerName", "ForwardedFrom", "ParentCallSid", "CallbackSource",
                "AnsweredBy", "SipResponseCode", "QueueResult", "QueueSid", "RecordingUrl")


def parse_voice(params: Mapping[str, str], *, received_at: datetime,
                queue: str = "") -> VoiceCallback:
    """A voice callback's form fields; InvalidInput names the first missing or bad one.
    ``queue`` comes from the webhook URL (?queue=support) for an <Enqueue> action."""
    status = required(params, "CallStatus").lower()
    if status not in STATUS_ORDER:
        raise InvalidInput(f"Unknown CallStatus {status[:40]!r}.", field="CallStatus")
    sequence = _count(params, "SequenceNumber")
    return VoiceCallback(
        call_sid=_sid(params, "CallSid"), account_sid=_sid(params, "AccountSid"),
        from_number=required(params, "From", empty_ok=True).strip(),
        to_number=required(params, "To", empty_ok=True).strip(),
        status=status, direction_hint=(params.get("Direction") or "").strip().lower(),
        at=twilio_time(params.get("Timestamp") or "", received_at),
        duration_seconds=_count(params, "CallDuration"),
        wait_seconds=_count(params, "QueueTime"), queue=queue.strip()[:100],
        sequence=sequence,
        extras={k: params[k][:500] for k in VOICE_EXTRAS if params.get(k)})


MAX_MEDIA = 10  # Twilio sends at most ten media items with a message


def parse_sms(params: Mapping[str, str]) -> InboundSms:
    """An incoming message's form fields; Body may be empty (a picture message)."""
    media_count = _count(params, "NumMedia") or 0
    media = tuple({"url": params.get(f"MediaUrl{i}", "")[:500],
                   "content_type": params.get(f"MediaContentType{i}", "")[:100]}
                  for i in range(min(media_count, MAX_MEDIA)) if params.get(f"MediaUrl{i}"))
    return InboundSms(
        message_sid=_sid(params, "MessageSid"), account_sid=_sid(params, "AccountSid"),
        from_number=required(params, "From"), to_number=required(params, "To"),
        body=required(params, "Body", empty_ok=True), num_media=media_count, media=media,
        segments=_count(params, "NumSegments"))


def call_metadata(call: VoiceCallback, old: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What the stored call says after this callback: the newer callback's status and
    duration; facts only some callbacks carry (time in queue, the queue) are kept."""
    data: dict[str, Any] = dict(old or {})
    data.update({"call_sid": call.call_sid, "status": call.status,
                 "disposition": disposition_of(call.status), "from": call.from_number,
                 "to": call.to_number})
    optional: dict[str, Any] = {"duration_seconds": call.duration_seconds,
                                "wait_seconds": call.wait_seconds, "queue": call.queue,
                                "sequence": call.sequence, **call.extras}
    data.update({k: v for k, v in optional.items() if v not in (None, "")})
    if not data["disposition"]:
        del data["disposition"]
    return data


# ---------------------------------------------------------------------------------------
# SMS keywords. Carriers and Twilio treat a message that is exactly one of these words
# (any case, surrounding space and punctuation ignored) as a request about consent.

OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
OPT_IN_WORDS = frozenset({"start", "yes", "unstop"})


def sms_consent(body: str) -> bool | None:
    """False for an opt-out keyword, True for an opt-in keyword, None otherwise."""
    word = body.strip().strip(".!?,;:'\"").strip().lower()
    if word in OPT_OUT_WORDS:
        return False
    if word in OPT_IN_WORDS:
        return True
    return None
