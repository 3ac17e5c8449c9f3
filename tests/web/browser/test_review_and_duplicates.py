"""In Chromium: a queued letter assigned with one click from the review page lands on the
customer's timeline; a duplicate pair merged field by field on the Duplicates page, then
the merge undone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accord.capture.services.documents import capture_document
from accord.customers.models import Customer, Identity
from accord.customers.services import create_customer, find_duplicates
from accord.platform.actors import SYSTEM
from tests.capture import document_samples as samples
from tests.web.browser.test_journey import sign_in

pytestmark = pytest.mark.browser


def test_assign_a_queued_letter_from_the_review_page(page: Page, live_server: Any,
                                                      world: Any) -> None:
    capture_document(actor=SYSTEM, content=samples.text_pdf([samples.STRANGER_LETTER]),
                     filename="grace.pdf", origin="test")
    sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/review/")
    card = page.locator(".review-doc").first
    expect(card).to_contain_text("grace.pdf")
    card.get_by_label("Find a customer").fill("Lovelace")
    card.get_by_role("button", name="Assign").first.click()  # htmx swaps the card
    expect(page.locator("main")).to_contain_text(re.compile(r"assigned to Ada Lovelace"))
    page.goto(f"{live_server.url}/customers/{world.alice_customer.pk}/")
    expect(page.locator(".tl-item.ch-letter")).to_have_count(1)
    # the identities found in the letter now belong to Ada: the next letter matches
    assert Identity.objects.filter(customer=world.alice_customer,
                                   value="grace.hopper@navy.example").exists()


def test_merge_a_duplicate_pair_field_by_field_and_undo(page: Page, live_server: Any,
                                                       world: Any) -> None:
    first = create_customer(actor=SYSTEM, given_name="Grace", family_name="Hopper",
                            lifecycle="customer",
                            identities=[("address", "7 Harbour Road, Bristol")])
    second = create_customer(actor=SYSTEM, display_name="Hopper, Grace", given_name="Grace",
                             family_name="Hopper", lifecycle="lead",
                             identities=[("address", "7, Harbour Rd., Bristol")])
    find_duplicates(actor=world.admin)
    sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/duplicates/")
    row = page.locator("tr", has_text="Hopper, Grace")
    row.get_by_role("link", name="Compare").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Same customer?")
    page.locator("input[name=survivor]").first.check()
    page.locator("input[name=field_lifecycle][value=b]").check()  # keep the other's value
    page.get_by_role("button", name="Merge").click()
    expect(page.locator("body")).to_contain_text(re.compile(r"[Mm]erged"))
    survivor_id = min(first.pk, second.pk)
    merged = Customer.objects.get(pk=max(first.pk, second.pk))
    assert merged.merged_into_id == survivor_id
    page.goto(f"{live_server.url}/duplicates/")
    page.get_by_role("button", name="Undo").first.click()
    expect(page.locator("body")).to_contain_text(re.compile(r"[Uu]ndone|[Uu]ndid|restored"))
    merged.refresh_from_db()
    assert merged.merged_into_id is None
    assert {Customer.objects.get(pk=first.pk).lifecycle,
            Customer.objects.get(pk=second.pk).lifecycle} == {"customer", "lead"}
