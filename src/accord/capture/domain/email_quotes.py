"""Separating what a reply says from the earlier messages it quotes and its signature.

A small rule set, each rule one compiled regular expression run over the whole text:
  * an attribution line, "On <date>, <person> wrote:" (wrapped over up to three lines,
    in the languages customers write in), followed by ">" lines or by the rest;
  * Outlook's "-----Original Message-----" and "From: ... Sent: ..." header blocks, and
    forwarded-message markers: everything after them is the earlier message;
  * any other line starting with ">" (an interleaved reply keeps its answers);
  * a signature after a "-- " line, a "Sent from my phone" line, or a sign-off such as
    "Best regards," followed by a few short lines (the name, a title, a phone number).
When nothing new is left, the whole text is the text: a bare forward still says something.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The verb of an attribution line ("Bob wrote:", "Am ... schrieb Bob:"), tested with
# `in` on the lower-cased line: an alternation regex tried at every position costs more.
_WROTE = ("wrote", "schrieb", "a écrit", "escribió", "escreveu", "ha scritto", "schreef",
          "skrev", "napisał", "pisze", "kirjoitti", "написал", "寫道", "写道", "のメッセージ")
ATTRIBUTION_CHARS = 300
_OPENER = re.compile(r"(?:On|Am|Le|El|Em|Il|Op|Den|Dne|På|W dniu|\u0412|Il giorno)\s",
                     re.IGNORECASE)
_ORIGINAL = re.compile(  # led by a literal, so the scan is fast; the line start is found after
    r"--+[ \t]*(?:original message|ursprüngliche nachricht|message d'origine"
    r"|mensaje original|messaggio originale|oorspronkelijk bericht|forwarded message"
    r"|weitergeleitete nachricht|message transféré|mensaje reenviado|mensagem original)"
    r"[ \t]*--", re.IGNORECASE)
_FORWARDED = re.compile(r"[ \t]*begin forwarded message:$", re.IGNORECASE)  # Apple Mail
_OUTLOOK = re.compile(  # run over "\n" + text: a leading literal makes the scan fast
    r"\n[ \t]*\*?(?:From|Von|De|Da|Van|Från|Fra|Od|Lähettäjä)[ \t]*:\*?[ \t]*\S[^\n]*\n"
    r"(?:[^\n]*\n){0,3}?"
    r"[ \t]*\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Fecha|Inviato|Data|Verzonden"
    r"|Skickat|Sendt|Lähetetty|Wysłano)[ \t]*:", re.IGNORECASE)
_UNDERSCORES = re.compile(r"\n[ \t]*_{10,}[ \t]*\n(?:[ \t]*\n)*\Z")
_QUOTED_LINE = re.compile(r"^>[^\n]*(?:\n|\Z)", re.MULTILINE)
_QUOTED_BLOCK = re.compile(r"(?:(?:>[^\n]*)?\n)*(?:>[^\n]*)?")
_COLON_AT_END = re.compile(r":$", re.MULTILINE)  # a cheap scan before the costly _WROTE

_MOBILE = re.compile(
    r"(?:sent from my \S+.*|sent from (?:outlook|mail for windows|yahoo mail|samsung).*"
    r"|get outlook for \S+.*|von meinem \S+ gesendet.*|envoyé de mon \S+.*"
    r"|enviado desde mi \S+.*|inviato da \S+.*)", re.IGNORECASE)
_SIGN_OFF = re.compile(
    r"[-\u2013\u2014\s]*(?:(?:best|kind|warm|warmest|many|with (?:best|kind)|all the)\s+)?"
    r"(?:regards|wishes|thanks|thank you|best|cheers|sincerely|yours sincerely|yours truly"
    r"|yours|respectfully|greetings|mit freundlichen grüßen|mit freundlichen grüssen"
    r"|viele grüße|beste grüße|liebe grüße|freundliche grüße|gruß|grüße|lg|vg|mfg"
    r"|cordialement|bien cordialement|bien à vous|salutations|saludos|un saludo|atentamente"
    r"|cordiali saluti|saluti|met vriendelijke groet|groeten|hälsningar"
    r"|med vänlig hälsning|mvh|pozdrawiam|thx|thanks again|thanks so much"
    r"|\u0441 уважением|\u0441 наилучшими пожеланиями|всего доброго)[ \t]*[,.!]*",
    re.IGNORECASE)
SIGNATURE_MAX_LINES = 30  # after a "-- " line
SIGN_OFF_MAX_LINES = 10  # after a sign-off: a name, a title, a phone number, an address
SIGN_OFF_LINE_CHARS = 80


@dataclass(frozen=True)
class ReplyParts:
    text: str
    quoted: str
    signature: str


def normalise_text(text: str) -> str:
    """One newline style, no trailing spaces, at most one blank line in a row."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join([line.rstrip() for line in text.split("\n")])
    while "\n\n\n" in text:  # str.replace beats a regex here by a factor of ten
        text = text.replace("\n\n\n\n", "\n\n").replace("\n\n\n", "\n\n")
    return text.strip("\n")


