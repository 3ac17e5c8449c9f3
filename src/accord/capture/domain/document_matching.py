"""Who sent a letter or fax, from what its text says: pure rules, no database.

Two steps. ``find_clues`` reads the text for emails, phone numbers (phonenumbers'
matcher, default region passed in), customer numbers and other reference-shaped tokens,
postal address lines and names. The capture service looks the clues up among customers'
identities and hands the hits back as ``Evidence``; ``decide`` weighs them into matched
(one customer, with the evidence), ambiguous (candidates with scores) or unmatched.

A name alone is weak evidence (many people share one); an email, a phone number, a
labelled customer number or the full postal address is strong."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import phonenumbers

from accord.capture.domain.addresses import AddressRules, is_own, is_role
from accord.customers.domain.identities import (
    fold_text,
    is_junk,
    normalise_address,
    normalise_email,
)
from accord.platform.errors import InvalidInput

# Evidence weights: a sum per customer over the best clue of each kind.
WEIGHTS = {
    "email": 1.0,
    "reference": 1.0,  # a token after "customer number", "account no." ...
    "phone": 0.9,
    "address": 0.8,  # the postal address as stored
    "address_similar": 0.6,  # close to a stored address (an OCR slip or two)
    "token": 0.5,  # an id-shaped token that is some customer's external id, unlabelled
    "name": 0.3,
}
STRONG = 0.8  # a candidate with this much is matched unless a rival is close
MARGIN = 0.3  # how far ahead of the runner-up the winner must be
MAX_CANDIDATES = 5
ADDRESS_SIMILARITY = 0.85

HEAD_LINES = 30  # sender details sit in the letterhead ...
TAIL_LINES = 12  # ... or under the signature
MAX_TOKENS = 60

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_LABELLED_REF = re.compile(
    r"(?i)\b(?:customer|client|account|member|membership|policy|contract|kunden|konto)"
    r"[\s-]*(?:number|no\.?|nr\.?|num\.?|id|ref(?:erence)?|nummer)?\s*[:#.]?\s*"
    r"([A-Za-z0-9][A-Za-z0-9:/._-]{1,60}[A-Za-z0-9])")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9:/._-]{2,60}[A-Za-z0-9]")
_UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_ZIP_TOWN = re.compile(r"(?:\b\d{4,5}\s+[^\W\d_]{2,}|\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b)")
_CLOSINGS = re.compile(
    r"(?i)^(?:yours\s+(?:sincerely|faithfully|truly)|kind(?:est)?\s+regards|best\s+regards|"
    r"best\s+wishes|regards|sincerely|with\s+thanks|many\s+thanks|"
    r"mit\s+freundlichen\s+gr(?:ü|ue)(?:ß|ss)en|cordialement)\W*$")
_NAME_LABEL = re.compile(r"(?i)^(?:from|name|sender|von|absender)\s*:\s*(.+)$")
_SUBJECT_LABEL = re.compile(r"(?i)^(?:re|subject|betreff|objet|concerning)\s*:\s*(.+)$")
_SALUTATION = re.compile(r"(?i)^(?:dear|hello|hi|sehr\s+geehrte|liebe|bonjour)\b")
_FAX_HEADER = re.compile(
    r"(?i)(?:\b(?:tele)?fax\b.*(?:\bp(?:age|\.)?\s*\d+\s*(?:/|of)\s*\d+|\bfrom\b|\bvon\b)|"
    r"\bfrom\b.*\bto\b.*\bp(?:age|\.)\s*\d+\s*/\s*\d+)")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                         "\u00b4": "'", "`": "'"})


class Outcome(StrEnum):
    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"
    UNMATCHED = "unmatched"


@dataclass(frozen=True)
class AddressBlock:
    lines: tuple[str, ...]

    @property
    def display(self) -> str:
        return ", ".join(self.lines)


@dataclass(frozen=True)
class Clues:
    """What the text offers to identify its sender (values normalised where a rule
    exists: emails case-folded, phones in E.164)."""

    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    references: tuple[str, ...] = ()  # labelled customer numbers
    tokens: tuple[str, ...] = ()  # other id-shaped tokens
    address_keys: tuple[str, ...] = ()  # line windows normalised as stored addresses
    address_blocks: tuple[AddressBlock, ...] = ()  # the likely sender address(es)
    names: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()  # the head and tail lines, for address similarity


@dataclass(frozen=True)
class Evidence:
    customer_id: int
    kind: str  # a key of WEIGHTS
    value: str  # what the text said

    @property
    def weight(self) -> float:
        return WEIGHTS[self.kind]


@dataclass(frozen=True)
class Candidate:
    customer_id: int
    score: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class MatchDecision:
    outcome: Outcome
    candidates: tuple[Candidate, ...] = field(default=())

    @property
    def customer_id(self) -> int | None:
        return self.candidates[0].customer_id if self.outcome is Outcome.MATCHED else None


def _clean_lines(text: str) -> list[str]:
    lines = [re.sub(r"\s+", " ", line.translate(_QUOTES)).strip()
             for line in text.splitlines()]
    return [line for line in lines if line]


def _emails(text: str) -> list[str]:
    found: list[str] = []
    for raw in _EMAIL.findall(text):
        try:
            found.append(normalise_email(raw.strip(".")).value)
        except InvalidInput:
            continue
    return list(dict.fromkeys(found))


def _phones(text: str, region: str) -> list[str]:
    found = [phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
             for m in phonenumbers.PhoneNumberMatcher(text, region)]
    return list(dict.fromkeys(found))


def _tokens(text: str, references: set[str]) -> list[str]:
    """Id-shaped tokens: letters and digits mixed, or digits joined by a separator;
    bare numbers (dates, amounts, house numbers) are never tried unlabelled."""
    found: list[str] = []
    for token in _TOKEN.findall(text):
        if token in references or "@" in token:
            continue
        has_digit = any(c.isdigit() for c in token)
        has_alpha = any(c.isalpha() for c in token)
        separated = any(c in ":/-_." for c in token)
        if has_digit and (has_alpha or separated) and len(token) >= 4:
            found.append(token)
    return list(dict.fromkeys(found))[:MAX_TOKENS]


def _looks_like_name(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 4 or len(line) > 60:
        return False
    return all(w[:1].isupper() and w.replace("-", "").replace("'", "").replace(".", "")
               .isalpha() for w in words)


def _names(lines: list[str]) -> list[str]:
    names: list[str] = []
    if lines and _looks_like_name(lines[0]):
        names.append(lines[0])
    for i, line in enumerate(lines):
        labelled = _NAME_LABEL.match(line)
        if labelled and _looks_like_name(labelled.group(1).strip()):
            names.append(labelled.group(1).strip())
        if _CLOSINGS.match(line) and i + 1 < len(lines) and _looks_like_name(lines[i + 1]):
            names.append(lines[i + 1])
    return list(dict.fromkeys(names))[:5]


def _has_postcode(line: str) -> bool:
    return bool(_UK_POSTCODE.search(line.upper()) or _ZIP_TOWN.search(line))


def _address_blocks(lines: list[str]) -> list[AddressBlock]:
    """A street line (starting with a house number) down to a postcode line, at most
    three lines; or one line holding both."""
    blocks: list[AddressBlock] = []
    for i, line in enumerate(lines):
        if not _has_postcode(line):
            continue
        if line[:1].isdigit() and "," in line:
            blocks.append(AddressBlock((line,)))
            continue
        for start in range(i - 1, max(-1, i - 3), -1):
            if lines[start][:1].isdigit():
                blocks.append(AddressBlock(tuple(lines[start:i + 1])))
                break
    return list(dict.fromkeys(blocks))


def _address_keys(lines: list[str]) -> list[str]:
    """Every window of one to four consecutive lines, normalised as a stored postal
    address is, so an address written over several lines matches exactly."""
    keys: list[str] = []
    for size in range(1, 5):
        for start in range(len(lines) - size + 1):
            window = lines[start:start + size]
            if not any(c.isdigit() for c in "".join(window)):
                continue  # an address without a house number or postcode is too vague
            try:
                keys.append(normalise_address("\n".join(window)).value)
            except InvalidInput:
                continue
    return list(dict.fromkeys(keys))


def find_clues(text: str, *, default_region: str,
               rules: AddressRules | None = None) -> Clues:
    """Everything in ``text`` that might identify its sender. The organisation's own
    addresses (``rules``), role mailboxes and junk identifiers are left out."""
    lines = _clean_lines(text)
    near = lines[:HEAD_LINES] + [line for line in lines[HEAD_LINES:][-TAIL_LINES:]]
    flat = "\n".join(lines)
    own = rules or AddressRules()
    emails = [e for e in _emails(flat) if not is_own(e, own) and not is_role(e)
              and not _junk_email(e)]
    references = list(dict.fromkeys(m.group(1) for m in _LABELLED_REF.finditer(flat)
                                    if any(c.isdigit() for c in m.group(1))))
    return Clues(
        emails=tuple(emails),
        phones=tuple(_phones(flat, default_region)),
        references=tuple(references),
        tokens=tuple(_tokens(flat, set(references))),
        address_keys=tuple(_address_keys(near)),
        address_blocks=tuple(_address_blocks(near)),
        names=tuple(_names(lines)),
        lines=tuple(near),
    )


def _junk_email(value: str) -> bool:
    try:
        return is_junk(normalise_email(value))
    except InvalidInput:
        return True


def _compare_key(text: str) -> str:
    """Letters and digits only, folded: "St James's Sq." and "st jamess sq" agree."""
    return "".join(c for c in fold_text(text.translate(_QUOTES)) if c.isalnum())


def address_similarity(lines: Iterable[str], stored_display: str) -> float:
    """How closely some run of consecutive ``lines`` spells ``stored_display`` (0..1),
    tolerant of OCR slips ("SWILY" for "SW1Y") and of punctuation."""
    target = _compare_key(stored_display)
    if len(target) < 8:
        return 0.0
    rows = list(lines)
    best = 0.0
    for size in range(1, 5):
        for start in range(len(rows) - size + 1):
            candidate = _compare_key(" ".join(rows[start:start + size]))
            if abs(len(candidate) - len(target)) > max(6, len(target) // 3):
                continue
            best = max(best, difflib.SequenceMatcher(None, candidate, target).ratio())
    return best


def same_name(written: str, display_name: str) -> bool:
    """A name in the text is this customer's, accents, case and punctuation aside."""
    return _compare_key(written) == _compare_key(display_name) and bool(_compare_key(written))


