"""One raw email (RFC 5322 bytes) read into the facts Accord records about it.

`parse_email` never raises for what arrives in real mailboxes (broken MIME, unknown
charsets, no headers at all, binary junk): it keeps what it can read and lists the rest
in `defects`. The stdlib parser splits the message; see `email_parts` (MIME tree),
`email_text` (charsets, encoded words, HTML), `email_quotes` (quotes and signatures)
and `email_kinds` (auto-replies, bounces, bulk mail).

The parse uses the stdlib's compat32 policy, with header values handed back as read,
rather than `email.policy.default`: the default policy re-parses every header each time
it is asked for one (the parser itself asks for Content-Type a dozen times a message),
which makes it four times slower than compat32 on realistic mail
(benchmarks/email_parsing.py) and alone too slow for the rate the import must reach.
Headers are decoded here with the stdlib's own `decode_header` and `getaddresses`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from accord.capture.domain.email_kinds import (
    KIND_HEADERS,
    MailKind,
    classify,
    is_unsubscribe_request,
    list_id_of,
)
from accord.capture.domain.email_parts import (
    RAW_HEADERS,
    MailAttachment,
    MessageParts,
    collect_parts,
)
from accord.capture.domain.email_quotes import split_reply
from accord.capture.domain.email_text import decode_header_text, unfold_raw
from accord.platform.errors import InvalidInput

__all__ = ["MailAddress", "MailAttachment", "MailKind", "ParsedEmail", "parse_email"]


@dataclass(frozen=True)
class MailAddress:
    name: str  # display name, decoded ("José Müller"), may be ""
    address: str  # addr-spec as written (normalised elsewhere)


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str  # without <>; "sha256:..." of the content when the message has none
    has_message_id: bool
    subject: str
    sent_at: datetime | None  # aware, UTC
    sender: MailAddress | None
    to: tuple[MailAddress, ...]
    cc: tuple[MailAddress, ...]
    reply_to: tuple[MailAddress, ...]
    in_reply_to: str
    references: tuple[str, ...]
    thread_key: str  # the thread's root: first of References, else In-Reply-To, else own id
    text: str  # the new text: quotes of earlier messages and the signature removed
    quoted: str
    signature: str
    from_html: bool
    attachments: tuple[MailAttachment, ...]
    kind: MailKind
    kind_reason: str
    bounced_recipients: tuple[str, ...]
    list_id: str
    unsubscribe_request: bool
    defects: tuple[str, ...]


_PARSER = BytesParser(policy=RAW_HEADERS)
_ANGLE_ID = re.compile(r"<\s*([^<>]*?)\s*>")
# C0 controls other than tab and newlines: never text, and NUL is refused by PostgreSQL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")
_BODY_NOISE = re.compile(r"[\s>]+")  # what mbox quoting, IMAP and line ends change
_ADDR_SPEC = r"[^\s<>\"(),;:@\\\[\]]+@[^\s<>\"(),;:@\\\[\]]+"
_MAILBOX = re.compile(  # one list item: "Name" <addr> | Name <addr> | addr | (empty)
    rf'\s*(?:(?:"([^"\\]*)"|([^"<>(),;:@\\\[\]]*?))\s*<({_ADDR_SPEC})>|({_ADDR_SPEC}))?\s*'
    r"(?:,|\Z)")


def parse_email(raw: bytes) -> ParsedEmail:
    """Read one message from its raw bytes. Raises InvalidInput only when `raw` is not
    bytes; every problem inside the message is reported in `defects` instead."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise InvalidInput(f"An email must be given as bytes, not {type(raw).__name__}.",
                           field="raw")
    data = raw if isinstance(raw, bytes) else bytes(raw)
    defects: list[str] = []
    if not data.strip():
        defects.append("message is empty")
    try:
        message = _PARSER.parsebytes(data)
    except Exception as exc:  # the parser is lenient; this is a last resort
        defects.append(f"message could not be parsed ({type(exc).__name__})")
        message = _PARSER.parsebytes(b"")
    parts = collect_parts(message)
    defects += parts.defects
    return _assemble(message, parts, defects)


class _Headers:
    """The top-level header values as read, indexed once (Message.get scans them all)."""

    def __init__(self, message: Message) -> None:
        self.values: dict[str, list[str]] = {}
        for name, value in message.items():
            self.values.setdefault(name.lower(), []).append(str(value))

    def first(self, name: str) -> str | None:
        found = self.values.get(name.lower())
        return found[0] if found else None

    def unfolded(self, name: str, defects: list[str]) -> str | None:
        """The value unfolded, raw 8-bit bytes decoded, encoded words left alone."""
        value = self.first(name)
        return None if value is None else unfold_raw(value, f"{name} header", defects)

    def text(self, name: str, defects: list[str]) -> str:
        value = self.first(name)
        if value is None:
            return ""
        return " ".join(decode_header_text(value, f"{name} header", defects).split())


