"""The IMAP connector against a real dovecot on loopback (tests/capture/dovecot.py)."""

from __future__ import annotations

import socket
import traceback
import uuid

import pytest

from accord.capture.connectors.imap import (
    FolderBatch,
    FolderState,
    ImapError,
    ImapLoginFailed,
    ImapMailbox,
    ImapSettings,
)
from accord.platform.errors import AccordError, InvalidInput
from tests.capture import dovecot
from tests.capture.dovecot import ImapAccount

# The real-server fixtures, bound here so pytest finds them (an import would trip F811).
dovecot_server = dovecot.dovecot_server
imap_account = dovecot.imap_account

SEEN = b"\\Seen"


def message(n: int, subject: str = "") -> bytes:
    """A small RFC 822 message, unique across the run (its Message-ID)."""
    return (
        "From: Ada Lovelace <ada@example.com>\r\n"
        "To: Sales <sales@example.test>\r\n"
        f"Subject: {subject or f'Message {n}'}\r\n"
        f"Message-ID: <{n}.{uuid.uuid4().hex}@example.com>\r\n"
        "Date: Mon, 03 Nov 2025 10:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"Body of message {n}.\r\n"
    ).encode()


def sync(account: ImapAccount, folder: str, state: FolderState | None,
         **settings: object) -> list[FolderBatch]:
    with ImapMailbox(account.settings(**settings)) as box:
        return list(box.fetch_new(folder, state))


def uids(batches: list[FolderBatch]) -> list[int]:
    return [m.uid for b in batches for m in b.messages]


# --- which folders -----------------------------------------------------------------------
def test_default_folders_are_inbox_and_the_special_use_sent_folder(imap_account):
    # Our dovecot flags "Sent Messages" \Sent; a plain "Sent" beside it must lose to it.
    imap_account.create_folder("Sent")
    imap_account.create_folder("Sent Messages")
    with ImapMailbox(imap_account.settings()) as box:
        assert box.folders_to_sync() == ["INBOX", "Sent Messages"]


def test_without_special_use_the_sent_folder_is_found_by_its_usual_name(imap_account):
    imap_account.create_folder("Archive")
    imap_account.create_folder("Sent Items")
    with ImapMailbox(imap_account.settings()) as box:
        assert box.folders_to_sync() == ["INBOX", "Sent Items"]


def test_only_inbox_when_there_is_no_sent_folder(imap_account):
    with ImapMailbox(imap_account.settings()) as box:
        assert box.folders_to_sync() == ["INBOX"]


def test_configured_folders_are_synced_instead_of_the_defaults(imap_account):
    imap_account.create_folder("Sent Messages")
    imap_account.create_folder("Customers")
    imap_account.create_folder("Customers.Key accounts")  # "." is dovecot's separator here
    raw = message(1)
    uid = imap_account.append("Customers.Key accounts", raw)
    folders = ("Customers", "Customers.Key accounts")
    with ImapMailbox(imap_account.settings(folders=folders)) as box:
        assert box.folders_to_sync() == list(folders)
        [batch] = list(box.fetch_new("Customers.Key accounts", None))
    assert [(m.folder, m.uid, m.raw) for m in batch.messages] == [
        ("Customers.Key accounts", uid, raw)]


def test_a_missing_configured_folder_is_invalid_input_naming_it(imap_account):
    settings = imap_account.settings(folders=("INBOX", "Customers"))
    with ImapMailbox(settings) as box:
        with pytest.raises(InvalidInput) as raised:
            box.folders_to_sync()
        assert raised.value.field == "folders"
        assert "'Customers'" in raised.value.message
        # Asking for it directly says the same, not a generic server error.
        with pytest.raises(InvalidInput, match="'Customers'"):
            list(box.fetch_new("Customers", None))


