"""POST /api/v1/documents: multipart upload of a letter or fax, answering what happened."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accord.accounts.services import issue_token
from tests.capture import document_samples as samples

pytestmark = pytest.mark.django_db


def _post(client, token: str, **data):
    return client.post("/api/v1/documents", data,
                       HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def token(world) -> str:
    return issue_token(actor=world.admin, user=world.admin, name="test")


def test_a_matched_letter_is_captured(client, world, token) -> None:
    upload = SimpleUploadedFile("ada.pdf", samples.text_pdf([samples.ADA_LETTER]))
    answer = _post(client, token, file=upload)
    body = answer.json()
    assert answer.status_code == 201, body
    assert body["status"] == "captured" and body["customer_id"] == world.alice_customer.pk
    assert body["channel"] == "letter" and body["match"] == "matched"
    assert {e["kind"] for e in body["candidates"][0]["evidence"]} >= {"phone"}
    again = _post(client, token, file=SimpleUploadedFile("again.pdf",
                                                         samples.text_pdf([samples.ADA_LETTER])))
    assert again.status_code == 200 and again.json()["status"] == "present"


def test_an_unknown_sender_is_queued(client, world, token) -> None:
    upload = SimpleUploadedFile("grace.png", samples.png(samples.STRANGER_LETTER))
    answer = _post(client, token, file=upload, channel="fax")
    assert answer.status_code == 202
    assert answer.json()["status"] == "queued" and answer.json()["channel"] == "fax"
    assert answer.json()["pending_id"]


@pytest.mark.parametrize(("content", "words"), [
    (b"", "empty"), (b"MZ\x90\x00 not a scan" * 20, "Not a PDF"),
    (b"%PDF-1.7\n1 0 obj", "damaged")])
def test_bad_files_answer_400_with_the_reason(client, world, token, content, words) -> None:
    answer = _post(client, token, file=SimpleUploadedFile("bad.pdf", content))
    assert answer.status_code == 400
    assert words in answer.json()["error"]["message"]
    assert answer.json()["error"]["field"] == "file"


def test_missing_file_bad_channel_and_readonly_roles(client, world, token) -> None:
    assert _post(client, token).status_code == 400
    upload = SimpleUploadedFile("ada.pdf", samples.text_pdf([samples.ADA_LETTER]))
    assert _post(client, token, file=upload, channel="telex").json()["error"]["field"] \
        == "channel"
    analyst = issue_token(actor=world.analyst, user=world.analyst, name="t")
    upload = SimpleUploadedFile("ada.pdf", samples.text_pdf([samples.ADA_LETTER]))
    assert _post(client, analyst, file=upload).status_code == 403
    assert client.post("/api/v1/documents", {}).status_code == 401