def split_reply(text: str) -> ReplyParts:
    """The new text of a message, apart from the quoted earlier messages and the
    signature; `text` is the whole text again when nothing else is left."""
    body = normalise_text(text)
    new, quoted = _split_quotes(body)
    new, signature = _split_signature(new.strip("\n"))
    if not new.strip():
        return ReplyParts(body, "", "")
    return ReplyParts(new.strip("\n"), quoted.strip("\n"), signature.strip("\n"))


def _attribution_start(body: str, line_start: int) -> int:
    """Start of the attribution ending on the line at `line_start`: that line or one of
    the two before it opens with "On"/"Am"/"Le"..., and no line between ends a sentence."""
    start = line_start
    for _ in range(3):
        if _OPENER.match(body, start):
            return start
        if start == 0 or body[start - 2:start - 1] in (".", "!", "?", "\n", ""):
            return -1
        start = body.rfind("\n", 0, start - 1) + 1
    return -1


def _quote_start(body: str) -> tuple[int, int]:
    """Where the quoted earlier message begins, and where its attribution line ends
    (-1 when the rest of the text is quoted, not only the ">" lines that follow)."""
    starts: list[tuple[int, int]] = []
    for colon in _COLON_AT_END.finditer(body):
        line_start = body.rfind("\n", 0, colon.start()) + 1
        if _FORWARDED.match(body, line_start, colon.end()):
            starts.append((line_start, -1))
            break
        line = body[max(line_start, colon.end() - ATTRIBUTION_CHARS):colon.end()].lower()
        if not any(verb in line for verb in _WROTE):
            continue
        start = _attribution_start(body, line_start)
        if start < 0 and body[colon.end():].lstrip("\n").startswith(">"):
            start = line_start  # "Bob Smith wrote:" followed by ">" lines
        if start >= 0:
            starts.append((start, colon.end()))
            break
    if (original := _ORIGINAL.search(body)) is not None:
        starts.append((_with_separator(body, body.rfind("\n", 0, original.start()) + 1), -1))
    if (outlook := _OUTLOOK.search("\n" + body)) is not None:
        starts.append((_with_separator(body, outlook.start()), -1))
    return min(starts) if starts else (-1, -1)


def _with_separator(body: str, start: int) -> int:
    """`start`, moved up over a line of underscores Outlook draws above its headers."""
    underscores = _UNDERSCORES.search(body, 0, start)
    return underscores.start() + 1 if underscores else start


def _split_quotes(body: str) -> tuple[str, str]:
    start, attribution_end = _quote_start(body)
    new, quoted = body, []
    if start >= 0:
        end = len(body)
        if attribution_end >= 0:
            after = body[attribution_end:]
            rest = after.lstrip("\n")
            if rest.startswith(">"):  # the quote is the ">" block; a reply below it is new
                block = _QUOTED_BLOCK.match(rest)
                end = attribution_end + (len(after) - len(rest)) + (block.end() if block else 0)
        quoted.append(body[start:end])
        new = body[:start] + "\n" + body[end:]
    if ">" in new:
        inline = _QUOTED_LINE.findall(new)
        if inline:
            quoted.insert(0, "".join(inline))
            new = _QUOTED_LINE.sub("", new)
    return new, "\n".join(q.strip("\n") for q in quoted)


def _split_signature(new: str) -> tuple[str, str]:
    lines = new.split("\n")
    count = len(lines)
    first = next((i for i, line in enumerate(lines) if line.strip()), count)
    for i in range(max(first + 1, count - SIGNATURE_MAX_LINES - 1), count):
        if lines[i] == "--":
            return "\n".join(lines[:i]), "\n".join(lines[i:])
    for i in range(max(first + 1, count - SIGN_OFF_MAX_LINES - 1), count):
        line = lines[i].strip()
        if not line or len(line) > SIGN_OFF_LINE_CHARS:
            continue
        if _MOBILE.fullmatch(line) or (
                _SIGN_OFF.fullmatch(line) and i < count - 1
                and all(len(x) <= SIGN_OFF_LINE_CHARS for x in lines[i + 1:])):
            return "\n".join(lines[:i]), "\n".join(lines[i:])
    return new, ""
