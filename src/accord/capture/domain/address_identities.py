"""Email addresses as identities, remembered: validating an address (email-validator,
IDNA) costs more than parsing a small message, and the same people write again and again.

Pure and deterministic (same address, same frozen answer), so the parse workers of an
import compute them beside the parsing and the writer only looks them up."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from accord.capture.domain.addresses import AddressRules, spellings
from accord.customers.domain.identities import NormalisedIdentity, normalise_identity
from accord.customers.domain.kinds import IdentityKind
from accord.platform.errors import AccordError

_KNOWN: dict[str, NormalisedIdentity | None] = {}
_LIMIT = 200_000  # addresses remembered; then start again (memory stays bounded)


def _normalise(address: str) -> NormalisedIdentity | None:
    try:
        # The region only matters for phones; emails ignore it.
        return normalise_identity(IdentityKind.EMAIL, address, default_region="ZZ")
    except AccordError:
        return None


def email_identity(address: str) -> NormalisedIdentity | None:
    """The address as an email identity, or None when it is not a valid address."""
    try:
        return _KNOWN[address]
    except KeyError:
        pass
    identity = _normalise(address)
    remember({address: identity})
    return identity


def identities_of(addresses: Iterable[str],
                  rules: AddressRules) -> dict[str, NormalisedIdentity | None]:
    """Every spelling of these addresses (see ``spellings``) as an identity."""
    found: dict[str, NormalisedIdentity | None] = {}
    for address in addresses:
        for form in spellings(address, rules):
            if form not in found:
                found[form] = email_identity(form)
    return found


def remember(known: Mapping[str, NormalisedIdentity | None]) -> None:
    """Keep identities computed elsewhere (a parse worker) for ``email_identity``."""
    if len(_KNOWN) + len(known) > _LIMIT:
        _KNOWN.clear()
    _KNOWN.update(known)
