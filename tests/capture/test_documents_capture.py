"""Capturing letters and faxes onto timelines, the review queue's decisions, the
watched folder and `import documents` (real files, real tesseract, SQLite and PG)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from accord.capture.models import CaptureProblem, PendingDocument, QueuedAddress, Source
from accord.capture.services import review
from accord.capture.services.document_folder import import_documents
from accord.capture.services.documents import capture_document
from accord.capture.services.sources import add_source, sync_source
from accord.customers.selectors import find_by_identity, identities_of
from accord.customers.services import create_customer, normalise
from accord.interactions.models import Interaction, Participant
from accord.platform import blobs
from accord.platform.actors import SYSTEM
from accord.platform.errors import Conflict, PermissionDenied
from tests.capture import document_samples as samples

pytestmark = pytest.mark.django_db

GRACE_AGAIN = ["Grace Hopper", "grace.hopper@navy.example", "", "Dear Accord,",
               "The catalogue arrived, thank you. Please send 2 tins of Assam.",
               "", "Kind regards,", "Grace Hopper"]


def capture(content: bytes, name: str = "scan.pdf", actor: Any = SYSTEM, **kw: Any) -> Any:
    return capture_document(actor=actor, content=content, filename=name, origin="test", **kw)


def test_a_letter_from_a_known_customer_lands_on_their_timeline(world) -> None:
    content = samples.text_pdf([samples.ADA_LETTER])
    outcome = capture(content, "ada.pdf")
    assert outcome.status == "captured" and outcome.customer_id == world.alice_customer.pk
    assert outcome.channel == "letter" and outcome.match == "matched"
    item = Interaction.objects.get(pk=outcome.interaction_id)
    assert (item.channel, item.direction, item.source) == ("letter", "inbound", "documents")
    assert "standing order" in item.text and item.subject.startswith("Please cancel")
    assert {e["kind"] for e in item.metadata["evidence"]} >= {"phone", "name"}
    attachment = item.attachments.get()
    assert attachment.filename == "ada.pdf" and blobs.read(attachment.sha256) == content
    assert blobs.read(item.metadata["preview_sha256"]).startswith(b"\x89PNG")
    again = capture(content, "copy-of-ada.pdf")
    assert again.status == "present" and again.interaction_id == item.pk
    assert Interaction.objects.filter(source="documents").count() == 1


def test_a_fax_tiff_is_a_fax(world) -> None:
    outcome = capture(samples.fax_tiff([samples.ADA_LETTER]), "fax.tif")
    assert outcome.status == "captured" and outcome.channel == "fax"


def test_a_stranger_waits_in_the_queue_and_assignment_teaches_the_next_match(world) -> None:
    outcome = capture(samples.png(samples.STRANGER_LETTER), "grace.png")
    assert outcome.status == "queued" and outcome.match == "unmatched"
    pending = PendingDocument.objects.get(pk=outcome.pending_id)
    assert pending.status == "pending" and "catalogue" in pending.text
    assert {"kind": "email", "value": "grace.hopper@navy.example"} in pending.clues
    assert blobs.read(pending.sha256)  # the original is viewable from the queue
    assert capture(samples.png(samples.STRANGER_LETTER)).status == "present"

    done = review.assign_document_to_new_customer(
        actor=world.admin, pending_id=pending.pk, display_name="Grace Hopper")
    assert any("grace.hopper@navy.example" in i for i in done.identities_added)
    assert any(i.startswith("address 7 Harbour Road") for i in done.identities_added)
    item = Interaction.objects.get(pk=done.interaction_id)
    assert item.channel == "letter" and item.metadata["match"] == "assigned"
    assert Participant.objects.get(interaction=item).customer_id == done.customer_id
    pending.refresh_from_db()
    assert pending.status == "assigned" and pending.decided_by_id == world.admin.pk

    nxt = capture(samples.png(GRACE_AGAIN), "grace-2.png")
    assert nxt.status == "captured" and nxt.customer_id == done.customer_id


def test_a_name_alone_is_ambiguous_and_one_click_assigns_it(world) -> None:
    outcome = capture(samples.text_pdf([["Niels Bohr", "", "Dear Accord,",
                                         "Thank you for the lovely tea sampler."]]))
    assert outcome.status == "queued" and outcome.match == "ambiguous"
    assert outcome.candidates[0]["customer_id"] == world.north_customer.pk
    assert outcome.candidates[0]["evidence"] == [{"kind": "name", "value": "Niels Bohr"}]
    done = review.assign_document(actor=world.admin, pending_id=outcome.pending_id,
                                  customer_id=world.north_customer.pk)
    assert done.interaction_id and done.identities_added == []
    with pytest.raises(Conflict):
        review.assign_document(actor=world.admin, pending_id=outcome.pending_id,
                               customer_id=world.north_customer.pk)


def test_identities_someone_else_has_are_skipped_with_the_reason(world) -> None:
    queued = capture(samples.text_pdf([["Grace Hopper", "grace.hopper@navy.example",
                                        "Call me on 0117 496 0123 please."]]), "h.pdf")
    assert queued.status == "queued"
    other = create_customer(actor=SYSTEM, display_name="Other", identities=[
        ("email", "grace.hopper@navy.example")])
    done = review.assign_document(actor=world.admin, pending_id=queued.pending_id,
                                  customer_id=world.bob_customer.pk)
    assert done.identities_added == ["phone +441174960123"]
    assert done.identities_skipped[0].startswith("email grace.hopper@navy.example: ")
    assert find_by_identity(normalise("phone", "0117 496 0123")) == world.bob_customer.pk
    assert find_by_identity(normalise("email", "grace.hopper@navy.example")) == other.pk


def test_only_identities_found_in_the_document_can_be_added(world) -> None:
    from accord.platform.errors import InvalidInput

    queued = capture(samples.text_pdf([["Call me on 0117 496 0123 please, J."]]), "i.pdf")
    with pytest.raises(InvalidInput):
        review.assign_document(actor=world.admin, pending_id=queued.pending_id,
                               customer_id=world.bob_customer.pk,
                               identities=["email:someone@else.example"])
    done = review.assign_document(actor=world.admin, pending_id=queued.pending_id,
                                  customer_id=world.bob_customer.pk, identities=[])
    assert done.identities_added == []


def test_a_match_the_uploader_cannot_see_is_queued_not_revealed(world) -> None:
    outcome = capture(samples.text_pdf([samples.ADA_LETTER]), actor=world.bob)
    assert outcome.status == "queued" and outcome.customer_id is None
    assert "administrator" in outcome.reason


def test_only_reviewers_decide(world) -> None:
    outcome = capture(samples.png(samples.STRANGER_LETTER))
    for user in (world.alice, world.analyst, world.manager):
        with pytest.raises(PermissionDenied):
            review.dismiss_document(actor=user, pending_id=outcome.pending_id)
    review.dismiss_document(actor=world.admin, pending_id=outcome.pending_id)
    assert PendingDocument.objects.get(pk=outcome.pending_id).status == "dismissed"
    assert capture(samples.png(samples.STRANGER_LETTER)).status == "present"


def test_import_documents_reports_bad_files_and_goes_on(world, tmp_path: Path) -> None:
    (tmp_path / "a-ada.pdf").write_bytes(samples.text_pdf([samples.ADA_LETTER]))
    (tmp_path / "b-empty.pdf").write_bytes(b"")
    (tmp_path / "c-junk.png").write_bytes(os.urandom(2000))
    (tmp_path / "d-locked.pdf").write_bytes(samples.encrypted_pdf(["secret"]))
    (tmp_path / "e-grace.jpg").write_bytes(samples.jpeg(samples.STRANGER_LETTER))
    (tmp_path / "notes.txt").write_text("not a document")
    seen: list[int] = []
    report = import_documents(actor=SYSTEM, path=tmp_path, progress=seen.append)
    assert (report.captured, report.queued, len(report.rejected)) == (1, 1, 3)
    reasons = dict(report.rejected)
    assert "empty" in reasons[str(tmp_path / "b-empty.pdf")]
    assert "Not a PDF" in reasons[str(tmp_path / "c-junk.png")]
    assert "encrypted" in reasons[str(tmp_path / "d-locked.pdf")]
    assert CaptureProblem.objects.filter(source=None).count() == 3
    assert sum(seen) == 5
    again = import_documents(actor=SYSTEM, path=tmp_path)
    assert (again.captured, again.queued, again.present) == (0, 0, 2)


def _old(path: Path) -> None:
    past = time.time() - 3600
    os.utime(path, (past, past))


def test_watched_folder_source_captures_new_files_once(world, tmp_path: Path) -> None:
    inbox, done = tmp_path / "inbox", tmp_path / "done"
    inbox.mkdir()
    source = add_source(actor=world.admin, name="scanner", kind="documents",
                        settings={"path": str(inbox), "done": str(done)})
    assert source.settings["channel"] == "auto"
    for name, content in [("1.pdf", samples.text_pdf([samples.ADA_LETTER])),
                          ("2.pdf", b"%PDF-1.4 broken"),
                          ("3.tif", samples.fax_tiff([samples.STRANGER_LETTER]))]:
        (inbox / name).write_bytes(content)
        _old(inbox / name)
    (inbox / "4.png").write_bytes(samples.png(["still being scanned"]))  # too fresh
    report = sync_source(actor=SYSTEM, source_id=source.pk)
    assert (report.captured, report.queued, len(report.rejected)) == (1, 1, 1)
    assert sorted(p.name for p in done.iterdir()) == ["1.pdf", "3.tif"]
    assert sorted(p.name for p in inbox.iterdir()) == ["2.pdf", "4.png"]
    source.refresh_from_db()
    assert source.status == "ok" and "2.pdf" in source.checkpoint["files"]
    assert source.captured == 2 and source.rejected == 1
    assert CaptureProblem.objects.filter(source=source, item__endswith="2.pdf").exists()
    again = sync_source(actor=SYSTEM, source_id=source.pk)
    assert again.seen == 0  # the broken file is not retried until it changes


def test_watched_folder_settings_are_checked(world, tmp_path: Path) -> None:
    from accord.platform.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        add_source(actor=world.admin, name="x", kind="documents",
                   settings={"path": str(tmp_path / "missing")})
    assert caught.value.field == "settings.path"
    with pytest.raises(InvalidInput):
        add_source(actor=world.admin, name="y", kind="documents",
                   settings={"path": str(tmp_path), "channel": "telex"})


def test_a_vanished_folder_fails_the_source_with_the_reason(world, tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    source = add_source(actor=world.admin, name="gone", kind="documents",
                        settings={"path": str(folder)})
    folder.rmdir()
    with pytest.raises(Exception, match="not there"):
        sync_source(actor=SYSTEM, source_id=source.pk)
    assert Source.objects.get(pk=source.pk).status == "failing"


# --- addresses -------------------------------------------------------------------------

RAW = (b"From: Kim Stranger <kim@elsewhere.example>\r\nTo: sales@accord.example\r\n"
       b"Subject: Hello %d\r\nMessage-ID: <m%d@elsewhere.example>\r\n"
       b"Date: Mon, 3 Mar 2025 10:00:00 +0000\r\n\r\nHi there.\r\n")


def _queued_mail(world: Any, tmp_path: Path) -> QueuedAddress:
    from accord.capture.services.email import address_rules
    from accord.capture.services.mail_import import import_mail

    for n in (1, 2):
        (tmp_path / f"{n}.eml").write_bytes(RAW % (n, n))
    import_mail(actor=SYSTEM, path=tmp_path, rules=address_rules(["accord.example"]),
                unknown="queue")
    return QueuedAddress.objects.get(value="kim@elsewhere.example")


def test_unknown_sender_on_a_queue_source_is_queued_then_assigned(world, tmp_path) -> None:
    queued = _queued_mail(world, tmp_path)
    assert queued.status == "pending"
    assert not QueuedAddress.objects.filter(value="sales@accord.example").exists()
    done = review.assign_address(actor=world.admin, address_id=queued.pk,
                                 customer_id=world.north_customer.pk)
    assert done.linked == 2
    assert Participant.objects.filter(customer=world.north_customer,
                                      interaction__channel="email").count() == 2
    kinds = {(i.kind, i.value) for i in identities_of(world.north_customer)}
    assert ("email", "kim@elsewhere.example") in kinds


def test_a_dismissed_address_stays_dismissed(world, tmp_path) -> None:
    queued = _queued_mail(world, tmp_path)
    review.dismiss_address(actor=world.admin, address_id=queued.pk)
    (tmp_path / "3.eml").write_bytes(RAW % (3, 3))
    _queued_mail(world, tmp_path)
    assert QueuedAddress.objects.get(pk=queued.pk).status == "dismissed"


def test_assigning_an_address_to_a_new_customer(world, tmp_path) -> None:
    queued = _queued_mail(world, tmp_path)
    done = review.assign_address_to_new_customer(actor=world.admin, address_id=queued.pk,
                                                 display_name="Kim Stranger")
    assert done.linked == 2
    assert find_by_identity(normalise("email", "KIM@elsewhere.example")) == done.customer_id


def test_the_import_command_prints_progress_and_a_summary(world, tmp_path: Path) -> None:
    from io import StringIO

    from django.core.management import call_command

    (tmp_path / "ada.pdf").write_bytes(samples.text_pdf([samples.ADA_LETTER]))
    (tmp_path / "grace.png").write_bytes(samples.png(samples.STRANGER_LETTER))
    (tmp_path / "zero.tif").write_bytes(b"")
    out = StringIO()
    call_command("import", "documents", str(tmp_path), "--channel", "fax", stdout=out)
    text = out.getvalue()
    assert "3 documents: 1 captured on a customer's timeline" in text
    assert "1 queued for review" in text and "1 rejected" in text
    assert "zero.tif: The file is empty (0 bytes)." in text
    assert Interaction.objects.get(source="documents").channel == "fax"
