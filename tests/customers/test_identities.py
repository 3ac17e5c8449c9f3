"""Pure identity rules: normalisation, junk detection, guessing what a search term is."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.customers.domain.identities import (
    fold_text,
    guess_identity,
    is_junk,
    normalise_address,
    normalise_email,
    normalise_identity,
    normalise_phone,
)
from accord.customers.domain.kinds import IdentityKind
from accord.platform.errors import InvalidInput


@pytest.mark.parametrize("raw", ["Ada@Example.COM", " ada@example.com ", "<ADA@example.com>"])
def test_emails_fold_to_one_key(raw: str) -> None:
    assert normalise_email(raw).value == "ada@example.com"


@pytest.mark.parametrize("raw", ["07911 123456", "+44 7911 123456", "0044 7911-123-456",
                                 "(07911) 123456", "+44 (0)7911 123456"])
def test_uk_phones_in_any_format_reach_e164(raw: str) -> None:
    assert normalise_phone(raw, default_region="GB").value == "+447911123456"


def test_default_region_is_configurable() -> None:
    assert normalise_phone("(415) 555-2671", default_region="US").value == "+14155552671"
    with pytest.raises(InvalidInput):
        normalise_phone("(415) 555-2671", default_region="GB")


@pytest.mark.parametrize(("kind", "raw"), [
    (IdentityKind.EMAIL, "not an email"), (IdentityKind.EMAIL, "a@b"),
    (IdentityKind.PHONE, "12"), (IdentityKind.PHONE, "call me"),
    (IdentityKind.ADDRESS, "x"), (IdentityKind.EXTERNAL_ID, "   "),
])
def test_bad_identities_name_the_field(kind: IdentityKind, raw: str) -> None:
    with pytest.raises(InvalidInput) as err:
        normalise_identity(kind, raw, default_region="GB", field="identities[3].value")
    assert err.value.field == "identities[3].value"


def test_addresses_fold_case_spaces_and_punctuation() -> None:
    a = normalise_address("221B  Baker St.,\nLondon NW1 6XE")
    b = normalise_address("221b baker st, london  nw1 6xe")
    assert a.value == b.value
    assert a.display == "221B Baker St., London NW1 6XE"


@pytest.mark.parametrize(("kind", "raw"), [
    (IdentityKind.EMAIL, "noreply@shop.example"), (IdentityKind.EMAIL, "MAILER-DAEMON@x.org"),
    (IdentityKind.PHONE, "+44 7000 000000"), (IdentityKind.EXTERNAL_ID, "unknown"),
])
def test_junk_never_identifies_anyone(kind: IdentityKind, raw: str) -> None:
    try:
        identity = normalise_identity(kind, raw, default_region="GB")
    except InvalidInput:
        return  # rejected outright is also fine
    assert is_junk(identity)


def test_real_identities_are_not_junk() -> None:
    assert not is_junk(normalise_email("ada@example.com"))
    assert not is_junk(normalise_phone("07911 123456", default_region="GB"))


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("Ada@Example.com", IdentityKind.EMAIL, "ada@example.com"),
    ("07911 123456", IdentityKind.PHONE, "+447911123456"),
    ("shop:B-17", IdentityKind.EXTERNAL_ID, "shop:B-17"),
])
def test_guess_identity(text: str, kind: IdentityKind, value: str) -> None:
    guessed = guess_identity(text, default_region="GB")
    assert guessed is not None and (guessed.kind, guessed.value) == (kind, value)


def test_fold_text_ignores_case_and_accents() -> None:
    assert fold_text("  Zoë   ÅNGSTRÖM ") == "zoe angstrom"


@given(st.text(max_size=40))
def test_normalising_never_crashes_with_anything_but_invalid_input(raw: str) -> None:
    for kind in IdentityKind:
        with contextlib.suppress(InvalidInput):
            normalise_identity(kind, raw, default_region="GB")


@given(st.emails())
def test_email_normalisation_is_idempotent(raw: str) -> None:
    try:
        once = normalise_email(raw)
    except InvalidInput:
        return
    assert normalise_email(once.value).value == once.value


def test_name_search_keys_start_at_every_word() -> None:
    from accord.customers.domain.identities import name_search_keys

    assert name_search_keys("Ada  King-Lovelace") == ["ada king-lovelace", "king-lovelace ada"]
    assert name_search_keys("Zoë Ångström") == ["zoe angstrom", "angstrom zoe"]
    assert name_search_keys("") == []
