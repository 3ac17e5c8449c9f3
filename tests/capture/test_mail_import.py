"""`accord import email`: mbox, Maildir and .eml files onto the right timelines, once."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from accord.capture.models import CaptureProblem
from accord.capture.services.email import MailRules, address_rules
from accord.capture.services.mail_import import import_mail
from accord.customers.models import Customer, Identity
from accord.interactions.models import Interaction, Participant
from accord.platform.actors import SYSTEM
from tests.conftest import at

pytestmark = pytest.mark.django_db


def _mail(n: int, *, sender: str, to: str, subject: str = "", body: str = "Hello",
          reply_to_id: str = "", attachment: bytes = b"", **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject or f"Message {n}"
    msg["Date"] = format_datetime(at(n))
    msg["Message-ID"] = f"<m{n}@mail.example>"
    if reply_to_id:
        msg["In-Reply-To"] = f"<{reply_to_id}>"
        msg["References"] = f"<{reply_to_id}>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    if attachment:
        msg.add_attachment(attachment, maintype="application", subtype="pdf",
                           filename="quote.pdf")
    return msg


def _mbox(path: Path, messages: list[EmailMessage]) -> Path:
    box = mailbox.mbox(path)
    for m in messages:
        box.add(m)
    box.flush()
    box.close()
    return path


def _import(path: Path, **kw: Any) -> Any:
    return import_mail(actor=SYSTEM, path=path,
                       rules=address_rules(["accord.example"]), **kw)


def test_mbox_lands_on_every_party_once_and_reruns_add_nothing(world: Any,
                                                                tmp_path: Path) -> None:
    box = _mbox(tmp_path / "inbox.mbox", [
        _mail(3, sender="Ada <ADA@example.com>", to="sales@accord.example",
              subject="Quote please", attachment=b"%PDF-1.4 quote"),
        _mail(2, sender="sales@accord.example", to="ada@example.com, Zed <zed@new.example>",
              subject="Re: Quote please", reply_to_id="m3@mail.example"),
        _mail(1, sender="Newsletter <news@list.example>", to="ada@example.com",
              List_Id="<news.list.example>", List_Unsubscribe="<mailto:u@list.example>"),
    ])
    report = _import(box)
    assert (report.captured, report.skipped, report.created_customers) == (2, 1, 1)
    first = Interaction.objects.get(external_id="m3@mail.example")
    assert (first.channel, first.direction, first.subject) == ("email", "inbound", "Quote please")
    assert first.attachments.get().filename == "quote.pdf"
    reply = Interaction.objects.get(external_id="m2@mail.example")
    assert reply.direction == "outbound" and reply.thread_key == "m3@mail.example"
    zed = Customer.objects.get(display_name="Zed")
    assert Identity.objects.get(customer=zed).value == "zed@new.example"
    on_ada = Participant.objects.filter(customer=world.alice_customer).count()
    assert on_ada == 2
    # our own mailbox is on the item, but never as a customer
    own = Participant.objects.get(interaction=first, role="to")
    assert own.customer_id is None and own.address == "sales@accord.example"

    again = _import(box)
    assert (again.captured, again.present, again.skipped) == (0, 2, 1)
    assert Interaction.objects.filter(source="email").count() == 2


def test_plus_addresses_match_the_same_customer(world: Any, tmp_path: Path) -> None:
    eml = tmp_path / "one.eml"
    eml.write_bytes(bytes(_mail(1, sender="ada+orders@example.com", to="sales@accord.example")))
    assert _import(eml).captured == 1
    entry = Participant.objects.get(interaction__external_id="m1@mail.example", role="from")
    assert entry.customer_id == world.alice_customer.pk


def test_unknown_senders_can_wait_unmatched(world: Any, tmp_path: Path) -> None:
    eml = tmp_path / "one.eml"
    eml.write_bytes(bytes(_mail(1, sender="who@new.example", to="sales@accord.example")))
    report = _import(eml, unknown="queue")
    assert report.captured == 1 and report.created_customers == 0
    assert not Customer.objects.filter(identities__value="who@new.example").exists()


def test_maildir_folders_and_bad_files_never_stop_the_import(world: Any,
                                                              tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    maildir = mailbox.Maildir(folder / "Maildir", create=True)
    maildir.add(_mail(1, sender="ada@example.com", to="sales@accord.example"))
    (folder / "empty.eml").write_bytes(b"")
    (folder / "junk.eml").write_bytes(bytes(range(256)) * 4)
    report = _import(folder)
    assert report.captured == 1
    assert report.seen == 3
    assert {item.rsplit("/", 1)[-1] for item, _ in report.rejected} <= {"empty.eml", "junk.eml"}
    assert CaptureProblem.objects.filter(origin=f"file:{folder}").count() >= len(report.rejected)


def test_bounce_marks_the_address_undeliverable(world: Any, tmp_path: Path) -> None:
    dsn = (b"From: Mail Delivery System <MAILER-DAEMON@mx.example>\r\n"
           b"To: sales@accord.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
           b"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <dsn1@mx.example>\r\n"
           b"MIME-Version: 1.0\r\n"
           b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n"
           b"\r\n--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
           b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
           b"Reporting-MTA: dns; mx.example\r\n\r\n"
           b"Final-Recipient: rfc822; ada@example.com\r\nAction: failed\r\n"
           b"Status: 5.1.1\r\n\r\n--B--\r\n")
    eml = tmp_path / "bounce.eml"
    eml.write_bytes(dsn)
    assert _import(eml, mail_rules=MailRules()).seen == 1
    identity = Identity.objects.get(value="ada@example.com")
    assert identity.undeliverable_at is not None


def test_cli_prints_a_summary(world: Any, tmp_path: Path, capsys: Any) -> None:
    box = _mbox(tmp_path / "x.mbox", [_mail(1, sender="ada@example.com",
                                            to="sales@accord.example")])
    call_command("import", "email", str(box), "--own-domain", "accord.example")
    out = capsys.readouterr().out
    assert "1 messages: 1 captured" in out and "0 rejected" in out


def test_long_message_ids_that_share_a_prefix_stay_two_messages(world: Any,
                                                                 tmp_path: Path) -> None:
    first = _mail(1, sender="ada@example.com", to="sales@accord.example")
    second = _mail(2, sender="ada@example.com", to="sales@accord.example")
    stem = "x" * 280
    first.replace_header("Message-ID", f"<{stem}a@mail.example>")
    second.replace_header("Message-ID", f"<{stem}b@mail.example>")
    box = _mbox(tmp_path / "long.mbox", [first, second])
    assert _import(box).captured == 2
    assert _import(box).present == 2


def test_a_25_mb_attachment_is_kept_and_one_over_the_limit_is_left_out(
        world: Any, tmp_path: Path) -> None:
    from accord.interactions import services as interaction_services
    from accord.interactions.models import Attachment

    big = b"%PDF-1.4\n" + bytes(range(256)) * (25 * 2**20 // 256)
    path = _mbox(tmp_path / "big.mbox", [
        _mail(1, sender="ada@example.com", to="sales@accord.example", attachment=big),
        _mail(2, sender="ada@example.com", to="sales@accord.example",
              attachment=b"%PDF-1.4\n" + b"x" * (2 * 2**20)),
    ])
    # The limit, lowered for the second message (a 60 MB mail is slow to build in a test).
    real_limit = interaction_services.MAX_ATTACHMENT_BYTES
    interaction_services.MAX_ATTACHMENT_BYTES = 26 * 2**20
    try:
        first = _import(path, workers=1)
        assert first.captured == 2 and not first.rejected
        kept = Attachment.objects.get(interaction__external_id="m1@mail.example")
        assert kept.size == len(big)
        interaction_services.MAX_ATTACHMENT_BYTES = 2**20
        Interaction.objects.filter(external_id="m2@mail.example").delete()
        second = _import(path, workers=1)
    finally:
        interaction_services.MAX_ATTACHMENT_BYTES = real_limit
    assert second.captured == 1 and second.partial == 1 and second.present == 1
    message = Interaction.objects.get(external_id="m2@mail.example")
    assert not Attachment.objects.filter(interaction=message).exists()
    assert "over the 1 MB limit" in " ".join(message.metadata["problems"])
    assert CaptureProblem.objects.filter(item__endswith="message 2", partial=True).exists()
