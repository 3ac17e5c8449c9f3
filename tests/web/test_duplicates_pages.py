"""The Duplicates page: list, compare, merge with per-field choices, not duplicates,
undo, and access (another team's pair answers 404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accord.customers import selectors, services
from accord.platform.actors import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def suggestion(world: Any) -> Any:
    """Ada (alice's) and a second Ada record at her address, written another way."""
    twin = services.create_customer(
        actor=SYSTEM, display_name="Ada Lovelace", team_id=world.north.pk, owner_id=None,
        language="fr", lifecycle="lead")
    services.add_identity(actor=SYSTEM, customer_id=world.alice_customer.pk, kind="address",
                          value="12 High Street, London")
    services.add_identity(actor=SYSTEM, customer_id=twin.pk, kind="address",
                          value="12 High St., London")
    services.find_duplicates(actor=SYSTEM)
    page = selectors.open_duplicates(SYSTEM)
    assert len(page.items) == 1
    return page.items[0]


def test_the_list_shows_scores_reasons_names_and_history(
        client_as: Callable[[str], Client], world: Any, suggestion: Any) -> None:
    response = client_as("alice").get("/duplicates/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="suggestion-{suggestion.pk}"' in html
    assert "same address 12 High Street, London" in html
    assert "0 interactions · 0 transactions" in html
    assert "Not duplicates" in html and "Look for duplicates now" not in html
    assert 'href="/duplicates/"' in html  # the nav link


def test_others_see_neither_the_pair_nor_its_comparison(
        client_as: Callable[[str], Client], suggestion: Any) -> None:
    bob = client_as("bob")
    assert f"suggestion-{suggestion.pk}" not in bob.get("/duplicates/").content.decode()
    assert bob.get(f"/duplicates/{suggestion.pk}/").status_code == 404
    assert bob.post(f"/duplicates/{suggestion.pk}/merge/",
                    {"survivor": "a"}).status_code == 404
    assert bob.post(f"/duplicates/{suggestion.pk}/dismiss/").status_code == 404


def test_analysts_review_but_cannot_merge(client_as: Callable[[str], Client],
                                         suggestion: Any) -> None:
    analyst = client_as("analyst")
    html = analyst.get(f"/duplicates/{suggestion.pk}/").content.decode()
    assert "Same customer?" in html and ">Merge</button>" not in html
    assert analyst.post(f"/duplicates/{suggestion.pk}/dismiss/").status_code == 403


def test_compare_offers_a_choice_only_where_the_records_differ(
        client_as: Callable[[str], Client], suggestion: Any) -> None:
    html = client_as("alice").get(f"/duplicates/{suggestion.pk}/").content.decode()
    assert 'name="field_language"' in html and 'name="field_lifecycle"' in html
    assert 'name="field_display_name"' not in html  # both "Ada Lovelace"
    assert 'name="survivor" value="a" checked' in html


def test_merge_with_choices_then_undo(client_as: Callable[[str], Client], world: Any,
                                      suggestion: Any) -> None:
    alice = client_as("alice")
    ada, twin = world.alice_customer, suggestion.customer_b
    assert suggestion.customer_a_id == ada.pk
    response = alice.post(f"/duplicates/{suggestion.pk}/merge/", {
        "survivor": "a", "field_lifecycle": "b", "field_language": "a",
        "field_owner_id": "a", "field_given_name": "a", "field_family_name": "a"})
    assert response.status_code == 302
    merged = selectors.get_customer(world.alice, ada.pk)
    assert merged.lifecycle == "lead" and merged.language == ""
    assert merged.owner_id == world.alice.pk
    listing = alice.get("/duplicates/").content.decode()
    assert "Merged Ada Lovelace" in listing and "No open suggestions" in listing
    merge = selectors.recent_merges(world.alice)[0]
    assert f'id="merge-{merge.pk}"' in listing
    assert alice.get(f"/customers/{twin.pk}/").content.decode().count("was merged into") == 1

    undo = alice.post(f"/merges/{merge.pk}/undo/")
    assert undo.status_code == 302
    restored = selectors.get_customer(world.alice, ada.pk)
    assert restored.lifecycle == "customer" and restored.language == ""
    assert selectors.get_customer(world.alice, twin.pk).merged_into_id is None
    after = alice.get("/duplicates/").content.decode()
    assert "separate again" in after and f"suggestion-{suggestion.pk}" in after


def test_a_bad_choice_is_a_clear_400(client_as: Callable[[str], Client],
                                     suggestion: Any) -> None:
    response = client_as("alice").post(f"/duplicates/{suggestion.pk}/merge/",
                                       {"survivor": "a", "field_language": "both"})
    assert response.status_code == 400
    assert "for language." in response.content.decode()
    missing = client_as("alice").post(f"/duplicates/{suggestion.pk}/merge/", {})
    assert missing.status_code == 400


def test_not_duplicates_removes_the_pair(client_as: Callable[[str], Client],
                                         suggestion: Any) -> None:
    alice = client_as("alice")
    assert alice.post(f"/duplicates/{suggestion.pk}/dismiss/").status_code == 302
    html = alice.get("/duplicates/").content.decode()
    assert "will not be suggested again" in html and f"suggestion-{suggestion.pk}" not in html
    assert alice.get("/duplicates/").status_code == 200


def test_admins_can_look_for_duplicates_now(client_as: Callable[[str], Client],
                                            suggestion: Any) -> None:
    admin = client_as("admin")
    assert "Look for duplicates now" in admin.get("/duplicates/").content.decode()
    assert admin.post("/duplicates/find/", {"full": "1"}).status_code == 302
    assert "1 suggestions" in admin.get("/duplicates/").content.decode()
    assert client_as("alice").post("/duplicates/find/").status_code == 403


def test_pages_refuse_get_for_writes_and_forged_cursors(
        client_as: Callable[[str], Client], suggestion: Any) -> None:
    alice = client_as("alice")
    assert alice.get(f"/duplicates/{suggestion.pk}/merge/").status_code == 405
    assert alice.get("/duplicates/?cursor=not-a-cursor").status_code == 400


def test_the_customer_page_offers_undo_of_what_was_merged_into_it(
        client_as: Callable[[str], Client], world: Any, suggestion: Any) -> None:
    merge = services.merge_customers(actor=SYSTEM, survivor_id=suggestion.customer_a_id,
                                     loser_id=suggestion.customer_b_id)
    alice = client_as("alice")
    page = alice.get(f"/customers/{suggestion.customer_a_id}/").content.decode()
    assert f'action="/merges/{merge.pk}/undo/"' in page
    back = alice.post(f"/merges/{merge.pk}/undo/",
                      {"next": f"/customers/{suggestion.customer_a_id}/"})
    assert back.status_code == 302 and back["Location"] == f"/customers/{suggestion.customer_a_id}/"
    again = services.merge_customers(actor=SYSTEM, survivor_id=suggestion.customer_a_id,
                                     loser_id=suggestion.customer_b_id)
    analyst_page = client_as("analyst").get(f"/customers/{suggestion.customer_a_id}/")
    assert f"/merges/{again.pk}/undo/" not in analyst_page.content.decode()
    offsite = alice.post(f"/merges/{again.pk}/undo/", {"next": "https://evil.example/"})
    assert offsite["Location"] == "/duplicates/"  # never sent off the site