# --- incremental reading -----------------------------------------------------------------
def test_first_sync_reads_every_message_exactly_in_uid_order(imap_account):
    raws = [message(n) for n in range(3)]
    appended = [imap_account.append("INBOX", raw) for raw in raws]
    [batch] = sync(imap_account, "INBOX", None)
    assert [m.raw for m in batch.messages] == raws  # byte for byte
    assert uids([batch]) == appended == sorted(appended)
    assert batch.state.last_uid == appended[-1] and batch.reset is False
    assert batch.failed == ()


def test_a_second_sync_reads_only_what_is_new(imap_account):
    for n in range(3):
        imap_account.append("INBOX", message(n))
    first = sync(imap_account, "INBOX", None)
    assert len(uids(first)) == 3
    state = first[-1].state
    new = [imap_account.append("INBOX", message(n)) for n in (3, 4)]
    second = sync(imap_account, "INBOX", state)
    assert uids(second) == new
    assert second[-1].state == FolderState(state.uidvalidity, new[-1])
    assert not second[-1].reset
    # And once more: nothing new, nothing to save.
    assert sync(imap_account, "INBOX", second[-1].state) == []


def test_the_highest_uid_is_not_read_again_when_the_search_range_lies_above_it(imap_account):
    # After the last message is expunged, UIDNEXT lies above the highest UID, so the
    # connector has to ask; "UID n:*" then answers with the highest UID though it is < n.
    kept = [imap_account.append("INBOX", message(n)) for n in range(2)]
    gone = imap_account.append("INBOX", message(2))
    state = sync(imap_account, "INBOX", None)[-1].state
    assert state.last_uid == gone
    imap_account.expunge("INBOX", [gone])
    assert sync(imap_account, "INBOX", state) == []
    assert kept[-1] < state.last_uid


def test_an_empty_folder_yields_one_empty_batch_with_its_checkpoint(imap_account):
    [batch] = sync(imap_account, "INBOX", None)
    assert batch.messages == () and batch.state.last_uid == 0 and batch.state.uidvalidity > 0
    assert sync(imap_account, "INBOX", batch.state) == []


def test_messages_come_in_batches_each_with_the_checkpoint_after_it(imap_account):
    appended = [imap_account.append("INBOX", message(n)) for n in range(5)]
    batches = sync(imap_account, "INBOX", None, batch=2)
    assert [len(b.messages) for b in batches] == [2, 2, 1]
    assert [b.state.last_uid for b in batches] == [appended[1], appended[3], appended[4]]
    assert uids(batches) == appended
    # Resuming from the first batch's checkpoint reads exactly the rest.
    assert uids(sync(imap_account, "INBOX", batches[0].state, batch=2)) == appended[2:]


def test_a_new_uidvalidity_resets_the_folder_and_rereads_everything(imap_account):
    imap_account.create_folder("Projects")
    for n in range(2):
        imap_account.append("Projects", message(n))
    old = sync(imap_account, "Projects", None)[-1].state
    # Deleting and recreating a folder gives it a new UIDVALIDITY (its UIDs start over).
    imap_account.delete_folder("Projects")
    imap_account.create_folder("Projects")
    raws = [message(n) for n in (10, 11, 12)]
    appended = [imap_account.append("Projects", raw) for raw in raws]
    batches = sync(imap_account, "Projects", old)
    assert all(b.reset for b in batches)
    assert batches[-1].state.uidvalidity != old.uidvalidity
    # UID 1 and 2 are at or below the old checkpoint, yet they are read: it no longer holds.
    assert uids(batches) == appended and appended[0] <= old.last_uid
    assert [m.raw for b in batches for m in b.messages] == raws


def test_a_reset_of_an_emptied_folder_still_hands_back_the_new_checkpoint(imap_account):
    imap_account.create_folder("Projects")
    imap_account.append("Projects", message(1))
    old = sync(imap_account, "Projects", None)[-1].state
    imap_account.delete_folder("Projects")
    imap_account.create_folder("Projects")
    [batch] = sync(imap_account, "Projects", old)
    assert batch.reset and batch.messages == () and batch.state.last_uid == 0
    assert batch.state.uidvalidity != old.uidvalidity


