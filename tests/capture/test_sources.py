"""Capture sources end to end against a real dovecot: add, sync incrementally, survive a
bad message and a dead server, and never show the password."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import pytest
from django.core.management import call_command

from accord.capture.models import CaptureProblem, Source
from accord.capture.services.sources import add_source, due_sources, sync_due, sync_source
from accord.interactions.models import Interaction, Participant
from accord.platform.actors import SYSTEM
from accord.platform.errors import AccordError, InvalidInput, PermissionDenied
from tests.capture import dovecot
from tests.conftest import at

dovecot_server = dovecot.dovecot_server
imap_account = dovecot.imap_account

pytestmark = pytest.mark.django_db


def _raw(n: int, sender: str = "Ada <ada@example.com>", to: str = "sales@accord.example",
         subject: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"] = sender, to
    msg["Subject"] = subject or f"Question {n}"
    msg["Date"] = format_datetime(at(n))
    msg["Message-ID"] = f"<imap{n}@mail.example>"
    msg.set_content(f"Body {n}")
    return bytes(msg)


def _source(account: Any, **settings: Any) -> Source:
    return add_source(actor=SYSTEM, name="sales-inbox", kind="imap", settings={
        "host": account.host, "port": account.port, "security": "plain",
        "username": account.username, "own_domains": ["accord.example"], **settings},
        secrets={"password": account.password}, every_minutes=5)


def test_sync_is_incremental_and_resumes_from_its_checkpoint(world: Any,
                                                             imap_account: Any) -> None:
    for n in (1, 2, 3):
        imap_account.append("INBOX", _raw(n))
    source = _source(imap_account)
    first = sync_source(actor=SYSTEM, source_id=source.pk)
    assert first.captured == 3
    assert Participant.objects.filter(customer=world.alice_customer).count() == 3
    imap_account.append("INBOX", _raw(4))
    imap_account.append("INBOX", _raw(5, sender="sales@accord.example", to="ada@example.com"))
    second = sync_source(actor=SYSTEM, source_id=source.pk)
    assert (second.captured, second.present) == (2, 0)  # only what is new is read
    source.refresh_from_db()
    assert source.status == "ok" and source.captured == 5 and source.checkpoint["INBOX"]
    assert Interaction.objects.get(external_id="imap5@mail.example").direction == "outbound"
    assert sync_source(actor=SYSTEM, source_id=source.pk).seen == 0


def test_a_bad_message_is_reported_and_the_sync_goes_on(world: Any, imap_account: Any) -> None:
    imap_account.append("INBOX", _raw(1))
    imap_account.append("INBOX", b"From: nobody\r\nTo: \r\nSubject: no addresses\r\n\r\nx")
    imap_account.append("INBOX", _raw(3))
    source = _source(imap_account)
    report = sync_source(actor=SYSTEM, source_id=source.pk)
    assert report.captured == 2 and len(report.rejected) == 1
    problem = CaptureProblem.objects.get(source=source, partial=False)
    assert "INBOX uid" in problem.item and problem.reason


def test_a_dead_server_marks_the_source_failing_and_backs_off(world: Any,
                                                              imap_account: Any) -> None:
    source = _source(imap_account)
    Source.objects.filter(pk=source.pk).update(settings={**source.settings, "port": 1})
    with pytest.raises(AccordError):
        sync_source(actor=SYSTEM, source_id=source.pk)
    source.refresh_from_db()
    assert source.status == "failing" and source.failures == 1 and source.last_error
    assert imap_account.password not in source.last_error
    assert source.pk not in due_sources()  # backing off
    outcomes = sync_due(now=source.next_sync_at)
    assert outcomes[source.pk].startswith("failed")


def test_wrong_password_never_leaks(world: Any, imap_account: Any) -> None:
    source = add_source(actor=SYSTEM, name="bad", kind="imap", settings={
        "host": imap_account.host, "port": imap_account.port, "security": "plain",
        "username": imap_account.username}, secrets={"password": "wrong-secret-123"})
    with pytest.raises(AccordError) as caught:
        sync_source(actor=SYSTEM, source_id=source.pk)
    source.refresh_from_db()
    assert "wrong-secret-123" not in caught.value.message + source.last_error
    assert "wrong-secret-123" not in source.sealed_secrets  # sealed, not plain


def test_settings_are_checked_and_only_admins_configure(world: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        add_source(actor=SYSTEM, name="x", kind="imap", settings={"host": "mail.example",
                                                                  "security": "plain"})
    assert caught.value.field == "security"  # plain IMAP only on this machine
    with pytest.raises(InvalidInput):
        add_source(actor=SYSTEM, name="y", kind="imap", settings={"host": ""})
    with pytest.raises(PermissionDenied):
        add_source(actor=world.alice, name="z", kind="imap", settings={"host": "m.example"})


def test_cli_add_sync_status(world: Any, imap_account: Any, capsys: Any,
                             monkeypatch: Any) -> None:
    imap_account.append("INBOX", _raw(1))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(imap_account.password + "\n"))
    call_command("capture", "add", "imap", "cli-box", "--host", imap_account.host,
                 "--port", str(imap_account.port), "--security", "plain",
                 "--username", imap_account.username, "--password-stdin")
    call_command("capture", "sync", "cli-box")
    call_command("capture", "status", "cli-box")
    call_command("capture", "list")
    out = capsys.readouterr().out
    assert "1 captured" in out and "cli-box" in out
    assert imap_account.password not in out


def test_an_on_demand_source_is_not_retried_by_itself(world: Any, imap_account: Any) -> None:
    source = add_source(actor=SYSTEM, name="manual", kind="imap", every_minutes=0, settings={
        "host": imap_account.host, "port": 1, "security": "plain"})
    assert source.next_sync_at is None
    with pytest.raises(AccordError):
        sync_source(actor=SYSTEM, source_id=source.pk)
    source.refresh_from_db()
    assert source.status == "failing" and source.next_sync_at is None
