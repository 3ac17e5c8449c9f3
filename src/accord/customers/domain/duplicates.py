"""Which customers are probably the same one: pure rules, no Django.

Two steps, so 100,000 customers take seconds rather than the 5 billion comparisons of
every pair:

1. **Blocking.** Each customer gets a few keys; only customers sharing a key are
   compared. Name keys: family name + first initial, given name + family initial, the
   whole name with its words sorted (organisations: without "Ltd", "GmbH" ..., and
   their first word). People are never suggested on a name alone, so a person's name
   keys block only together with a domain or organisation they share (a company of
   5,000 then costs no more than its people's names). Evidence keys: a phone key (the
   number without its country code), a postal address key (folded, "St" read as
   "Street" ...), an organisation email domain (never a free-mail one such as
   gmail.com, nor one on more than ``COMMON_DOMAIN`` customers) and the organisation a
   person belongs to. A key shared by more than ``MAX_BLOCK`` customers is not paired
   all with all: its members are sorted by name and each is compared with its
   ``WINDOW`` nearest neighbours (the sorted-neighbourhood method), so a block costs
   O(n), never O(n²).
2. **Scoring.** Name similarity is rapidfuzz's ``token_sort_ratio`` (an Indel ratio over
   the name's words in sorted order, so "Smith, John" equals "John Smith"), computed as
   ``fuzz.ratio`` over names whose words were sorted once beforehand, or the plain
   ``fuzz.ratio`` of the names as written when that is higher (a typo can move a word
   in the sort: "Rsa Rossi" sorts after "Rossi", "Rosa Rossi" before). It weighs
   ``NAME_WEIGHT``; shared evidence adds the rest (phone, address, organisation domain,
   same organisation; at most ``EVIDENCE_CAP``). A pair is suggested at ``THRESHOLD``
   or above. An identical person's name alone (0.6) is not enough: two John Smiths are
   common; nor is a shared phone and address with an unlike name (a household). An
   organisation's name weighs ``ORGANISATION_NAME_WEIGHT``, so the same company name
   (legal form aside) is enough on its own. People whose names hold contradicting words
   ("Ada" and "Byron" Lovelace) are never suggested, whatever they share.

People are only ever paired with people and organisations with organisations (a merge
refuses anything else).
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from accord.customers.domain.identities import fold_text

THRESHOLD = 0.65
NAME_WEIGHT = 0.6
# Organisation names are rarer than people's: "Acme Ltd" and "ACME Limited" alone suffice.
ORGANISATION_NAME_WEIGHT = 0.7
MIN_NAME_SIMILARITY = 0.5  # below this, no evidence makes two records one customer
EVIDENCE_CAP = 0.4
PHONE_WEIGHT = 0.3
ADDRESS_WEIGHT = 0.25
DOMAIN_WEIGHT = 0.15
ORGANISATION_WEIGHT = 0.15
COMMON_DOMAIN = 1000  # customers on one domain beyond which it is no evidence
COMPATIBLE_WORDS = 75  # two words this alike (rapidfuzz ratio) may be one written twice
MAX_BLOCK = 60  # customers sharing one key that are still compared all with all
WINDOW = 8  # neighbours each member of a bigger block is compared with

# Mailbox providers anyone can sign up to: sharing one says nothing about two people.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk",
    "hotmail.fr", "hotmail.de", "live.com", "live.co.uk", "msn.com", "yahoo.com",
    "yahoo.co.uk", "yahoo.fr", "yahoo.de", "ymail.com", "rocketmail.com", "icloud.com",
    "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "pm.me", "gmx.com",
    "gmx.de", "gmx.net", "gmx.at", "web.de", "mail.com", "yandex.com", "yandex.ru",
    "mail.ru", "zoho.com", "fastmail.com", "tutanota.com", "btinternet.com", "sky.com",
    "virginmedia.com", "talktalk.net", "orange.fr", "free.fr", "laposte.net", "sfr.fr",
    "t-online.de", "freenet.de", "libero.it", "qq.com", "163.com", "126.com",
})

# Words that say what kind of company it is, not which one.
LEGAL_FORMS = frozenset({
    "ltd", "limited", "plc", "llp", "llc", "inc", "incorporated", "corp", "corporation",
    "co", "company", "gmbh", "ag", "kg", "mbh", "sa", "sarl", "sas", "bv", "nv", "srl",
    "spa", "ab", "as", "oy", "pty", "the", "and", "group", "holdings",
})
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame"})
ADDRESS_WORDS = {
    "st": "street", "str": "strasse", "rd": "road", "ave": "avenue", "av": "avenue",
    "ln": "lane", "dr": "drive", "ct": "court", "pl": "place", "sq": "square",
    "blvd": "boulevard", "cres": "crescent", "gdns": "gardens", "hse": "house",
    "apt": "flat", "no": "", "nr": "",
}
_NOT_WORD = re.compile(r"[^\w]+")
PHONE_KEY_DIGITS = 9  # the subscriber part every national number ends with


class SuggestionStatus(enum.StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"  # a reviewer said "not duplicates": never suggested again
    MERGED = "merged"


@dataclass(frozen=True)
class CustomerFacts:
    """What the rules know of one customer: its name and the identities that can be
    shared evidence. Identities are (normalised value, display) pairs."""

    id: int
    kind: str
    name: str
    organisation_id: int | None = None
    organisation_name: str = ""
    phones: tuple[tuple[str, str], ...] = ()
    addresses: tuple[tuple[str, str], ...] = ()
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """Two customers that are probably one: ``a < b``, a score in 0..1 and the reasons,
    in words, a reviewer reads."""

    a: int
    b: int
    score: float
    reasons: tuple[str, ...]


@dataclass
class _Prepared:
    facts: CustomerFacts
    name_key: str  # the name's words, sorted: token_sort_ratio compares these
    written: str  # the name's words as written: a typo can move a word in the sort
    phones: dict[str, str] = field(default_factory=dict)  # key -> display
    addresses: dict[str, str] = field(default_factory=dict)
    domains: frozenset[str] = frozenset()


def _fold(text: str) -> str:
    # fold_text's key; ASCII (nearly every name) needs no Unicode decomposition.
    return text.lower() if text.isascii() else fold_text(text)


def name_words(name: str, kind: str) -> list[str]:
    """The words that identify a name: folded, punctuation gone, titles and legal forms
    ("Dr", "Ltd") left out unless nothing else is left."""
    words = _NOT_WORD.sub(" ", _fold(name)).split()
    noise = LEGAL_FORMS if kind == "organisation" else TITLES
    kept = [w for w in words if w not in noise]
    return kept or words


def name_keys(words: list[str], kind: str) -> list[str]:
    """Blocking keys of a name. A person's first and last word in either role (so
    "Smith John" meets "John Smith"), one of them shortened to an initial (so "Jon
    Smith" meets "John Smith" and "Jonathan Smyth" meets "Jonathan Smith")."""
    if not words:
        return []
    keys = [" ".join(sorted(words))]
    if kind == "organisation":
        keys.append(words[0])  # "Acme" meets "Acme Trading"
        return keys
    if len(words) >= 2:
        first, last = words[0], words[-1]
        keys += [f"{last} {first[0]}", f"{first} {last[0]}"]
    return keys


def phone_key(e164: str) -> str:
    """The number without its country code: the same line written under another
    country (a wrong default region on import) still meets its twin."""
    digits = e164.lstrip("+")
    if not digits.isdigit():
        digits = "".join(c for c in digits if c.isdigit())
    return digits[-PHONE_KEY_DIGITS:]


def address_key(value: str) -> str:
    """A postal address folded further than its identity: punctuation gone and common
    abbreviations spelled out, so "12 High St." and "12, High Street" are one key."""
    words = _NOT_WORD.sub(" ", _fold(value)).split()
    return " ".join(w for w in (ADDRESS_WORDS.get(w, w) for w in words) if w)


def organisation_domain(email: str) -> str | None:
    """The email's domain when it belongs to an organisation (not a free-mail one)."""
    domain = email.rpartition("@")[2].casefold()
    if not domain or domain in FREE_MAIL_DOMAINS:
        return None
    return domain


def common_domains(customers: Iterable[CustomerFacts]) -> set[str]:
    """Domains on more than ``COMMON_DOMAIN`` customers: a mail provider the free-mail
    list does not know (a regional ISP, a university), not one organisation."""
    counts: dict[str, int] = defaultdict(int)
    for facts in customers:
        for domain in {e.rpartition("@")[2].casefold() for e in facts.emails}:
            counts[domain] += 1
    return {d for d, n in counts.items() if n > COMMON_DOMAIN}


def _prepare(facts: CustomerFacts,
             common_domains: Collection[str] = ()) -> tuple[_Prepared, list[str]]:
    words = name_words(facts.name, facts.kind)
    prepared = _Prepared(facts=facts, name_key=" ".join(sorted(words)), written=" ".join(words))
    for value, display in facts.phones:
        prepared.phones.setdefault(phone_key(value), display)
    for value, display in facts.addresses:
        prepared.addresses.setdefault(address_key(value), display)
    prepared.domains = frozenset(d for d in map(organisation_domain, facts.emails)
                                 if d and d not in common_domains)
    tag = facts.kind[:1]  # people and organisations never share a block
    names = name_keys(words, facts.kind)
    keys = [f"{tag}p:{k}" for k in prepared.phones if k]
    keys += [f"{tag}a:{k}" for k in prepared.addresses if k]
    if facts.kind == "organisation":
        # A company's name is evidence enough on its own: block on it alone.
        keys += [f"on:{k}" for k in names]
        keys += [f"od:{d}" for d in prepared.domains]
        return prepared, keys
    # Two people are suggested only with shared evidence, and a domain or organisation
    # is weak evidence that needs a like name: block on the pair of them, so a company
    # of 5,000 costs no more than its people's names.
    shared = [f"d:{d}" for d in prepared.domains]
    if facts.organisation_id is not None:
        shared.append(f"o:{facts.organisation_id}")
    keys += [f"p{where}|{name}" for where in shared for name in names]
    return prepared, keys


def candidate_pairs(
    keys_by_customer: Mapping[int, Iterable[str]],
    sort_key: Mapping[int, str],
    *,
    only: Collection[int] | None = None,
    max_block: int = MAX_BLOCK,
    window: int = WINDOW,
) -> set[tuple[int, int]]:
    """Pairs (a < b) of customers sharing a blocking key; with ``only``, just the pairs
    with at least one of those customers in them (an incremental run)."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for customer_id, keys in keys_by_customer.items():
        for key in set(keys):
            blocks[key].append(customer_id)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2:
            continue
        if only is not None and not any(m in only for m in members):
            continue
        for a, b in _block_pairs(members, sort_key, max_block, window):
            if only is None or a in only or b in only:
                pairs.add((a, b) if a < b else (b, a))
    return pairs


def _block_pairs(members: list[int], sort_key: Mapping[int, str], max_block: int,
                 window: int) -> Iterator[tuple[int, int]]:
    if len(members) <= max_block:
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                yield a, b
        return
    ordered = sorted(members, key=lambda m: (sort_key[m], m))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:i + 1 + window]:
            yield a, b


def score_pair(x: _Prepared, y: _Prepared) -> Suggestion | None:
    """The suggestion for two prepared customers, or None below ``THRESHOLD``."""
    if x.facts.kind != y.facts.kind:
        return None
    # The evidence's weight first, cheaply: most candidate pairs stop here.
    phones = not x.phones.keys().isdisjoint(y.phones.keys())
    addresses = not x.addresses.keys().isdisjoint(y.addresses.keys())
    domains = not x.domains.isdisjoint(y.domains)
    org = x.facts.organisation_id
    same_org = org is not None and org == y.facts.organisation_id
    evidence = min(EVIDENCE_CAP, PHONE_WEIGHT * phones + ADDRESS_WEIGHT * addresses
                   + DOMAIN_WEIGHT * domains + ORGANISATION_WEIGHT * same_org)
    weight = ORGANISATION_NAME_WEIGHT if x.facts.kind == "organisation" else NAME_WEIGHT
    needed = max(MIN_NAME_SIMILARITY, (THRESHOLD - evidence) / weight)
    if needed > 1:
        return None
    # A tiny margin so a pair exactly at the threshold is not lost to float rounding.
    cutoff = needed * 100 - 1e-6
    similarity = max(fuzz.ratio(x.name_key, y.name_key, score_cutoff=cutoff),
                     fuzz.ratio(x.written, y.written, score_cutoff=cutoff)) / 100
    if similarity == 0:
        return None
    if x.facts.kind == "person" and _names_conflict(x.name_key.split(), y.name_key.split()):
        return None
    score = round(min(1.0, weight * similarity + evidence), 3)
    if score < THRESHOLD:
        return None
    reasons = _reasons(x, y, phones=phones, addresses=addresses, domains=domains,
                       same_org=same_org)
    reasons.insert(0, "same name" if similarity == 1 else f"names {similarity:.0%} alike")
    a, b = sorted((x.facts.id, y.facts.id))
    return Suggestion(a=a, b=b, score=score, reasons=tuple(reasons))


def _reasons(x: _Prepared, y: _Prepared, *, phones: bool, addresses: bool, domains: bool,
             same_org: bool) -> list[str]:
    reasons = []
    if phones:
        key = min(x.phones.keys() & y.phones.keys())
        one, other = x.phones[key], y.phones[key]
        reasons.append(f"same phone {one}" if one == other
                       else f"same phone number {one} / {other}")
    if addresses:
        reasons.append(f"same address {x.addresses[min(x.addresses.keys() & y.addresses.keys())]}")
    if domains:
        reasons.append(f"both write from {min(x.domains & y.domains)}")
    if same_org:
        org = x.facts.organisation_id
        reasons.append(f"same organisation {x.facts.organisation_name or f'#{org}'}")
    return reasons


def _names_conflict(x: list[str], y: list[str]) -> bool:
    """Whether the names hold words that contradict: each has a word the other lacks and
    no such pair is alike or an initial of the other ("Ada" vs "Byron" Lovelace: a
    household, not a duplicate; "Jon" vs "John", "J" vs "John" are compatible)."""
    only_x = set(x) - set(y)
    only_y = set(y) - set(x)
    if not only_x or not only_y:
        return False
    for u in only_x:
        for v in only_y:
            if u[0] == v[0] and (len(u) == 1 or len(v) == 1):
                return False
            if fuzz.ratio(u, v) >= COMPATIBLE_WORDS:
                return False
    return True


def find_suggestions(
    customers: Iterable[CustomerFacts],
    *,
    only: Collection[int] | None = None,
    exclude: Collection[tuple[int, int]] = frozenset(),
) -> list[Suggestion]:
    """Every likely duplicate pair among ``customers`` (live records only: the caller
    leaves out merged ones), best first. ``only`` limits the run to pairs touching those
    customers; ``exclude`` holds pairs (a < b) already decided: merged or dismissed as
    "not duplicates". They are never suggested again."""
    everyone = list(customers)
    common = common_domains(everyone)
    prepared: dict[int, _Prepared] = {}
    keys: dict[int, list[str]] = {}
    for facts in everyone:
        prepared[facts.id], keys[facts.id] = _prepare(facts, common)
    sort_key = {pk: p.name_key for pk, p in prepared.items()}
    found = []
    for a, b in candidate_pairs(keys, sort_key, only=only):
        if (a, b) in exclude:
            continue
        suggestion = score_pair(prepared[a], prepared[b])
        if suggestion is not None:
            found.append(suggestion)
    found.sort(key=lambda s: (-s.score, s.a, s.b))
    return found
