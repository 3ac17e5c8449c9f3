"""Normalising identities so the same person written three ways is one row.

Email via email-validator (syntax only: no DNS at capture time), phones to E.164 via
phonenumbers with a configurable default region, postal addresses case- and
space-folded, external ids trimmed. Junk identifiers never match anyone."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from accord.customers.domain.kinds import IdentityKind
from accord.platform.errors import InvalidInput


@dataclass(frozen=True)
class NormalisedIdentity:
    kind: IdentityKind
    value: str  # the matching key, unique per kind
    display: str  # how a person would write it


JUNK_EMAIL_LOCALPARTS = frozenset({"noreply", "no-reply", "donotreply", "do-not-reply",
                                   "mailer-daemon", "postmaster", "unknown", "none", "null"})
JUNK_VALUES = frozenset({"unknown", "none", "null", "n/a", "na", "-", "0", "test"})


def parse_kind(raw: str, *, field: str = "kind") -> IdentityKind:
    try:
        return IdentityKind(raw)
    except ValueError as exc:
        kinds = ", ".join(k.value for k in IdentityKind)
        raise InvalidInput(f"Unknown identity kind {raw!r}; use one of {kinds}.",
                           field=field) from exc


def normalise_email(raw: str, *, field: str = "email") -> NormalisedIdentity:
    text = raw.strip().strip("<>").strip()
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(f"{raw!r} is not a valid email address: {exc}", field=field) from exc
    # Mailbox local parts are case-insensitive in practice everywhere customers live.
    value = checked.normalized.casefold()
    return NormalisedIdentity(IdentityKind.EMAIL, value, checked.normalized)


def normalise_phone(raw: str, *, default_region: str, field: str = "phone") -> NormalisedIdentity:
    text = raw.strip()
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(f"{raw!r} is not a phone number: {exc}", field=field) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(f"{raw!r} is not a valid phone number.", field=field)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    display = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return NormalisedIdentity(IdentityKind.PHONE, e164, display)


_SPACES = re.compile(r"\s+")
_ADDRESS_SEPARATORS = re.compile(r"\s*[,\n;]\s*")


def normalise_address(raw: str, *, field: str = "address") -> NormalisedIdentity:
    parts = [p for p in _ADDRESS_SEPARATORS.split(raw.strip()) if p]
    display = ", ".join(_SPACES.sub(" ", p) for p in parts)
    if len(display) < 5:
        raise InvalidInput(f"{raw!r} is too short to be a postal address.", field=field)
    value = fold_text(display).replace(".", "")
    return NormalisedIdentity(IdentityKind.ADDRESS, value, display)


def normalise_external_id(raw: str, *, field: str = "external_id") -> NormalisedIdentity:
    value = raw.strip()
    if not value or len(value) > 200:
        raise InvalidInput("An external id must be 1 to 200 characters.", field=field)
    return NormalisedIdentity(IdentityKind.EXTERNAL_ID, value, value)


def normalise_identity(kind: IdentityKind, raw: str, *, default_region: str,
                       field: str | None = None) -> NormalisedIdentity:
    """Normalise ``raw`` as an identity of ``kind``; InvalidInput names ``field``."""
    name = field or kind.value
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput(f"The {kind.value} is empty.", field=name)
    if kind is IdentityKind.EMAIL:
        return normalise_email(raw, field=name)
    if kind is IdentityKind.PHONE:
        return normalise_phone(raw, default_region=default_region, field=name)
    if kind is IdentityKind.ADDRESS:
        return normalise_address(raw, field=name)
    return normalise_external_id(raw, field=name)


def is_junk(identity: NormalisedIdentity) -> bool:
    """Identifiers that many unrelated people share and must never link customers."""
    if identity.value.casefold() in JUNK_VALUES:
        return True
    if identity.kind is IdentityKind.EMAIL:
        local = identity.value.split("@", 1)[0]
        return local in JUNK_EMAIL_LOCALPARTS
    if identity.kind is IdentityKind.PHONE:
        digits = identity.value.lstrip("+")
        return len(set(digits[-7:])) == 1  # 0000000, 1111111 ...
    return False


def guess_identity(text: str, *, default_region: str) -> NormalisedIdentity | None:
    """Read a free-form search or import value as the identity it most likely is:
    an email if it has an @, a phone if it is mostly digits, else an external id."""
    value = text.strip()
    if not value:
        return None
    try:
        if "@" in value:
            return normalise_email(value)
        digits = sum(c.isdigit() for c in value)
        if digits >= 6 and digits >= len(value.replace(" ", "")) * 0.6:
            return normalise_phone(value, default_region=default_region)
    except InvalidInput:
        return None
    return normalise_external_id(value)


def fold_text(text: str) -> str:
    """Case-fold, strip accents and collapse spaces: the key for name prefix search."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip().casefold()


MAX_NAME_KEYS = 6


def name_search_keys(display_name: str) -> list[str]:
    """The keys a name prefix search walks: the folded name starting at each of its
    words, so "Ada King Lovelace" is found by "ada", "king" and "lovelace" ("lovelace ada
    king"). Each search is then one ordered index range scan, whatever the table size."""
    words = fold_text(display_name).split()
    keys = [" ".join(words[i:] + words[:i])[:200] for i in range(len(words))]
    return list(dict.fromkeys(keys))[:MAX_NAME_KEYS]
