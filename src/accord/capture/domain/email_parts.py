"""Walking a parsed message's MIME tree: the body text, the attachments, the DSN fields.

The stdlib parser has already split the parts; this decides which text is *the* body
(text/plain preferred over HTML in an alternative, inline text parts of a mixed message
joined) and which parts are files, decodes each once, and notes what was broken."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from email.message import Message
from email.parser import Parser
from email.policy import Compat32

from accord.capture.domain.email_text import decode_bytes, decode_header_text, html_to_text

MAX_DEPTH = 40  # deeper nesting is an attack or a loop, never real mail
_MIME_TYPES = mimetypes.MimeTypes()  # the built-in table only: the same on every machine
_EXTENSIONS = {"text/calendar": ".ics", "message/delivery-status": ".txt",
               "text/rfc822-headers": ".txt"}
_DSN_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})


class _RawHeaders(Compat32):
    """compat32 parsing (fast and lenient), header values handed back exactly as read:
    raw 8-bit bytes stay escaped so `email_text` can read them as UTF-8 (RFC 6532)
    instead of compat32 wrapping them as unknown-8bit."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value


RAW_HEADERS = _RawHeaders()
_HEADER_BLOCKS = Parser(policy=RAW_HEADERS)


@dataclass(frozen=True)
class MailAttachment:
    filename: str  # decoded; "part-3.bin" when the message names none
    content_type: str
    content: bytes
    inline: bool  # shown inside the body (has a Content-ID, not disposed as attachment)
    content_id: str  # without <>, "" if none


@dataclass
class MessageParts:
    """What the walk found; `text` is the whole body text, quotes and signature included."""

    text: str = ""
    body_source: str = ""  # the body as written (HTML before conversion), for stable ids
    from_html: bool = False
    attachments: list[MailAttachment] = field(default_factory=list)
    dsn_fields: list[dict[str, str]] = field(default_factory=list)  # one per recipient block
    has_dsn: bool = False
    defects: list[str] = field(default_factory=list)


@dataclass
class _Walk:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    parts: MessageParts = field(default_factory=MessageParts)
    count: int = 0


def collect_parts(message: Message) -> MessageParts:
    """The body text, attachments and delivery-status fields of `message`; never raises
    for broken MIME, it records a defect and keeps what it could read."""
    walk = _Walk()
    _visit(walk, message, body=True, depth=0)
    parts = walk.parts
    if walk.plain:
        parts.text = parts.body_source = "\n\n".join(walk.plain)
    elif walk.html:
        parts.body_source = "\n\n".join(walk.html)
        parts.text = "\n\n".join(html_to_text(h, "HTML body", parts.defects) for h in walk.html)
        parts.from_html = True
    return parts


def _note_defects(walk: _Walk, part: Message, where: str) -> None:
    for defect in part.defects:
        doc = (type(defect).__doc__ or type(defect).__name__).strip().splitlines()[0]
        detail = str(defect)
        walk.parts.defects.append(f"{where}: {doc}" + (f" ({detail})" if detail else ""))


def _visit(walk: _Walk, part: Message, *, body: bool, depth: int) -> None:
    index = walk.count
    walk.count += 1
    if depth > MAX_DEPTH:
        walk.parts.defects.append(f"part {index}: MIME nesting deeper than {MAX_DEPTH}; ignored")
        return
    ctype = part.get_content_type()
    where = "message" if index == 0 else f"part {index} ({ctype})"
    try:
        _visit_part(walk, part, ctype, index, where, body=body, depth=depth)
    except Exception as exc:  # the stdlib trips over some hostile headers; keep the rest
        walk.parts.defects.append(f"{where}: could not be read ({type(exc).__name__})")
    if part.defects:
        _note_defects(walk, part, where)


def _visit_part(walk: _Walk, part: Message, ctype: str, index: int, where: str, *,
                body: bool, depth: int) -> None:
    if ctype in _DSN_TYPES:
        _read_dsn(walk, part)
        return
    if part.is_multipart():  # get_payload() of a leaf would decode it: not needed here
        payload = part.get_payload()
        children = [c for c in payload if isinstance(c, Message)] if isinstance(
            payload, list) else []
        if ctype.startswith("message/"):  # an attached message: one file
            _add_attachment(walk, part, ctype, index, where,
                            message_bytes=_message_bytes(children))
            return
        chosen = _body_child(ctype, children) if body else -1
        for i, child in enumerate(children):
            _visit(walk, child, body=body and (chosen < 0 or i == chosen), depth=depth + 1)
        return
    if ctype.startswith("multipart/"):  # no boundary found: its body is all there is
        ctype = "text/plain"
    if ctype in ("text/plain", "text/html") and not _is_file(part):
        if body:
            data = part.get_payload(decode=True)
            text = decode_bytes(data if isinstance(data, bytes) else b"",
                                _charset(part, where, walk.parts.defects), where,
                                walk.parts.defects)
            (walk.plain if ctype == "text/plain" else walk.html).append(text)
        # else: the other rendering of an alternative, or text inside a related part
        return
    _add_attachment(walk, part, ctype, index, where)


