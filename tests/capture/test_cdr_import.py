"""`accord import cdr`: Asterisk Master.csv files (tests/fixtures/cdr) onto timelines,
idempotently, with bad lines reported by number and the import going on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from accord.capture.models import CaptureProblem
from accord.customers.models import Customer, Identity
from accord.interactions.models import Interaction, Participant

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures" / "cdr"
OWN = ("--own-number", "0113 496 0000")


def run(capsys: Any, path: Path, *options: str) -> str:
    call_command("import", "cdr", str(path), *OWN, *options)
    return str(capsys.readouterr().out)


def calls() -> Any:
    return Interaction.objects.filter(channel="call", source="asterisk")


def call(uniqueid: str) -> Any:
    return calls().get(external_id=uniqueid)


def test_import_reports_bad_lines_and_a_rerun_adds_nothing(world: Any, capsys: Any) -> None:
    out = run(capsys, FIXTURES / "Master.csv")
    assert "10 call records: 5 captured, 0 already present, 2 skipped" in out
    assert "3 rejected; 2 new customers" in out
    assert "rejected Master.csv line 7: start 'yesterday' is not a date" in out
    assert "rejected Master.csv line 8: duration 'abc'" in out
    assert "rejected Master.csv line 9: 3 columns" in out
    assert CaptureProblem.objects.filter(item="Master.csv line 8").exists()
    again = run(capsys, FIXTURES / "Master.csv")
    assert "0 captured, 5 already present, 2 skipped" in again
    assert calls().count() == 5 and Customer.objects.count() == 6  # world's 4 + 2


def test_queue_calls_carry_their_wait_queue_and_disposition(world: Any, capsys: Any) -> None:
    run(capsys, FIXTURES / "Master.csv")
    queued = call("1741083302.18")
    assert (queued.direction, queued.occurred_at.isoformat()) == \
        ("inbound", "2025-03-04T10:15:02+00:00")
    assert {k: queued.metadata[k] for k in ("duration_seconds", "wait_seconds", "queue",
                                            "disposition", "total_seconds")} == {
        "duration_seconds": 313, "wait_seconds": 45, "queue": "support",
        "disposition": "answered", "total_seconds": 358}
    party = Participant.objects.get(interaction=queued)
    assert (party.customer_id, party.role) == (world.alice_customer.pk, "caller")
    missed = call("1741091400.28")
    assert (missed.metadata["disposition"], missed.metadata["wait_seconds"]) == ("no answer", 25)
    abandoned = call("1741107600.40")  # waited 91 s in "sales", nobody answered
    assert (abandoned.metadata["queue"], abandoned.metadata["wait_seconds"]) == ("sales", 91)


def test_direction_own_lines_and_extensions(world: Any, capsys: Any) -> None:
    run(capsys, FIXTURES / "Master.csv")
    outbound = call("1741086000.26")  # extension 201 dialled out
    assert (outbound.direction, outbound.metadata["wait_seconds"]) == ("outbound", 12)
    callee = Participant.objects.get(interaction=outbound)
    assert callee.role == "callee" and callee.address == "+44 20 7946 0999"
    # The new customer is named after the number, not after our caller (Alice).
    assert Customer.objects.get(pk=callee.customer_id).display_name == "+44 20 7946 0999"
    busy = call("1741096800.32")
    assert (busy.direction, busy.metadata["disposition"]) == ("outbound", "busy")
    assert not calls().filter(external_id="1741093200.30").exists()  # 201 -> 202: internal
    assert not Identity.objects.filter(value__in=["201", "202", "+441134960000"]).exists()


def test_own_numbers_are_never_customers(world: Any, capsys: Any, tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_text(
        '"","01134960000","07911123456","from-internal","","SIP/201-1","SIP/trunk-2","Dial",'
        '"SIP/trunk/07911123456","2025-03-06 09:00:00","2025-03-06 09:00:05",'
        '"2025-03-06 09:01:05",65,60,"ANSWERED","DOCUMENTATION","1741251600.1",""\n'
        '"","07911123456","+44 113 496 0000","from-trunk","","SIP/trunk-3","","Dial",'
        '"SIP/201","2025-03-06 10:00:00","","2025-03-06 10:00:20",20,0,"NO ANSWER",'
        '"DOCUMENTATION","1741255200.2",""\n')
    out = run(capsys, path)
    assert "2 captured" in out and "0 new customers" in out
    assert call("1741251600.1").direction == "outbound"
    assert call("1741255200.2").direction == "inbound"
    assert set(Participant.objects.filter(interaction__source="asterisk")
               .values_list("customer_id", flat=True)) == {world.alice_customer.pk}


def test_newer_asterisk_columns_keep_records_of_one_channel_apart(world: Any,
                                                                   capsys: Any) -> None:
    out = run(capsys, FIXTURES / "asterisk13")  # a folder
    assert "2 captured" in out and "1 new customers" in out
    first, second = call("1741165200.1/3"), call("1741165200.1/4")
    assert first.metadata["cdr_linkedid"] == "1741165200.1"
    grace = Customer.objects.get(display_name="Grace Hopper")
    assert set(Participant.objects.filter(interaction__in=[first, second])
               .values_list("customer_id", flat=True)) == {grace.pk}


def test_unknown_numbers_can_wait_in_the_queue(world: Any, capsys: Any) -> None:
    out = run(capsys, FIXTURES / "Master.csv", "--unknown-senders", "queue")
    assert "5 captured" in out and "0 new customers" in out
    waiting = Participant.objects.get(interaction=call("1741096800.32"))
    assert waiting.customer_id is None and waiting.address == "+44 7400 654321"


def test_a_header_line_time_zone_and_junk_files(world: Any, capsys: Any,
                                                tmp_path: Path) -> None:
    (tmp_path / "export.csv").write_text(
        "uniqueid,src,dst,start,answer,duration,billsec,disposition,lastapp,lastdata\n"
        "x-1,07911123456,201,2025-07-01 09:00:00,2025-07-01 09:00:03,63,60,ANSWERED,"
        "Dial,SIP/201\n")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "junk.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    out = run(capsys, tmp_path, "--timezone", "Europe/London")
    assert "1 captured" in out and "rejected junk.csv line 1" in out
    assert call("x-1").occurred_at.isoformat() == "2025-07-01T08:00:00+00:00"  # BST


def test_a_missing_path_and_a_bad_time_zone_are_errors(world: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no such file"):
        call_command("import", "cdr", "/nonexistent/Master.csv")
    with pytest.raises(CommandError, match="--timezone"):
        call_command("import", "cdr", str(FIXTURES / "Master.csv"), "--timezone", "Mars/Base")
