"""Web server access logs in the combined log format (nginx's default ``combined``,
Apache's ``%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"``), or the common
format without the last two fields. Plain or gzip-compressed files, or a folder of them
(rotated logs). Pure reading: each line comes back as a hit or as the reason it could
not be read, with its file and line number; nothing is raised for a bad line."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

GZIP_MAGIC = b"\x1f\x8b"
MAX_BAD_LINES = 1000  # per file: past this it is not an access log, and we say so once

_QUOTED = r'"((?:[^"\\]|\\.)*)"'
_LINE = re.compile(
    r'^(?P<host>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]+)\] '
    + _QUOTED.replace("(", "(?P<request>", 1)
    + r' (?P<status>\d{3}) (?P<size>\d+|-)'
    + r'(?: ' + _QUOTED.replace("(", "(?P<referrer>", 1)
    + r' ' + _QUOTED.replace("(", "(?P<agent>", 1) + r')?'
    + r'(?: .*)?$')
_ESCAPE = re.compile(r'\\(x[0-9a-fA-F]{2}|.)')


@dataclass(frozen=True)
class LogHit:
    address: str  # the client (or the proxy's X-Forwarded-For, if the log format put it there)
    user: str  # the authenticated user (%u), "" for "-"
    at: datetime
    method: str
    target: str  # path and query, as requested
    status: int
    referrer: str
    user_agent: str


@dataclass(frozen=True)
class LogLine:
    ref: str  # "access.log line 17"
    hit: LogHit | None
    problem: str = ""


def _unescape(text: str) -> str:
    """nginx writes '"' as \\x22, Apache as \\"."""
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if len(code) == 3 and code[0] == "x":
            return chr(int(code[1:], 16))
        return {"n": "\n", "t": "\t"}.get(code, code)

    return _ESCAPE.sub(one, text)


def _field(value: str | None) -> str:
    return "" if value in (None, "-") else _unescape(value or "")


def parse_line(line: str) -> LogHit | str:
    """One log line as a hit, or the reason it is not one."""
    match = _LINE.match(line.rstrip("\r\n"))
    if match is None:
        return "not in the combined log format"
    try:
        at = datetime.strptime(match["time"], "%d/%b/%Y:%H:%M:%S %z")
    except ValueError:
        return f"unreadable time {match['time']!r}"
    request = _unescape(match["request"]).split(" ")
    if len(request) < 2 or not request[0].isalpha() or not request[1].startswith(("/", "http")):
        return f"unreadable request {match['request'][:80]!r}"
    return LogHit(address=match["host"], user=_field(match["user"]), at=at,
                  method=request[0].upper(), target=request[1], status=int(match["status"]),
                  referrer=_field(match["referrer"]), user_agent=_field(match["agent"]))


def log_files(path: Path) -> Iterator[Path]:
    """``path`` itself, or every file under it (hidden ones left out), in a stable order."""
    if path.is_dir():
        yield from sorted(p for p in path.rglob("*") if p.is_file()
                          and not any(part.startswith(".") for part in
                                      p.relative_to(path).parts))
    else:
        yield path


def _open_lines(path: Path) -> Iterator[str]:
    with path.open("rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    opener = gzip.open if compressed else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as lines:
        yield from lines


def read_log(path: Path) -> Iterator[LogLine]:
    """Every line of the log file(s) at ``path``, read or with its problem."""
    for file in log_files(path):
        bad = 0
        try:
            for number, line in enumerate(_open_lines(file), start=1):
                if not line.strip():
                    continue
                ref = f"{file.name} line {number}"
                parsed = parse_line(line)
                if isinstance(parsed, LogHit):
                    yield LogLine(ref, parsed)
                    continue
                bad += 1
                if bad > MAX_BAD_LINES:
                    yield LogLine(f"{file.name} line {number}", None,
                                  f"more than {MAX_BAD_LINES} unreadable lines: not an access "
                                  "log in the combined format? The rest of it is skipped")
                    break
                yield LogLine(ref, None, parsed)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            yield LogLine(str(file), None, f"cannot read: {getattr(exc, 'strerror', None) or exc}")