def _charset(part: Message, where: str, defects: list[str]) -> str | None:
    try:
        return part.get_content_charset()
    except (UnicodeError, LookupError, ValueError):  # a charset label in raw 8-bit bytes
        defects.append(f"{where}: unreadable charset parameter")
        return None


def _is_file(part: Message) -> bool:
    """Disposed as an attachment, or named: most body parts have neither header, and
    the plain look-up spares them the parameter parsing."""
    disposition = part.get("Content-Disposition")
    if disposition is None and "name" not in str(part.get("Content-Type", "")).lower():
        return False
    return part.get_content_disposition() == "attachment" or bool(part.get_filename())


def _body_child(ctype: str, children: list[Message]) -> int:
    """Index of the child holding the body in a multipart of `ctype`; -1: every child
    may (mixed). An alternative's plain text wins; related and report lead with theirs."""
    if ctype == "multipart/alternative":
        kinds = [_text_kinds(child) for child in children]
        for wanted in ("text/plain", "text/html"):
            for i, held in enumerate(kinds):
                if wanted in held:
                    return i
        return len(children) - 1
    if ctype in ("multipart/related", "multipart/report"):
        return 0
    return -1


def _text_kinds(part: Message) -> set[str]:
    """The body text types (not attached files) found in `part` and below."""
    return {t for p in part.walk()
            if (t := p.get_content_type()) in ("text/plain", "text/html") and not _is_file(p)}


def _message_bytes(children: list[Message]) -> bytes:
    try:
        return children[0].as_bytes() if children else b""
    except Exception:  # a message too broken to write back out
        return b""


def _add_attachment(walk: _Walk, part: Message, ctype: str, index: int, where: str,
                    message_bytes: bytes | None = None) -> None:
    if message_bytes is not None:
        content = message_bytes
    else:
        data = part.get_payload(decode=True)
        content = data if isinstance(data, bytes) else b""
    name = part.get_filename()
    filename = decode_header_text(name, where, walk.parts.defects).strip() if name else ""
    # A name, never a path; no control characters (NUL is refused by PostgreSQL).
    filename = "".join(c if c.isprintable() and c not in "/\\" else "_" for c in filename)
    if not filename:
        ext = _EXTENSIONS.get(ctype) or _MIME_TYPES.guess_extension(ctype) or ".bin"
        filename = f"part-{index}{ext}"
    raw_cid = part.get("Content-ID")
    content_id = "".join(decode_header_text(str(raw_cid), where, walk.parts.defects).split()
                         ).strip("<>") if raw_cid else ""
    inline = bool(content_id) and part.get_content_disposition() != "attachment"
    walk.parts.attachments.append(MailAttachment(
        filename=filename, content_type=ctype, content=content, inline=inline,
        content_id=content_id))


def _read_dsn(walk: _Walk, part: Message) -> None:
    """The per-recipient blocks of a delivery-status part (RFC 3464), as header dicts.
    The parser splits message/delivery-status into blocks itself; the global variant
    (RFC 6533, UTF-8) arrives as one message whose body holds the remaining blocks."""
    walk.parts.has_dsn = True
    blocks: list[Message] = []
    if part.is_multipart():
        payload = part.get_payload()
        blocks = [b for b in payload if isinstance(b, Message)] if isinstance(
            payload, list) else []
        if len(blocks) == 1:
            blocks += _header_blocks(blocks[0].get_payload(decode=True))
    else:
        blocks = _header_blocks(part.get_payload(decode=True))
    for block in blocks:
        fields = {k.lower(): " ".join(decode_header_text(str(v), "delivery-status",
                                                          walk.parts.defects).split())
                  for k, v in block.items()}
        if "final-recipient" in fields or "original-recipient" in fields:
            walk.parts.dsn_fields.append(fields)


def _header_blocks(data: object) -> list[Message]:
    if not isinstance(data, bytes):
        return []
    text = data.decode("utf-8", "replace").replace("\r\n", "\n")
    return [_HEADER_BLOCKS.parsestr(chunk, headersonly=True)
            for chunk in text.split("\n\n") if chunk.strip()]
