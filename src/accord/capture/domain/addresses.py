"""Which email addresses are the organisation's own, which are roles, and which spellings
of an address are the same mailbox. Pure rules; the inputs come from settings."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

# Mailboxes that speak for a function, not a person: never a new customer of their own.
ROLE_LOCAL_PARTS = frozenset({
    "info", "support", "help", "helpdesk", "sales", "admin", "administrator", "office",
    "contact", "hello", "team", "billing", "accounts", "invoices", "marketing", "news",
    "newsletter", "notifications", "notification", "alerts", "enquiries", "inquiries",
    "service", "customerservice", "hr", "jobs", "careers", "press", "webmaster",
    "postmaster", "hostmaster", "abuse", "security", "privacy", "legal", "mailer-daemon",
    "noreply", "no-reply", "donotreply", "do-not-reply", "bounce", "bounces",
})
# Providers where dots in the local part do not matter (a.b@gmail.com is ab@gmail.com).
DOTLESS_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


@dataclass(frozen=True)
class AddressRules:
    """How a source reads addresses. ``own_domains`` and ``own_addresses`` are the
    organisation's (staff mailboxes, shared inboxes); they are never customers."""

    own_domains: frozenset[str] = frozenset()
    own_addresses: frozenset[str] = frozenset()
    plus_addressing: bool = True  # ada+news@x is ada@x
    dotless_domains: frozenset[str] = field(default=DOTLESS_DOMAINS)

    @classmethod
    def build(cls, *, own_domains: Iterable[str] = (), own_addresses: Iterable[str] = (),
              plus_addressing: bool = True, ignore_dots: bool = True) -> AddressRules:
        return cls(own_domains=frozenset(d.strip().lower().lstrip("@") for d in own_domains
                                         if d.strip()),
                   own_addresses=frozenset(a.strip().lower() for a in own_addresses
                                           if a.strip()),
                   plus_addressing=plus_addressing,
                   dotless_domains=DOTLESS_DOMAINS if ignore_dots else frozenset())


def split_address(address: str) -> tuple[str, str]:
    """('Ada.L+x', 'Example.com') from 'Ada.L+x@Example.com'; ('', '') when not an address."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        return "", ""
    return local, domain


@functools.lru_cache(maxsize=65_536)
def is_own(address: str, rules: AddressRules) -> bool:
    # Cached (rules are frozen, so hashable): every address of a message is asked about
    # several times while it is decided, and the same addresses recur across messages.
    _, domain = split_address(address)
    if not domain:
        return False
    domain = domain.lower()
    return (address.strip().lower() in rules.own_addresses
            or domain in rules.own_domains
            or any(domain.endswith("." + own) for own in rules.own_domains))


def is_role(address: str) -> bool:
    local, _ = split_address(address)
    return local.lower().split("+", 1)[0] in ROLE_LOCAL_PARTS


def spellings(address: str, rules: AddressRules) -> list[str]:
    """The address as written, then the same mailbox without a +tag and (for providers
    that ignore them) without dots: the forms to look up, most exact first."""
    local, domain = split_address(address)
    if not domain:
        return [address.strip()]
    forms = [f"{local}@{domain}"]
    base = local.split("+", 1)[0] if rules.plus_addressing and "+" in local[1:] else local
    if base != local:
        forms.append(f"{base}@{domain}")
    if domain.lower() in rules.dotless_domains and "." in base:
        forms.append(f"{base.replace('.', '')}@{domain}")
    return forms


class Party(StrEnum):
    OWN = "own"  # the organisation itself: recorded by address, never a customer
    MATCHED = "matched"
    NEW = "new"  # unknown: becomes a new customer
    QUEUED = "queued"  # unknown: recorded unmatched, waiting for review
    IGNORED = "ignored"  # unknown or a role address: recorded unmatched


@dataclass(frozen=True)
class PartyDecision:
    kind: Party
    customer_id: int | None = None


def decide_party(address: str, *, found: int | None, rules: AddressRules,
                 unknown: str) -> PartyDecision:
    """What to do with one address on a captured item. ``found`` is the customer an
    identity lookup returned (any spelling), ``unknown`` the source's policy for
    addresses nobody has: "create", "queue" or "ignore"."""
    if is_own(address, rules):
        return PartyDecision(Party.OWN)
    if found is not None:
        return PartyDecision(Party.MATCHED, found)
    if is_role(address) or not split_address(address)[1]:
        return PartyDecision(Party.IGNORED)
    if unknown == "create":
        return PartyDecision(Party.NEW)
    if unknown == "queue":
        return PartyDecision(Party.QUEUED)
    return PartyDecision(Party.IGNORED)


def direction_of(sender: str | None, recipients: Iterable[str], rules: AddressRules) -> str:
    """outbound when the organisation sent it, inbound when it came from outside,
    internal when everyone on it is the organisation's own."""
    others = [r for r in recipients if r]
    if sender and is_own(sender, rules):
        return "internal" if others and all(is_own(r, rules) for r in others) else "outbound"
    return "inbound"
