"""`accord import`: good rows in, bad rows reported by line and field, re-runs add
nothing, and only an unreadable file fails the command."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError

from accord.customers.models import Customer, Identity
from accord.interactions.models import Interaction
from accord.transactions.models import Transaction
from tests.cli.conftest import run

pytestmark = pytest.mark.django_db

CUSTOMERS_CSV = """\
External ID,First Name,Last Name,Email,Phone,Address,Company,Owner,Kind,Name
C-1,Grace,Hopper,Grace.Hopper@Example.com,07400 123123,"1 Navy Way, Arlington",Navy Labs,alice,,
C-2,Alan,Turing,alan@example.org;a.turing@example.net,+44 7400 111222,,,,,
C-3,Bad,Email,not-an-email,,,,,,
,No,Keys,,07400 333444,,,,,
C-4,Bad,Owner,bo@example.com,,,,nobody,,
C-5,,,info@acme.example,,,,,organisation,Acme Ltd
C-6,Clash,Row,alan@example.org,,,,,,
C-7,Bad,Phone,bp@example.com,12345,,,,,
C-8,Bad,Kind,bk@example.com,,,,,robot,
"""


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def imported(kind: str, path: Path, *args: str) -> tuple[str, list[tuple[int, str]]]:
    """Run an import; its printed output and the (line, field) of each rejected row, read
    from the --errors file."""
    errors = path.with_name(path.name + ".errors.csv")
    out = run("import", kind, str(path), "--errors", str(errors), *args)
    with errors.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return out, [(int(r["line"]), r["field"]) for r in rows]


def test_customers_csv(tmp_path: Path, world: Any) -> None:
    path = write(tmp_path, "crm.csv", CUSTOMERS_CSV)
    before = Customer.objects.count()

    out, rejected = imported("customers", path)

    assert rejected == [(4, "email"), (5, "external_id"), (6, "owner"), (8, "email"),
                             (9, "phone"), (10, "kind")]
    assert "customers (source 'import:crm'): 3 imported, 0 already present, 6 rejected." in out
    grace = Customer.objects.get(identities__kind="external_id", identities__value="C-1")
    assert (grace.given_name, grace.family_name, grace.owner_id) == ("Grace", "Hopper",
                                                                     world.alice.pk)
    assert grace.organisation is not None and grace.organisation.display_name == "Navy Labs"
    assert set(grace.identities.values_list("kind", "value")) == {
        ("external_id", "C-1"), ("email", "grace.hopper@example.com"),
        ("phone", "+447400123123"), ("address", "1 navy way, arlington")}
    assert Identity.objects.filter(value__in=["alan@example.org", "a.turing@example.net"],
                                   customer__family_name="Turing").count() == 2
    assert Customer.objects.get(display_name="Acme Ltd").kind == "organisation"
    assert Customer.objects.count() == before + 4  # three rows and one new organisation

    again = run("import", "customers", str(path))
    assert "0 imported, 3 already present, 6 rejected." in again
    assert Customer.objects.count() == before + 4


def test_customers_jsonl_and_error_file(tmp_path: Path) -> None:
    path = write(tmp_path, "people.jsonl", "\n".join([
        json.dumps({"email": ["ann@example.com", "ann.b@example.com"], "name": "Ann B"}),
        "{broken",
        json.dumps(["not", "an", "object"]),
        "",
        json.dumps({"external_id": "P-9", "given_name": "Pat", "lifecycle": "dormant"}),
    ]) + "\n")
    out, rejected = imported("customers", path)
    assert rejected == [(2, ""), (3, ""), (5, "lifecycle")]
    assert "1 imported" in out and "Rejected rows written to" in out


INTERACTIONS = [
    {"external_id": "m-1", "channel": "email", "direction": "inbound",
     "occurred_at": "2025-03-01T10:00:00Z", "customer": "ada@example.com",
     "subject": "Hello", "text": "Hi there", "thread_key": "t1"},
    {"external_id": "m-2", "channel": "call", "direction": "outbound",
     "occurred_at": "2025-03-01 11:00", "customer": "shop:B-17",
     "metadata": {"duration_seconds": 120, "wait_seconds": 0, "disposition": "answered"}},
    {"external_id": "m-3", "channel": "pigeon", "direction": "inbound",
     "occurred_at": "2025-03-01", "customer": "ada@example.com"},
    {"external_id": "m-4", "channel": "web_visit", "occurred_at": "2025-03-01",
     "customer": "new.person@example.com", "customer_name": "New Person",
     "metadata": {"pages": ["/", "/pricing"]}},
    {"external_id": "m-5", "channel": "meeting", "direction": "outbound",
     "occurred_at": "2025-03-02", "metadata": {"location": "Office"},
     "participants": [{"role": "attendee", "customer": "+44 7911 123456"},
                      {"role": "attendee", "email": "bea@example.net"}]},
    {"channel": "note", "occurred_at": "2025-03-02", "customer": "ada@example.com"},
    {"external_id": "m-7", "channel": "sms", "direction": "inbound",
     "occurred_at": "2025-02-30", "customer": "ada@example.com"},
]


def test_interactions_jsonl(tmp_path: Path, world: Any) -> None:
    path = write(tmp_path, "timeline.jsonl",
                 "\n".join(json.dumps(row) for row in INTERACTIONS) + "\n")

    out, rejected = imported("interactions", path, "--source", "old-crm")

    assert rejected == [(3, "channel"), (4, "customer"), (6, "external_id"),
                             (7, "occurred_at")]
    assert "3 imported, 0 already present, 4 rejected" in out
    email = Interaction.objects.get(source="old-crm", external_id="m-1")
    assert email.participants.get().customer_id == world.alice_customer.pk
    assert email.participants.get().role == "from"
    meeting = Interaction.objects.get(source="old-crm", external_id="m-5")
    assert set(meeting.participants.values_list("customer_id", flat=True)) == {
        world.alice_customer.pk, world.bob_customer.pk}

    created = run("import", "interactions", str(path), "--source", "old-crm",
                  "--create-customers")
    assert "1 imported, 3 already present, 3 rejected" in created
    newcomer = Customer.objects.get(identities__value="new.person@example.com")
    assert newcomer.display_name == "New Person"
    assert Interaction.objects.filter(source="old-crm").count() == 4
    assert "0 imported, 4 already present" in run(
        "import", "interactions", str(path), "--source", "old-crm", "--create-customers")


def test_transactions_csv_needs_only_five_columns(tmp_path: Path, world: Any) -> None:
    path = write(tmp_path, "orders.csv", """\
