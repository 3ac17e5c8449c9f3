"""Asterisk call detail records as cdr_csv writes them to Master.csv: one call leg a line.

The columns have no header. The first sixteen are always there (accountcode, src, dst,
dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration,
billsec, disposition, amaflags); cdr.conf then adds uniqueid (``loguniqueid``),
userfield (``loguserfield``) and peeraccount, linkedid, sequence (``newcdrcolumns``), in
that order. Which of them a file has is read from the number of columns (and, for 17 or
20, from whether the extra column looks like a uniqueid). A file exported with a header
line naming the columns is read by the names instead. Pure rules; time zone passed in."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from accord.platform.errors import InvalidInput

BASE_COLUMNS = ("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel",
                "lastapp", "lastdata", "start", "answer", "end", "duration", "billsec",
                "disposition", "amaflags")
NEW_COLUMNS = ("peeraccount", "linkedid", "sequence")
KNOWN_COLUMNS = frozenset((*BASE_COLUMNS, "uniqueid", "userfield", *NEW_COLUMNS))
REQUIRED = ("src", "dst", "start", "duration", "billsec", "disposition")
_UNIQUEID = re.compile(r"^(?:[\w.-]+-)?\d{9,}\.\d+$")  # 1700000000.42, or system-name-...
DISPOSITIONS = {"ANSWERED": "answered", "NO ANSWER": "no answer", "BUSY": "busy",
                "FAILED": "failed", "CONGESTION": "congestion"}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y/%m/%d %H:%M:%S")


def columns_for(row: Sequence[str]) -> tuple[str, ...]:
    """The column names of a header-less row, from how many columns it has."""
    n = len(row)
    if n < len(BASE_COLUMNS):
        raise InvalidInput(f"{n} columns; Master.csv lines have at least "
                           f"{len(BASE_COLUMNS)}.", field="columns")
    extra = n - len(BASE_COLUMNS)
    looks_unique = extra in (1, 4) and bool(_UNIQUEID.match(row[len(BASE_COLUMNS)].strip()))
    named: dict[int, tuple[str, ...]] = {
        0: (), 1: ("uniqueid",) if looks_unique else ("userfield",),
        2: ("uniqueid", "userfield"), 3: NEW_COLUMNS,
        4: (("uniqueid",) if looks_unique else ("userfield",)) + NEW_COLUMNS,
        5: ("uniqueid", "userfield", *NEW_COLUMNS)}
    if extra not in named:
        raise InvalidInput(f"{n} columns; Master.csv lines have 16 to 21.", field="columns")
    return BASE_COLUMNS + named[extra]


def header_columns(row: Sequence[str]) -> tuple[str, ...] | None:
    """The column names when ``row`` is a header line (it names src, dst and start)."""
    names = tuple(cell.strip().lower() for cell in row)
    if {"src", "dst", "start"} <= set(names):
        return names
    return None


@dataclass(frozen=True)
class CallRecord:
    """One CDR line, read."""

    external_id: str  # uniqueid[/sequence], or a digest of the line when there is none
    src: str
    dst: str
    caller_name: str
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    duration_seconds: int  # dial to hangup
    billed_seconds: int  # answer to hangup: the talk
    disposition: str  # answered, no answer, busy, failed, congestion
    queue: str  # the queue's name when the call went through Queue()
    wait_seconds: int
    fields: dict[str, str]  # the rest, as Asterisk named them

    @property
    def answered(self) -> bool:
        return self.disposition == "answered"


def _time(values: dict[str, str], name: str, zone: tzinfo, *,
          optional: bool = False) -> datetime | None:
    raw = values.get(name, "").strip()
    if not raw:
        if optional:
            return None
        raise InvalidInput(f"{name} is empty.", field=name)
    for layout in TIME_FORMATS:
        try:
            return datetime.strptime(raw, layout).replace(tzinfo=zone)
        except ValueError:
            continue
    raise InvalidInput(f"{name} {raw[:40]!r} is not a date and time (YYYY-MM-DD HH:MM:SS).",
                       field=name)


def _seconds(values: dict[str, str], name: str) -> int:
    raw = values.get(name, "").strip()
    if not raw.isdigit():
        raise InvalidInput(f"{name} {raw[:40]!r} is not a whole number of seconds.", field=name)
    return int(raw)


_CLID_NAME = re.compile(r'^\s*"?([^"<]*?)"?\s*<[^>]*>\s*$')


def caller_name(clid: str) -> str:
    """'"Ada Lovelace" <07911123456>' -> 'Ada Lovelace'; '' when it gives no name."""
    match = _CLID_NAME.match(clid)
    name = match.group(1).strip() if match else ""
    return "" if name.replace("+", "").isdigit() else name


def queue_of(lastapp: str, lastdata: str) -> str:
    """The queue a call waited in: Queue()'s first argument (',' since Asterisk 1.6,
    '|' before)."""
    if lastapp.strip().lower() != "queue":
        return ""
    return re.split(r"[,|]", lastdata, maxsplit=1)[0].strip()[:100]


def parse_record(row: Sequence[str], columns: Sequence[str], zone: tzinfo) -> CallRecord:
    """One line under ``columns``; InvalidInput names the column that is wrong."""
    if len(row) != len(columns):
        raise InvalidInput(f"{len(row)} columns where the file has {len(columns)}.",
                           field="columns")
    values = {name: cell for name, cell in zip(columns, row, strict=True)}
    for name in REQUIRED:
        if name not in values:
            raise InvalidInput(f"The file has no {name} column.", field=name)
    started = _time(values, "start", zone)
    assert started is not None  # not optional
    answered = _time(values, "answer", zone, optional=True)
    ended = _time(values, "end", zone, optional=True)
    duration = _seconds(values, "duration")
    billed = _seconds(values, "billsec")
    if billed > duration:
        raise InvalidInput(f"billsec {billed} is longer than duration {duration}.",
                           field="billsec")
    raw_disposition = values["disposition"].strip().upper()
    if not raw_disposition:
        raise InvalidInput("disposition is empty.", field="disposition")
    disposition = DISPOSITIONS.get(raw_disposition, raw_disposition.lower()[:30])
    queue = queue_of(values.get("lastapp", ""), values.get("lastdata", ""))
    return CallRecord(
        external_id=record_id(values, row), src=values["src"].strip(),
        dst=values["dst"].strip(), caller_name=caller_name(values.get("clid", "")),
        started_at=started, answered_at=answered, ended_at=ended,
        duration_seconds=duration, billed_seconds=billed, disposition=disposition,
        queue=queue, wait_seconds=wait_seconds(started, answered, duration, billed, queue),
        fields={k: v.strip()[:200] for k, v in values.items()
                if k in KNOWN_COLUMNS and k not in REQUIRED and v.strip()})


def wait_seconds(started: datetime, answered: datetime | None, duration: int, billed: int,
                 queue: str) -> int:
    """How long the caller waited: in a queue, the part of the call not talked
    (duration - billsec: Queue() answers the line at once, the agent comes later);
    otherwise the ringing before the answer, or the whole call when nobody answered."""
    if queue or answered is None:
        return max(duration - billed, 0)
    return max(int((answered - started).total_seconds()), 0)


def record_id(values: dict[str, str], row: Sequence[str]) -> str:
    """uniqueid, with the sequence when the file has it (Asterisk 12+ writes several
    records for one channel); lines without a uniqueid are known by their content."""
    unique = values.get("uniqueid", "").strip()
    if unique:
        sequence = values.get("sequence", "").strip()
        return f"{unique}/{sequence}"[:255] if sequence else unique[:255]
    digest = hashlib.sha256("\x1f".join(row).encode()).hexdigest()
    return f"sha256:{digest}"
