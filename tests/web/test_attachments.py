"""Attachment downloads: right bytes and headers, and only for visible interactions."""

from __future__ import annotations

from typing import Any

from django.test import Client


def test_download_has_content_type_and_disposition(client_as: Any, timeline: Any) -> None:
    attachment = timeline.letter.attachments.get()
    response = client_as("alice").get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response.content == b"%PDF-1.4 signed"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="contract.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_attachment_of_another_teams_customer_is_404(client_as: Any, timeline: Any) -> None:
    hidden = timeline.bob_letter.attachments.get()
    response = client_as("alice").get(f"/attachments/{hidden.pk}/")
    assert response.status_code == 404
    assert b"private" not in response.content
    assert client_as("bob").get(f"/attachments/{hidden.pk}/").content == b"private"
    assert client_as("analyst").get(f"/attachments/{hidden.pk}/").status_code == 200


def test_missing_attachment_is_404(client_as: Any, timeline: Any) -> None:
    assert client_as("admin").get("/attachments/424242/").status_code == 404


def test_attachment_whose_file_is_gone_is_404_not_500(client_as: Any, timeline: Any,
                                                      settings: Any) -> None:
    import shutil

    shutil.rmtree(settings.BLOB_DIR)
    attachment = timeline.letter.attachments.get()
    assert client_as("alice").get(f"/attachments/{attachment.pk}/").status_code == 404


def test_awkward_filenames_are_safely_quoted(client_as: Any, world: Any) -> None:
    from django.utils import timezone

    from accord.interactions.services import AttachmentInput
    from tests.web.conftest import record

    item = record(world.alice_customer, "email", "inbound", timezone.now(), role="from",
                  attachments=[AttachmentInput('Rechnung "März".html', b"<script>x</script>",
                                               "text/html")])
    attachment = item.attachments.get()
    response = client_as("alice").get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert response["Content-Security-Policy"] == "sandbox"


def test_anonymous_download_goes_to_login(timeline: Any) -> None:
    attachment = timeline.letter.attachments.get()
    response = Client().get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