external_id,customer,occurred_at,amount,currency
T-1,ada@example.com,2025-03-01 10:00,12.50,GBP
T-2,07911 123456,2025-03-02,99,gbp
T-3,shop:B-17,2025-03-03T09:00:00+01:00,5.00,EUR
T-4,nobody@example.com,2025-03-04,1.00,GBP
T-5,shop:B-17,yesterday,1.00,GBP
T-6,shop:B-17,2025-03-05,-3,GBP
T-7,shop:B-17,2025-03-05,3,POUNDS
T-8,07400 900123,2025-03-05,3.10,GBP
""")
    out, rejected = imported("transactions", path)
    assert rejected == [(5, "customer"), (6, "occurred_at"), (7, "amount"),
                             (8, "currency"), (9, "customer")]
    assert "3 imported, 0 already present, 5 rejected" in out
    assert Transaction.objects.get(external_id="T-2").currency == "GBP"

    out = run("import", "transactions", str(path), "--create-customers")
    assert "2 imported, 3 already present, 3 rejected" in out
    by_phone = Customer.objects.get(identities__kind="phone", identities__value="+447400900123")
    assert Transaction.objects.get(external_id="T-8").customer_id == by_phone.pk
    assert Transaction.objects.filter(source="import:orders").count() == 5


def test_transaction_lines(tmp_path: Path, world: Any) -> None:
    path = write(tmp_path, "lines.jsonl", "\n".join(json.dumps(r) for r in [
        {"external_id": "L-1", "customer": "ada@example.com", "occurred_at": "2025-01-01",
         "amount": "30.00", "currency": "GBP",
         "lines": [{"sku": "MUG", "name": "Mug", "quantity": 2, "unit_price": "10.00"},
                   {"sku": "TEA", "name": "Tea", "unit_price": "10.00"}]},
        {"external_id": "L-2", "customer": "ada@example.com", "occurred_at": "2025-01-01",
         "amount": "3.00", "currency": "GBP", "lines": [{"name": "No price"}]},
    ]) + "\n")
    _, rejected = imported("transactions", path)
    assert rejected == [(2, "lines[0].unit_price")]
    assert Transaction.objects.get(external_id="L-1").lines.count() == 2


VCARDS = """\
BEGIN:VCARD
VERSION:3.0
UID:card-ada
FN:Ada Lovelace
N:Lovelace;Ada;;;
ORG:Analytical Engines Ltd
EMAIL;TYPE=work:ada.lovelace@example.com
TEL;TYPE=cell:07400 654321
ADR;TYPE=home:;;12 High Street;London;;N1 2AB;UK
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Charles Babbage
N:Babbage;Charles;;;
TEL:not a phone
END:VCARD
BEGIN:VCARD
VERSION:4.0
KIND:org
FN:Difference Engines plc
EMAIL:hello@difference.example
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Only Phone
TEL:+44 7400 555666
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Never Ends
"""


def test_vcards(tmp_path: Path) -> None:
    path = write(tmp_path, "contacts.vcf", VCARDS)
    out, rejected = imported("vcard", path)
    assert rejected == [(11, "TEL"), (28, "END")]  # the lines their cards begin on
    assert "3 imported, 0 already present, 2 rejected" in out
    ada = Customer.objects.get(identities__kind="external_id", identities__value="card-ada")
    assert (ada.given_name, ada.family_name) == ("Ada", "Lovelace")
    assert ada.organisation is not None
    assert ada.organisation.display_name == "Analytical Engines Ltd"
    assert set(ada.identities.values_list("kind", flat=True)) == {
        "external_id", "email", "phone", "address"}
    assert Customer.objects.get(display_name="Difference Engines plc").kind == "organisation"
    assert "0 imported, 3 already present, 2 rejected" in run("import", "vcard", str(path))


def test_unreadable_files_fail_the_command(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run("import", "customers", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match=r"unknown file type '\.xlsx'"):
        run("import", "customers", str(write(tmp_path, "book.xlsx", "x")))
    with pytest.raises(CommandError, match="the first line must name the columns"):
        run("import", "customers", str(write(tmp_path, "empty.csv", "\n")))
    binary = tmp_path / "latin1.csv"
    binary.write_bytes("email\nzo\xeb@example.com\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run("import", "customers", str(binary))
    with pytest.raises(CommandError, match="no BEGIN:VCARD"):
        run("import", "vcard", str(write(tmp_path, "notes.vcf", "hello\n")))
    with pytest.raises(CommandError, match="--create-customers: only for"):
        run("import", "customers", str(write(tmp_path, "ok.csv", "email\na@example.com\n")),
            "--create-customers")
