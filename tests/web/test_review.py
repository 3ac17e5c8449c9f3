"""The Review page: queued documents and addresses, one-click decisions (htmx and plain
forms), upload, previews, and letters and faxes rendered on the Customer View."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accord.capture.models import PendingDocument, QueuedAddress
from accord.capture.services.address_queue import queue_address
from accord.capture.services.documents import capture_document
from accord.customers.selectors import identities_of
from accord.interactions.services import ParticipantInput, record_interaction
from accord.platform.actors import SYSTEM
from accord.platform.models import AuditEntry
from tests.capture import document_samples as samples
from tests.conftest import at

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _queue_grace() -> Any:
    return capture_document(actor=SYSTEM, content=samples.text_pdf([samples.STRANGER_LETTER]),
                            filename="grace.pdf", origin="test")


def _queue_kim() -> QueuedAddress:
    for n in (1, 2):
        record_interaction(actor=SYSTEM, channel="email", direction="inbound",
                           occurred_at=at(days_ago=n), subject=f"Question {n}",
                           source="email", external_id=f"<kim{n}@x>",
                           participants=[ParticipantInput(role="from", kind="email",
                                                          value="Kim@Elsewhere.example")])
    queue_address(kind="email", value="kim@elsewhere.example", display="Kim@elsewhere.example")
    return QueuedAddress.objects.get()


def test_the_page_lists_documents_and_addresses_with_their_evidence(world, client_as) -> None:
    outcome = _queue_grace()
    capture_document(actor=SYSTEM, content=samples.text_pdf([["Niels Bohr", "Dear Accord,",
                                                              "Thanks for the tea."]]),
                     filename="niels.pdf", origin="test")
    _queue_kim()
    page = client_as("admin").get("/review/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="doc-{outcome.pending_id}"' in html and "grace.pdf" in html
    assert "I would like a catalogue" in html
    assert f"/review/documents/{outcome.pending_id}/preview/" in html
    assert "Niels Bohr" in html and "name “Niels Bohr”" in html  # candidate with evidence
    assert 'value="email:grace.hopper@navy.example" checked' in html
    assert "Kim@elsewhere.example" in html and "Question 1" in html  # latest subject
    assert 'href="/review/"' in html  # the nav link


def test_only_admins_and_analysts_see_the_queue(world, client_as) -> None:
    _queue_grace()
    assert client_as("analyst").get("/review/").status_code == 200
    assert "/assign/" not in client_as("analyst").get("/review/").content.decode()
    for name in ("alice", "manager", "bob"):
        assert client_as(name).get("/review/").status_code == 403
    assert 'href="/review/"' not in client_as("alice").get("/").content.decode()


def test_one_click_assign_by_htmx_records_it_and_adds_identities(world, client_as) -> None:
    pending_id = _queue_grace().pending_id
    ada = world.alice_customer
    answer = client_as("admin").post(
        f"/review/documents/{pending_id}/assign/",
        {"customer_id": ada.pk, "identities": ["email:grace.hopper@navy.example"]}, **HTMX)
    html = answer.content.decode()
    assert answer.status_code == 200 and f'id="doc-{pending_id}"' in html
    assert "assigned to Ada Lovelace" in html and "Added email grace.hopper" in html
    assert ("email", "grace.hopper@navy.example") in {
        (i.kind, i.value) for i in identities_of(ada)}
    timeline = client_as("alice").get(f"/customers/{ada.pk}/").content.decode()
    assert "I would like a catalogue" in timeline
    item = PendingDocument.objects.get(pk=pending_id)
    assert f"/interactions/{item.interaction_id}/preview/" in timeline  # the scan preview
    assert AuditEntry.objects.filter(action="document.assigned").exists()
    preview = client_as("alice").get(f"/interactions/{item.interaction_id}/preview/")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/png"
    assert client_as("bob").get(f"/interactions/{item.interaction_id}/preview/") \
        .status_code == 404


def test_plain_forms_work_without_javascript(world, client_as) -> None:
    pending_id = _queue_grace().pending_id
    client = client_as("admin")
    answer = client.post(f"/review/documents/{pending_id}/new-customer/",
                         {"display_name": "Grace Hopper"})
    assert answer.status_code == 302 and answer["Location"] == "/review/"
    page = client.get("/review/").content.decode()
    assert "New customer created. Document assigned to Grace Hopper." in page
    assert f'id="doc-{pending_id}"' not in page


def test_dismiss_and_errors_answer_4xx(world, client_as) -> None:
    pending_id = _queue_grace().pending_id
    admin = client_as("admin")
    assert admin.post(f"/review/documents/{pending_id}/assign/", {}, **HTMX).status_code == 400
    assert admin.post(f"/review/documents/{pending_id}/assign/",
                      {"customer_id": "999999"}, **HTMX).status_code == 404
    assert client_as("analyst").post(f"/review/documents/{pending_id}/dismiss/",
                                     **HTMX).status_code == 403
    assert admin.post(f"/review/documents/{pending_id}/dismiss/", **HTMX).status_code == 200
    assert admin.post(f"/review/documents/{pending_id}/dismiss/", **HTMX).status_code == 409
    assert admin.get("/review/documents/424242/file/").status_code == 404


def test_the_original_and_preview_of_a_queued_document(world, client_as) -> None:
    pending_id = _queue_grace().pending_id
    original = client_as("admin").get(f"/review/documents/{pending_id}/file/")
    assert original.status_code == 200 and original.content.startswith(b"%PDF")
    assert "attachment" in original["Content-Disposition"]
    preview = client_as("admin").get(f"/review/documents/{pending_id}/preview/")
    assert preview["Content-Type"] == "image/png"
    # a record of the queue is "not found" for those who may not see it, like a missing one
    assert client_as("alice").get(f"/review/documents/{pending_id}/file/").status_code == 404


def test_find_a_customer_for_a_card(world, client_as) -> None:
    found = client_as("admin").get("/review/find/", {"q": "Lovel"}, **HTMX).content.decode()
    assert f'name="customer_id" value="{world.alice_customer.pk}"' in found
    assert "Nobody found" in client_as("admin").get("/review/find/", {"q": "zzzz"}).content \
        .decode()


def test_assign_an_address_links_its_items(world, client_as) -> None:
    queued = _queue_kim()
    niels = world.north_customer
    answer = client_as("admin").post(f"/review/addresses/{queued.pk}/assign/",
                                     {"customer_id": niels.pk}, **HTMX)
    html = answer.content.decode()
    assert answer.status_code == 200 and f'<tr id="addr-{queued.pk}">' in html
    assert "2 earlier items joined the timeline" in html
    timeline = client_as("admin").get(f"/customers/{niels.pk}/").content.decode()
    assert "Question 1" in timeline and "Question 2" in timeline


def test_dismiss_an_address(world, client_as) -> None:
    queued = _queue_kim()
    assert client_as("admin").post(f"/review/addresses/{queued.pk}/dismiss/").status_code == 302
    assert QueuedAddress.objects.get().status == "dismissed"


def test_upload_from_the_page_says_what_happened_to_each_file(world, client_as) -> None:
    client = client_as("admin")
    files = [SimpleUploadedFile("ada.pdf", samples.text_pdf([samples.ADA_LETTER]),
                                "application/pdf"),
             SimpleUploadedFile("empty.pdf", b"", "application/pdf"),
             SimpleUploadedFile("grace.png", samples.png(samples.STRANGER_LETTER),
                                "image/png")]
    answer = client.post("/review/upload/", {"files": files, "channel": ""})
    assert answer.status_code == 302
    page = client.get("/review/").content.decode()
    assert "ada.pdf: letter captured on Ada Lovelace&#39;s timeline." in page
    assert "empty.pdf: rejected: The file is empty (0 bytes)." in page
    assert "grace.png: queued for review" in page
    assert client.post("/review/upload/", {}).status_code == 400