def test_reading_marks_nothing_as_seen(imap_account):
    imap_account.create_folder("Sent Messages")
    imap_account.append("INBOX", message(1))
    imap_account.append("Sent Messages", message(2))
    already_seen = imap_account.append("INBOX", message(3), flags=[SEEN])
    with ImapMailbox(imap_account.settings()) as box:
        read = [m for folder in box.folders_to_sync()
                for b in box.fetch_new(folder, None) for m in b.messages]
    assert len(read) == 3
    inbox, sent = imap_account.flags("INBOX"), imap_account.flags("Sent Messages")
    assert [uid for uid, flags in {**inbox, **sent}.items() if SEEN in flags] == [already_seen]


def test_a_message_the_server_no_longer_returns_is_skipped_and_reported(imap_account):
    first, second, third = (imap_account.append("INBOX", message(n)) for n in range(3))
    with ImapMailbox(imap_account.settings(batch=2)) as box:
        batches = box.fetch_new("INBOX", None)
        assert uids([next(batches)]) == [first, second]
        # Another client expunges the third message after our SEARCH saw it.
        imap_account.expunge("INBOX", [third])
        last = next(batches)
        assert list(batches) == []
    assert last.messages == ()
    assert [uid for uid, _ in last.failed] == [third]
    assert "no message" in last.failed[0][1]
    assert last.state.last_uid == third  # skipped for good, not retried forever


# --- connection, login, security ---------------------------------------------------------
def test_a_wrong_password_is_an_imap_error_that_never_shows_the_password(imap_account):
    wrong = "not-" + imap_account.password
    with pytest.raises(ImapLoginFailed) as raised:
        ImapMailbox(imap_account.settings(password=wrong)).connect()
    error = raised.value
    assert isinstance(error, ImapError) and isinstance(error, AccordError)
    assert error.field == "password" and imap_account.username in error.message
    shown = "".join(traceback.format_exception(error)) + repr(error) + str(error.as_dict())
    assert wrong not in shown and imap_account.password not in shown


def test_an_unreachable_server_is_an_imap_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = ImapSettings(host="127.0.0.1", port=port, security="plain",
                            username="u", password="hunter2-secret", timeout=5)
    with pytest.raises(ImapError, match=f"127.0.0.1:{port}") as raised:
        ImapMailbox(settings).connect()
    assert "hunter2-secret" not in str(raised.value)


def test_tls_to_a_plain_server_fails_cleanly(imap_account):
    with pytest.raises(ImapError, match="Cannot connect"):
        ImapMailbox(imap_account.settings(security="tls")).connect()


def test_starttls_is_refused_when_the_server_does_not_offer_it(imap_account):
    with pytest.raises(ImapError, match="STARTTLS") as raised:
        ImapMailbox(imap_account.settings(security="starttls")).connect()
    assert raised.value.field == "security"


@pytest.mark.parametrize("host", ["imap.example.com", "192.0.2.10", "10.0.0.1", "::2"])
def test_plain_imap_is_refused_for_any_host_but_this_machine(host):
    with pytest.raises(InvalidInput) as raised:
        ImapSettings(host=host, port=143, security="plain", password="secret")
    assert raised.value.field == "security"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST"])
def test_plain_imap_is_allowed_on_loopback(host):
    assert ImapSettings(host=host, port=143, security="plain").security == "plain"


def test_settings_are_checked_and_never_show_the_password():
    settings = ImapSettings(host="imap.example.com", username="ada", password="hunter2")
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in repr(ImapMailbox(settings))
    with pytest.raises(InvalidInput) as raised:
        ImapSettings(host="imap.example.com", security="ssl")
    assert raised.value.field == "security"
    with pytest.raises(InvalidInput):
        ImapSettings(host="imap.example.com", batch=0)
