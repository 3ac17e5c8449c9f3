"""Turning the bytes and encoded words of a message into text, whatever it declares.

Every decoder here falls back instead of raising: the declared charset first (read as
the superset mail clients really use, as browsers do), then UTF-8, then cp1252 with
replacement characters. Each fallback is written down as a defect for the caller."""

from __future__ import annotations

import binascii
import codecs
import functools
import html
import re
from email.errors import HeaderParseError
from email.header import decode_header

from inscriptis import get_text

# Labels mail clients write for one charset but mean its superset (WHATWG encoding
# standard): decoding with the narrower codec fails on text every client displays fine.
_SUPERSETS = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "iso-8859-9": "cp1254", "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "shift_jis": "cp932", "shift-jis": "cp932",
    "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932", "tis-620": "cp874",
    "iso-8859-11": "cp874", "big5": "big5hkscs", "us-ascii": "utf-8", "ascii": "utf-8",
    "ansi_x3.4-1968": "utf-8", "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8",
}
# Codecs that decode to text but are escape notations, not charsets: a label naming one
# is treated like an unknown charset.
_NOT_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "idna", "punycode",
                           "undefined"})
# Codecs for which pure-ASCII bytes read as themselves, so the ASCII fast path is exact.
_ASCII_SAFE = frozenset({"utf-8", "cp1252", "iso8859-15", "cp1250", "cp1251", "cp1254",
                         "koi8-r", "koi8-u", "iso8859-2", "gb18030", "cp932", "cp949",
                         "euc_jp", "big5hkscs", "cp874", "iso8859-5", "iso8859-7"})

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


@functools.lru_cache(maxsize=256)
def _codec_name(label: str) -> str | None:
    """Python's codec name for a charset label, or None when it names no charset."""
    label = label.strip().strip("\"'").lower().partition("*")[0]  # RFC 2231 "utf-8*en"
    label = _SUPERSETS.get(label, label) or "utf-8"
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    # bytes-to-bytes codecs (base64, zlib, ...) are flagged so by CPython since 3.4
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def decode_bytes(data: bytes, charset: str | None, where: str, defects: list[str]) -> str:
    """Text of `data` written in `charset` (None: not declared); never raises."""
    name = _codec_name(charset or "utf-8")
    if data.isascii() and (name is None or name in _ASCII_SAFE):
        if name is None:
            defects.append(f"{where}: unknown charset {charset!r}; read as ASCII")
        return data.decode("ascii")
    if name is None:
        defects.append(f"{where}: unknown charset {charset!r}; read as UTF-8 or cp1252")
    else:
        try:
            return data.decode(name)
        except (UnicodeError, LookupError):
            if name != "utf-8":
                defects.append(f"{where}: not valid {charset}; read as UTF-8 or cp1252")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", "replace")
        if name == "utf-8":
            declared = charset or "UTF-8 (no charset declared)"
            defects.append(f"{where}: not valid {declared}; read as cp1252")
    return text


def _unescape_raw(value: str, where: str, defects: list[str]) -> str:
    """Header text whose raw 8-bit bytes the parser kept as surrogate escapes: UTF-8 is
    allowed in headers (RFC 6532); anything else is read as cp1252."""
    try:
        raw = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
    return decode_bytes(raw, "utf-8", where, defects)


def unfold_raw(value: str, where: str, defects: list[str]) -> str:
    """A header value as read, unfolded, its raw 8-bit bytes decoded (encoded words kept)."""
    value = "".join(value.splitlines())
    return value if value.isascii() else _unescape_raw(value, where, defects)


def decode_header_text(value: str, where: str, defects: list[str]) -> str:
    """A header value unfolded, its raw 8-bit bytes and encoded words (RFC 2047) decoded."""
    value = unfold_raw(value, where, defects)
    if "=?" not in value:
        return value
    try:
        chunks = decode_header(value)
    except (HeaderParseError, binascii.Error, ValueError):
        defects.append(f"{where}: malformed encoded word; kept as written")
        return value
    out: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
        elif charset is None:
            # decode_header hands unencoded runs back as raw-unicode-escape bytes.
            try:
                out.append(chunk.decode("raw-unicode-escape"))
            except UnicodeDecodeError:
                out.append(chunk.decode("latin-1"))
        else:
            out.append(decode_bytes(chunk, str(charset), where, defects))
    return "".join(out)


def html_to_text(markup: str, where: str, defects: list[str]) -> str:
    """Readable text of an HTML body (scripts and styles dropped), by inscriptis; a crude
    tag strip when the HTML cannot be parsed at all."""
    markup = _XML_DECLARATION.sub("", markup.replace("\x00", ""), count=1)
    try:
        text: str = get_text(markup)
    except Exception as exc:  # lxml raises several types on hostile markup
        defects.append(f"{where}: HTML could not be parsed ({type(exc).__name__}); tags stripped")
        text = html.unescape(_TAG.sub(" ", _SCRIPT_STYLE.sub(" ", markup)))
    return text