def decide(evidence: Iterable[Evidence]) -> MatchDecision:
    """Weigh the evidence per customer (the best clue of each kind counts once)."""
    per_customer: dict[int, dict[str, Evidence]] = {}
    for item in evidence:
        kinds = per_customer.setdefault(item.customer_id, {})
        kinds.setdefault(item.kind, item)
    candidates = sorted(
        (Candidate(customer_id, round(sum(e.weight for e in kinds.values()), 2),
                   tuple(sorted(kinds.values(), key=lambda e: -e.weight)))
         for customer_id, kinds in per_customer.items()),
        key=lambda c: (-c.score, c.customer_id))[:MAX_CANDIDATES]
    if not candidates:
        return MatchDecision(Outcome.UNMATCHED)
    best = candidates[0]
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    if best.score >= STRONG and best.score - runner_up >= MARGIN and runner_up < STRONG:
        return MatchDecision(Outcome.MATCHED, tuple(candidates))
    return MatchDecision(Outcome.AMBIGUOUS, tuple(candidates))


def decide_channel(*, requested: str | None, fax_encoded: bool, text: str) -> str:
    """fax when asked for, when the file is a fax-compressed TIFF, or when a fax
    machine's header line tops the first page; otherwise letter."""
    if requested in ("letter", "fax"):
        return requested
    if fax_encoded:
        return "fax"
    head = _clean_lines(text)[:3]
    return "fax" if any(_FAX_HEADER.search(line) for line in head) else "letter"


def subject_of(text: str, limit: int = 120) -> str:
    """A subject line ("Re: ..."), else the first sentence after the salutation."""
    lines = _clean_lines(text)
    for line in lines[:HEAD_LINES]:
        labelled = _SUBJECT_LABEL.match(line)
        if labelled:
            return labelled.group(1)[:limit]
    for i, line in enumerate(lines):
        if _SALUTATION.match(line) and i + 1 < len(lines):
            body = lines[i + 1]
            sentence = re.split(r"(?<=[.!?])\s", body, maxsplit=1)[0]
            return _shorten(sentence, limit)
    return ""


def _shorten(text: str, limit: int) -> str:
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
