"""Pure address rules: own mailboxes, role addresses, spellings of one mailbox, direction."""

from __future__ import annotations

from accord.capture.domain.addresses import (
    AddressRules,
    Party,
    decide_party,
    direction_of,
    is_own,
    is_role,
    spellings,
)

RULES = AddressRules.build(own_domains=["accord.example", "@Shop.Example"],
                           own_addresses=["Founder@gmail.com"])


def test_own_domains_subdomains_and_addresses() -> None:
    assert is_own("sales@accord.example", RULES)
    assert is_own("Ops@EU.Accord.Example", RULES)  # a subdomain of an own domain
    assert is_own("help@shop.example", RULES)
    assert is_own("founder@GMAIL.com", RULES)
    assert not is_own("ada@example.com", RULES)
    assert not is_own("someone@notaccord.example", RULES)  # suffix, not a subdomain


def test_role_addresses_are_recognised_with_or_without_a_tag() -> None:
    assert is_role("info@example.com") and is_role("No-Reply@example.com")
    assert is_role("support+eu@example.com")
    assert not is_role("ada@example.com")


def test_spellings_of_one_mailbox() -> None:
    assert spellings("Ada.Lovelace+news@Gmail.com", RULES) == [
        "Ada.Lovelace+news@Gmail.com", "Ada.Lovelace@Gmail.com", "AdaLovelace@Gmail.com"]
    assert spellings("ada.l+x@example.com", RULES) == ["ada.l+x@example.com",
                                                      "ada.l@example.com"]
    assert spellings("+start@example.com", RULES) == ["+start@example.com"]
    strict = AddressRules.build(plus_addressing=False, ignore_dots=False)
    assert spellings("a.b+c@gmail.com", strict) == ["a.b+c@gmail.com"]


def test_party_decisions() -> None:
    def decide(address: str, found: int | None = None, unknown: str = "create") -> Party:
        return decide_party(address, found=found, rules=RULES, unknown=unknown).kind

    assert decide("sales@accord.example", found=7) is Party.OWN  # never a customer
    assert decide_party("ada@example.com", found=7, rules=RULES, unknown="ignore") \
        .customer_id == 7
    assert decide("ada@example.com") is Party.NEW
    assert decide("ada@example.com", unknown="queue") is Party.QUEUED
    assert decide("ada@example.com", unknown="ignore") is Party.IGNORED
    assert decide("info@example.com") is Party.IGNORED  # roles are never created
    assert decide("info@example.com", found=3) is Party.MATCHED  # but match if known
    assert decide("not-an-address") is Party.IGNORED


def test_direction() -> None:
    assert direction_of("ada@example.com", ["sales@accord.example"], RULES) == "inbound"
    assert direction_of("sales@accord.example", ["ada@example.com"], RULES) == "outbound"
    assert direction_of("sales@accord.example", ["ops@accord.example"], RULES) == "internal"
    assert direction_of(None, ["sales@accord.example"], RULES) == "inbound"
