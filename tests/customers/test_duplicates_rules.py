"""The pure duplicate rules: blocking keys, scoring, and what is never suggested."""

from __future__ import annotations

import random
from typing import Any

import pytest

from accord.customers.domain.duplicates import (
    MAX_BLOCK,
    WINDOW,
    CustomerFacts,
    address_key,
    candidate_pairs,
    find_suggestions,
    name_keys,
    name_words,
    organisation_domain,
    phone_key,
)


def person(pk: int, name: str, **facts: Any) -> CustomerFacts:
    return CustomerFacts(id=pk, kind="person", name=name, **facts)


def pairs(found: list[Any]) -> list[tuple[int, int]]:
    return [(s.a, s.b) for s in found]


def test_similar_names_at_one_organisation_domain_are_suggested_with_reasons() -> None:
    found = find_suggestions([
        person(1, "John Smith", emails=("john@acme.example",)),
        person(2, "Smith, Jon", emails=("j.smith@acme.example",)),
    ])
    assert pairs(found) == [(1, 2)]
    assert found[0].reasons == ("names 95% alike", "both write from acme.example")
    assert 0.65 <= found[0].score <= 1


def test_a_free_mail_domain_is_no_evidence() -> None:
    assert organisation_domain("ada@gmail.com") is None
    assert organisation_domain("ada@Acme.Example") == "acme.example"
    found = find_suggestions([
        person(1, "John Smith", emails=("john@gmail.com",)),
        person(2, "Jon Smith", emails=("jonsmith@gmail.com",)),
    ])
    assert found == []


def test_the_same_name_alone_is_not_enough_for_people_but_is_for_organisations() -> None:
    assert find_suggestions([person(1, "John Smith"), person(2, "John Smith")]) == []
    orgs = find_suggestions([
        CustomerFacts(id=3, kind="organisation", name="Acme Ltd"),
        CustomerFacts(id=4, kind="organisation", name="ACME Limited"),
    ])
    assert pairs(orgs) == [(3, 4)] and orgs[0].reasons == ("same name",)


def test_a_shared_phone_or_address_joins_a_near_name() -> None:
    found = find_suggestions([
        person(1, "Jane Smith", phones=(("+442079460958", "+44 20 7946 0958"),)),
        person(2, "Jane Smyth", phones=(("+12079460958", "+1 207-946-0958"),)),
        person(3, "Ada Lovelace", addresses=(("12 high st, london", "12 High St, London"),)),
        person(4, "Ada Lovelace-King",
               addresses=(("12, high street, london", "12, High Street, London"),)),
    ])
    assert pairs(found) == [(1, 2), (3, 4)]
    assert found[0].reasons[1] == "same phone number +44 20 7946 0958 / +1 207-946-0958"
    assert found[1].reasons[1] == "same address 12 High St, London"


def test_a_household_is_not_one_customer() -> None:
    """Same phone and address, different people: the names are too far apart."""
    home = {"phones": (("+442079460958", "+44 20 7946 0958"),),
            "addresses": (("1 main road, leeds", "1 Main Road, Leeds"),)}
    assert find_suggestions([person(1, "Ada Lovelace", **home),
                             person(2, "Byron Lovelace", **home)]) == []


def test_people_and_organisations_are_never_paired() -> None:
    found = find_suggestions([
        person(1, "Acme", emails=("a@acme.example",)),
        CustomerFacts(id=2, kind="organisation", name="Acme", emails=("b@acme.example",)),
    ])
    assert found == []


def test_decided_pairs_are_never_suggested_again() -> None:
    facts = [person(1, "John Smith", emails=("john@acme.example",)),
             person(2, "Jon Smith", emails=("jon@acme.example",))]
    assert pairs(find_suggestions(facts)) == [(1, 2)]
    assert find_suggestions(facts, exclude={(1, 2)}) == []


def test_only_limits_a_run_to_pairs_touching_those_customers() -> None:
    facts = [person(1, "John Smith", emails=("john@acme.example",)),
             person(2, "Jon Smith", emails=("jon@acme.example",)),
             person(3, "Mary Jones", organisation_id=9),
             person(4, "Mary Jone", organisation_id=9, organisation_name="Beta Ltd")]
    assert pairs(find_suggestions(facts)) == [(1, 2), (3, 4)]  # equal scores: by id
    assert pairs(find_suggestions(facts, only={4})) == [(3, 4)]
    assert find_suggestions(facts, only=set()) == []


@pytest.mark.parametrize(("raw", "words"), [
    ("Dr. Ada  Lovelace", ["ada", "lovelace"]),
    ("Zoë O'Brien", ["zoe", "o", "brien"]),
    ("Dr", ["dr"]),  # nothing but a title: keep it rather than nothing
])
def test_name_words_fold_and_drop_titles(raw: str, words: list[str]) -> None:
    assert name_words(raw, "person") == words


def test_name_keys_meet_reordered_and_misspelt_names() -> None:
    def keys(name: str) -> set[str]:
        return set(name_keys(name_words(name, "person"), "person"))

    assert keys("John Smith") & keys("Smith John")
    assert keys("John Smith") & keys("Jon Smith")
    assert keys("Jonathan Smith") & keys("Jonathan Smyth")
    assert name_keys(name_words("The Acme Trading Co", "organisation"), "organisation") == [
        "acme trading", "acme"]


def test_phone_and_address_keys() -> None:
    assert phone_key("+442079460958") == phone_key("+12079460958") == "079460958"
    assert address_key("12 High St., London") == address_key("12, high street, LONDON")


def test_big_blocks_compare_neighbours_not_everyone() -> None:
    """A domain shared by 1,000 people: sorted-neighbourhood keeps it O(n)."""
    members = list(range(1, 1001))
    keys = {m: ["pd:big.example"] for m in members}
    sort_key = {m: f"name{m:04d}" for m in members}
    found = candidate_pairs(keys, sort_key)
    assert len(found) <= len(members) * WINDOW
    assert (1, 2) in found and (1, 1000) not in found
    small = candidate_pairs({m: ["k"] for m in range(MAX_BLOCK)},
                            {m: "" for m in range(MAX_BLOCK)})
    assert len(small) == MAX_BLOCK * (MAX_BLOCK - 1) // 2


def test_planted_duplicates_are_found_among_many_distinct_people() -> None:
    rng = random.Random(7)
    given = ["ada", "john", "mary", "ravi", "mei", "olu", "sven", "ana", "li", "sam"]
    family = [f"family{n}" for n in range(300)]
    facts = [person(n, f"{rng.choice(given)} {rng.choice(family)}",
                    emails=(f"p{n}@org{n % 500}.example",)) for n in range(1, 3001)]
    facts.append(person(5001, facts[10].name.replace("a", "e", 1),
                        emails=("other@org11.example",)))
    found = find_suggestions(facts)
    assert (11, 5001) in pairs(found)


def test_an_explicit_choice_keeps_even_an_empty_value_but_never_an_empty_name() -> None:
    from accord.customers.domain.merge import plan_merge

    def record(pk: int, **fields: Any) -> dict[str, Any]:
        return {"id": pk, "kind": "person", "display_name": f"C{pk}", "given_name": "",
                "family_name": "", "organisation_id": None, "owner_id": 7, "team_id": None,
                "preferred_channel": "", "language": "fr", "lifecycle": "customer",
                "merged_into_id": None, **fields}

    plan = plan_merge(record(1), record(2, owner_id=None, language="", display_name=""),
                      {"owner_id": "loser", "language": "loser", "display_name": "loser"})
    assert plan.field_updates == {"owner_id": None, "language": ""}
