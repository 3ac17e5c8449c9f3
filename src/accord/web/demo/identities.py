"""Messy-but-valid identities for demo customers, with their normal forms built directly.

Real data arrives as ``ADA.Lovelace12@Example.COM``, ``(07412) 345 678`` or an address
split over three lines, so the raw text varies by style. Normalising millions of them with
email-validator and phonenumbers would take minutes (~100 us each), so each function also
returns the (value, display) pair that ``customers.services.normalise`` produces for that
raw text; the tests and the bulk writer check samples against the real normaliser.

Uniqueness comes from the customer's global index: numbers and addresses are drawn with
an affine permutation of the index, which never repeats below its modulus."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import NamedTuple

from accord.web.demo.vocabulary import EMAIL_DOMAINS, STREET_TYPES, STREETS, TOWNS


class DemoIdentity(NamedTuple):
    kind: str
    raw: str  # what a person typed
    value: str  # the matching key normalise() gives
    display: str  # the display form normalise() gives


# UK mobiles 07400 000000 - 07599 999999 are all valid to phonenumbers; 2e8 numbers.
_MOBILE_BASE, _MOBILE_SPAN = 7_400_000_000, 200_000_000
# Landlines in areas where every 7-digit local number is valid: Manchester, Glasgow, Tyneside.
_AREAS = ("161", "141", "191")
_LANDLINE_SPAN = 10_000_000
# Addresses: house number x street x street type x town, permuted by a prime multiplier.
_ADDRESS_SPAN = 999 * len(STREETS) * len(STREET_TYPES) * len(TOWNS)
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_SPECIAL_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss",
                                  "'": "", " ": "", "-": ""})


@lru_cache(maxsize=4096)  # names come from a small vocabulary
def ascii_slug(text: str) -> str:
    """'Søren' -> 'Soren', "O'Brien" -> 'OBrien': safe in an email local part."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


def person_email(given: str, family: str, index: int, style: int,
                 domain: str | None = None) -> DemoIdentity:
    """A person's email; ``domain`` is their organisation's, else a personal mailbox."""
    first, last = ascii_slug(given), ascii_slug(family)
    domain = domain or EMAIL_DOMAINS[index % len(EMAIL_DOMAINS)]
    local = (f"{first}.{last}{index}", f"{first.lower()}.{last.lower()}{index}",
             f"{first.upper()}{last.upper()}{index}", f"{first[0].lower()}{last.lower()}{index}",
             f"{first}.{last}{index}")[style % 5]
    shown_domain = (domain.title(), domain, domain.upper(), domain, domain)[style % 5]
    raw = f"{local}@{shown_domain}"
    if style % 5 == 4:
        raw = f"  <{raw}> "  # pasted from a mail client's header
    return DemoIdentity("email", raw, f"{local.lower()}@{domain}", f"{local}@{domain}")


def organisation_domain(name_word: str, trade: str, index: int) -> str:
    slug = f"{ascii_slug(name_word)}-{ascii_slug(trade)}".lower()
    return f"{slug}-{index}.example.com"


def organisation_email(domain: str, index: int, style: int) -> DemoIdentity:
    local = ("info", "sales", "accounts", "hello", "office")[index % 5]
    typed = (local, local.title(), local.upper())[style % 3]
    # email-validator lowercases RFC 2142 role mailboxes (info@, sales@) in its display form.
    shown = local if local in ("info", "sales") else typed
    return DemoIdentity("email", f"{typed}@{domain}", f"{local}@{domain}", f"{shown}@{domain}")


def _placeholder_like(digits: str) -> bool:
    """07400 000000 and the like read as placeholders, and Accord refuses them."""
    return len(set(digits[-7:])) == 1


def mobile_phone(index: int, style: int) -> DemoIdentity | None:
    nsn = str(_MOBILE_BASE + (index * 48_271 + 7_919) % _MOBILE_SPAN)  # '7412345678'
    if _placeholder_like(nsn):
        return None
    head, tail = nsn[:4], nsn[4:]
    raw = (f"0{head} {tail}", f"0{nsn}", f"+44 {head} {tail}", f"+44{nsn}",
           f"(0{head}) {tail[:3]} {tail[3:]}", f"0044 {head} {tail}",
           f"+44 (0){head} {tail}")[style % 7]
    return DemoIdentity("phone", raw, f"+44{nsn}", f"+44 {head} {tail}")


def landline_phone(index: int, style: int) -> DemoIdentity | None:
    slot = (index * 104_729 + 1_237) % (_LANDLINE_SPAN * len(_AREAS))
    area, local = _AREAS[slot // _LANDLINE_SPAN], f"{slot % _LANDLINE_SPAN:07d}"
    if _placeholder_like(local):
        return None
    raw = (f"0{area} {local[:3]} {local[3:]}", f"+44 {area} {local[:3]} {local[3:]}",
           f"0{area}{local}")[style % 3]
    return DemoIdentity("phone", raw, f"+44{area}{local}",
                        f"+44 {area} {local[:3]} {local[3:]}")


def postal_address(index: int, style: int) -> DemoIdentity:
    slot = (index * 7_919 + 3) % _ADDRESS_SPAN
    number, slot = slot % 999 + 1, slot // 999
    street, slot = STREETS[slot % len(STREETS)], slot // len(STREETS)
    street_type, slot = STREET_TYPES[slot % len(STREET_TYPES)], slot // len(STREET_TYPES)
    town, area = TOWNS[slot % len(TOWNS)]
    letters = _POSTCODE_LETTERS
    postcode = (f"{area}{index % 19 + 1} {index % 9 + 1}"
                f"{letters[index % 20]}{letters[(index // 20) % 20]}")
    line = f"{number} {street} {street_type}"
    if style % 3 == 0:
        raw, parts = f"{line}, {town}, {postcode}", (line, town, postcode)
    elif style % 3 == 1:
        raw, parts = f"{line}\n{town}\n{postcode}", (line, town, postcode)
    else:
        raw = f"{number}  {street} {street_type},{town.upper()} ,  {postcode}"
        parts = (line, town.upper(), postcode)
    display = ", ".join(parts)
    return DemoIdentity("address", raw, display.lower(), display)


def external_id(prefix: str, index: int, style: int) -> DemoIdentity:
    value = f"{prefix}{index:08d}"
    raw = (value, f" {value} ", f"{value}\t")[style % 3]
    return DemoIdentity("external_id", raw, value, value)