def _simple_mailboxes(value: str) -> list[tuple[str, str]] | None:
    """The common shapes ("Name <a@b>", "a@b", "\"Last, First\" <a@b>", comma lists of
    them) read with one regular expression; None sends anything else (comments, groups,
    escapes, routes) to the stdlib's full RFC 5322 parser."""
    found: list[tuple[str, str]] = []
    position, end = 0, len(value)
    while position < end:
        match = _MAILBOX.match(value, position)
        if match is None or match.end() == position:
            return None
        if match.group(3) or match.group(4):
            found.append((match.group(1) or match.group(2) or "",
                          match.group(3) or match.group(4)))
        position = match.end()
    return found


def _addresses(headers: _Headers, name: str, defects: list[str]) -> tuple[MailAddress, ...]:
    values = headers.values.get(name.lower())
    if not values:
        return ()
    where = f"{name} header"
    pairs: list[tuple[str, str]] = []
    for value in values:
        text = unfold_raw(value, where, defects)
        simple = _simple_mailboxes(text)
        if simple is not None:
            pairs += simple
            continue
        try:
            pairs += getaddresses([text])
        except Exception:  # getaddresses has tripped over hostile input in some releases
            defects.append(f"{where}: addresses could not be read")
    found: list[MailAddress] = []
    for display, address in pairs:
        address = _CONTROL.sub("", "".join(address.split()))
        if not address:
            continue
        if "=?" in display:
            display = decode_header_text(display, where, defects)
        found.append(MailAddress(" ".join(_CONTROL.sub("", display).split()), address))
    return tuple(found)


def _ids(value: str | None) -> tuple[str, ...]:
    """Message ids in a Message-ID/In-Reply-To/References value, without <>."""
    if not value:
        return ()
    value = "".join(value.splitlines())
    value = _CONTROL.sub("", value)
    found = ["".join(m.split()) for m in _ANGLE_ID.findall(value)]
    if not found:  # some clients leave the brackets out
        found = [token.strip("<>") for token in value.split()]
    return tuple(dict.fromkeys(i for i in found if i))


def _sent_at(headers: _Headers, defects: list[str]) -> datetime | None:
    value = headers.first("Date")
    if value is None or not value.strip():
        return None
    try:
        moment = parsedate_to_datetime(" ".join(value.split()))
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.append(f"Date header: {' '.join(value.split())[:60]!r} is not a date")
        return None
    if moment.tzinfo is None:  # "-0000" or no zone: the sender did not say; take UTC
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        defects.append("Date header: out of range")
        return None


def _report_type(message: Message) -> str:
    if message.get_content_type() != "multipart/report":
        return ""
    value = message.get_param("report-type")
    return value.strip().lower() if isinstance(value, str) else ""


def _stable_id(sent_at: datetime | None, headers: _Headers, sender: MailAddress | None,
               to: tuple[MailAddress, ...], subject: str, parts: MessageParts) -> str:
    """An id for a message without Message-ID, the same wherever the message was read
    from (mbox, Maildir, IMAP): the content that no mail store rewrites, normalised."""
    date = sent_at.isoformat() if sent_at else " ".join((headers.first("Date") or "").split())
    canonical = "\n".join([
        date,
        sender.address.lower() if sender else "",
        ",".join(sorted(a.address.lower() for a in to)),
        subject,
        _BODY_NOISE.sub("", parts.body_source),
        ",".join(f"{a.filename}:{len(a.content)}" for a in parts.attachments),
    ])
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8", "replace")).hexdigest()


def _assemble(message: Message, parts: MessageParts, defects: list[str]) -> ParsedEmail:
    headers = _Headers(message)
    subject = _CONTROL.sub("", headers.text("Subject", defects))
    sent_at = _sent_at(headers, defects)
    senders = _addresses(headers, "From", defects)
    sender = senders[0] if senders else None
    to = _addresses(headers, "To", defects)
    own_ids = _ids(headers.unfolded("Message-ID", defects))
    in_reply_to = _ids(headers.unfolded("In-Reply-To", defects))
    references = _ids(headers.unfolded("References", defects))
    message_id = own_ids[0] if own_ids else _stable_id(sent_at, headers, sender, to, subject,
                                                         parts)
    kind_headers = {name: headers.text(name, defects) for name in KIND_HEADERS
                    if name in headers.values}
    reply = split_reply(_CONTROL.sub("", parts.text))
    decision = classify(headers=kind_headers, sender=sender.address if sender else "",
                        subject=subject, report_type=_report_type(message),
                        has_dsn=parts.has_dsn, dsn_fields=parts.dsn_fields, text=parts.text)
    return ParsedEmail(
        message_id=message_id, has_message_id=bool(own_ids), subject=subject,
        sent_at=sent_at, sender=sender, to=to, cc=_addresses(headers, "Cc", defects),
        reply_to=_addresses(headers, "Reply-To", defects),
        in_reply_to=in_reply_to[0] if in_reply_to else "", references=references,
        thread_key=(references or in_reply_to or (message_id,))[0],
        text=reply.text, quoted=reply.quoted, signature=reply.signature,
        from_html=parts.from_html, attachments=tuple(parts.attachments),
        kind=decision.kind, kind_reason=decision.reason,
        bounced_recipients=decision.bounced_recipients,
        list_id=list_id_of(kind_headers.get("list-id", "")),
        unsubscribe_request=decision.kind is MailKind.NORMAL
        and is_unsubscribe_request(subject, reply.text),
        defects=tuple(dict.fromkeys(defects)))
