"""What kind of mail a message is: a person's, an auto-reply, a bounce, or bulk mail;
and whether a person is asking to be unsubscribed.

Bounce beats auto-reply beats bulk: a bounce of a newsletter is first of all a bounce."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class MailKind(StrEnum):
    NORMAL = "normal"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    BULK = "bulk"


@dataclass(frozen=True)
class KindDecision:
    kind: MailKind
    reason: str = ""
    bounced_recipients: tuple[str, ...] = ()


# The headers `classify` reads, lower-cased; the caller passes their decoded values.
KIND_HEADERS = ("auto-submitted", "x-autoreply", "x-autorespond", "x-autoresponder",
                "precedence", "list-id", "list-unsubscribe", "x-failed-recipients")
DAEMON_LOCALPARTS = frozenset({"mailer-daemon", "postmaster", "mail-daemon"})
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery status notification|delivery failure|failure notice|returned mail"
    r"|mail delivery failed|delivery has failed|could not be delivered|unzustellbar"
    r"|non remis|non distribuable|nicht zugestellt", re.IGNORECASE)
_AUTO_SUBJECT = re.compile(
    r"\s*(?:automatic reply|auto[- ]?reply|autoresponse|auto[- ]?response|auto\s*:"
    r"|out of (?:the )?office|ooo\b|i am out of (?:the )?office|abwesenheitsnotiz"
    r"|automatische antwort|abwesend|réponse automatique|absence du bureau"
    r"|respuesta automática|fuera de la oficina|risposta automatica|fuori sede"
    r"|automatisch antwoord|afwezig|frånvaro|autosvar)", re.IGNORECASE)
_ADDRESS = r"[^\s<>()\[\]@,;:\"']+@[^\s<>()\[\]@,;:\"']+\.[^\s<>()\[\]@,;:\"'.]+"
# Where a classic bounce names a failed recipient: alone on a line (exim, qmail,
# Exchange), "<addr>: reason" (postfix), or after RCPT TO / "delivered to".
_FAILED_ADDRESS = re.compile(
    rf"^[ \t]*<?({_ADDRESS})>?[ \t]*(?:\([^)\n]*\))?[ \t]*:?[ \t]*$"
    rf"|^[ \t]*<({_ADDRESS})>:"
    rf"|(?:RCPT TO:|delivered to|delivery to|recipient:)[ \t]*<?({_ADDRESS})>?",
    re.IGNORECASE | re.MULTILINE)
_RETURNED_COPY = re.compile(
    r"^(?:.*(?:copy of the (?:original )?message|original message follows|below this line is"
    r"|original message headers|message headers follow)|received:|-+ ?original message ?-+)",
    re.IGNORECASE | re.MULTILINE)
BOUNCE_TEXT_SCANNED = 20_000  # the human part of a bounce is short; the copy is not

_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|aw|sv|antw|ref)\s*:)+\s*", re.IGNORECASE)
_REQUEST = (
    r"(?:please\s+)?(?:unsubscribe(?:\s+me)?|(?:remove|take)\s+me)"
    r"(?:\s+(?:off|from)\s+(?:your|this|the|all|my)?\s*(?:mailing\s+|e-?mail\s+|news)?"
    r"(?:list|letter|newsletter|emails?|mailings?)s?)?(?:,?\s+please)?[.!]*")
_UNSUBSCRIBE_SUBJECT = re.compile(
    rf"{_REQUEST}|unsubscribe[\s:_-]+[\w\-=.@+%/]{{1,200}}|abmelden|austragen"
    r"|désabonnement|désinscription|se désabonner|se désinscrire|darse de baja", re.IGNORECASE)
_UNSUBSCRIBE_TEXT = re.compile(
    rf"{_REQUEST}|list-unsubscribe=one-click|bitte (?:abmelden|austragen)[.!]*", re.IGNORECASE)
UNSUBSCRIBE_TEXT_CHARS = 200  # a request is one sentence; longer mail merely mentions it


def classify(*, headers: Mapping[str, str], sender: str, subject: str, report_type: str,
             has_dsn: bool, dsn_fields: Sequence[Mapping[str, str]], text: str) -> KindDecision:
    """The kind of a message from its headers, sender address, subject and body text."""
    return (_bounce(headers, sender, subject, report_type, has_dsn, dsn_fields, text)
            or _auto_reply(headers, subject, report_type) or _bulk(headers)
            or KindDecision(MailKind.NORMAL))


def list_id_of(value: str) -> str:
    """The identifier of a List-Id header (RFC 2919): what stands between <>."""
    inner = re.search(r"<([^<>]*)>", value)
    return ("".join(inner.group(1).split()) if inner else value.strip()).strip()


def _dsn_address(value: str) -> str:
    """`rfc822; user@example.com` -> `user@example.com`."""
    address = value.partition(";")[2] if ";" in value else value
    return "".join(address.split()).strip("<>")


def _bounce(headers: Mapping[str, str], sender: str, subject: str, report_type: str,
            has_dsn: bool, dsn_fields: Sequence[Mapping[str, str]],
            text: str) -> KindDecision | None:
    if has_dsn or report_type == "delivery-status":
        failed: list[str] = []
        actions: set[str] = set()
        for fields in dsn_fields:
            action = (fields.get("action", "").split() or [""])[0].lower()
            actions.add(action or "unstated")
            if action == "failed" or (not action and fields.get("status", "").startswith("5")):
                address = _dsn_address(fields.get("final-recipient")
                                       or fields.get("original-recipient", ""))
                if address and address not in failed:
                    failed.append(address)
        reason = f"DSN ({'multipart/report' if report_type else 'message/delivery-status'})"
        if not failed and actions:
            reason += f", action {', '.join(sorted(actions))}"
        return KindDecision(MailKind.BOUNCE, reason, tuple(failed))
    if failed_header := headers.get("x-failed-recipients", "").strip():
        recipients = tuple(dict.fromkeys(a.strip("<> ") for a in failed_header.split(",")
                                         if a.strip("<> ")))
        return KindDecision(MailKind.BOUNCE, f"X-Failed-Recipients: {failed_header}",
                            recipients)
    local = sender.rpartition("@")[0].lower() if "@" in sender else sender.lower()
    if local not in DAEMON_LOCALPARTS:
        return None
    recipients = _failed_in_text(text, sender)
    if recipients or _BOUNCE_SUBJECT.search(subject):
        return KindDecision(MailKind.BOUNCE, f"bounce from {sender} (no DSN)", recipients)
    return None


def _failed_in_text(text: str, sender: str) -> tuple[str, ...]:
    human = text[:BOUNCE_TEXT_SCANNED]
    copy = _RETURNED_COPY.search(human)
    if copy:
        human = human[:copy.start()]
    found: dict[str, None] = {}
    for match in _FAILED_ADDRESS.finditer(human):
        address = next(g for g in match.groups() if g)
        local = address.rpartition("@")[0].lower()
        if address.lower() != sender.lower() and local not in DAEMON_LOCALPARTS:
            found.setdefault(address)
    return tuple(found)


def _auto_reply(headers: Mapping[str, str], subject: str,
                report_type: str) -> KindDecision | None:
    submitted = headers.get("auto-submitted", "").split(";")[0].strip().lower()
    if submitted and submitted != "no":
        return KindDecision(MailKind.AUTO_REPLY, f"Auto-Submitted: {submitted}")
    for name, label in (("x-autoreply", "X-Autoreply"), ("x-autorespond", "X-Autorespond"),
                        ("x-autoresponder", "X-Autoresponder")):
        value = headers.get(name)
        if value is not None and value.strip().lower() not in ("no", "false", "0"):
            return KindDecision(MailKind.AUTO_REPLY, f"{label}: {value.strip()}".rstrip(": "))
    if headers.get("precedence", "").strip().lower() == "auto_reply":
        return KindDecision(MailKind.AUTO_REPLY, "Precedence: auto_reply")
    if report_type == "disposition-notification":
        return KindDecision(MailKind.AUTO_REPLY, "MDN (read receipt)")
    if _AUTO_SUBJECT.match(subject):
        return KindDecision(MailKind.AUTO_REPLY, f"Subject: {subject[:80]}")
    return None


def _bulk(headers: Mapping[str, str]) -> KindDecision | None:
    if list_id := list_id_of(headers.get("list-id", "")):
        return KindDecision(MailKind.BULK, f"List-Id: <{list_id}>")
    if "list-unsubscribe" in headers:
        return KindDecision(MailKind.BULK, "List-Unsubscribe header")
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in ("bulk", "list", "junk"):
        return KindDecision(MailKind.BULK, f"Precedence: {precedence}")
    return None


def is_unsubscribe_request(subject: str, new_text: str) -> bool:
    """True for a person's (or their mail client's mailto:) request to be taken off a
    list: a subject or a short text that is nothing but the request. Conservative: a
    message that merely mentions unsubscribing is not one."""
    bare_subject = _REPLY_PREFIX.sub("", subject).strip()
    if bare_subject and _UNSUBSCRIBE_SUBJECT.fullmatch(bare_subject):
        return True
    text = " ".join(new_text.split())
    return len(text) <= UNSUBSCRIBE_TEXT_CHARS and bool(_UNSUBSCRIBE_TEXT.fullmatch(text))
