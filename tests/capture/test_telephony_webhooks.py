"""Twilio's webhooks end to end: recorded payloads (tests/fixtures/twilio), signed as
Twilio signs them, posted to the real endpoints of the real app."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from django.test import Client

from accord.capture.models import CaptureProblem, Source
from accord.capture.services.sources import add_source
from accord.customers.models import Customer, Identity
from accord.interactions.models import Interaction, Participant
from accord.platform.actors import SYSTEM
from accord.platform.errors import InvalidInput
from accord.platform.models import OutboxEvent
from tests.capture.test_telephony_domain import sign

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures" / "twilio"
TOKEN = "3c5a1f0e9d8b7a6f5e4d3c2b1a0f9e8d"
PUBLIC = "https://crm.example.com"
ACCOUNT = "AC3f9b8d2e61c04a7a9e5d1b0c8f2a6e47"


def payload(name: str, **changes: str | None) -> list[tuple[str, str]]:
    """A recorded body's fields in their order; ``None`` drops a field."""
    fields = parse_qsl((FIXTURES / f"{name}.form").read_text().strip(),
                       keep_blank_values=True)
    fields = [(k, changes.get(k, v)) for k, v in fields if changes.get(k, v) is not None]
    return fields + [(k, v) for k, v in changes.items()
                     if v is not None and k not in dict(fields)]


def post(client: Client, path: str, fields: list[tuple[str, str]], *, token: str = TOKEN,
         signature: str | None = None, signed_url: str | None = None) -> Any:
    """Post like Twilio: the form body, signed over the URL as configured."""
    if signature is None:
        signature = sign(token, signed_url or PUBLIC + path, dict(fields))
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return client.post(path, data=urlencode(fields),
                       content_type="application/x-www-form-urlencoded", **headers)


@pytest.fixture
def twilio(world: Any) -> Source:
    return add_source(actor=SYSTEM, name="main-line", kind="twilio", every_minutes=0,
                      settings={"public_url": PUBLIC + "/",
                                "own_numbers": ["+44 113 496 0000", "020 7946 0123"]},
                      secrets={"auth_token": TOKEN})


VOICE = "/hooks/twilio/main-line/voice"
SMS = "/hooks/twilio/main-line/sms"


def calls() -> Any:
    return Interaction.objects.filter(channel="call")


def test_a_signed_status_callback_puts_the_call_on_the_callers_timeline(
        client: Client, world: Any, twilio: Source) -> None:
    response = post(client, VOICE, payload("voice_inbound_completed"))
    assert response.status_code == 204
    call = calls().get()
    assert (call.direction, call.source, call.external_id) == \
        ("inbound", "twilio", "CA8d6f5c4b3a2e1f0d9c8b7a6e5f4d3c2b")
    assert call.metadata["duration_seconds"] == 312
    assert call.metadata["disposition"] == "answered"
    assert call.occurred_at.isoformat() == "2025-03-04T10:15:09+00:00"  # 10:20:21 - 312 s
    party = Participant.objects.get(interaction=call)
    assert (party.customer_id, party.role, party.address) == \
        (world.alice_customer.pk, "caller", "+44 7911 123456")
    twilio.refresh_from_db()
    assert (twilio.captured, twilio.status) == (1, "ok")


@pytest.mark.parametrize("case", ["missing", "wrong token", "other url", "tampered"])
def test_a_bad_or_missing_signature_is_refused(client: Client, twilio: Source,
                                               case: str) -> None:
    fields = payload("voice_inbound_completed")
    if case == "missing":
        response = post(client, VOICE, fields, signature="")
    elif case == "wrong token":
        response = post(client, VOICE, fields, token="not-the-token")
    elif case == "other url":
        response = post(client, VOICE, fields, signed_url="http://crm.example.com" + VOICE)
    else:
        good = sign(TOKEN, PUBLIC + VOICE, dict(fields))
        response = post(client, VOICE, payload("voice_inbound_completed", CallDuration="1"),
                        signature=good)
    assert response.status_code == 403
    assert "X-Twilio-Signature" in response.content.decode()
    assert not calls().exists() and not CaptureProblem.objects.exists()


def test_unknown_sources_and_other_methods(client: Client, twilio: Source) -> None:
    fields = payload("sms_inbound")
    assert post(client, "/hooks/twilio/nobody/sms", fields).status_code == 404
    assert client.get(SMS).status_code == 405
    add_source(actor=SYSTEM, name="mailbox", kind="imap", every_minutes=0,
               settings={"host": "127.0.0.1", "security": "plain"})
    assert post(client, "/hooks/twilio/mailbox/sms", fields).status_code == 404


@pytest.mark.parametrize(("fixture", "path", "field"), [
    ("voice_inbound_completed", VOICE, "CallSid"),
    ("voice_inbound_completed", VOICE, "CallStatus"),
    ("sms_inbound", SMS, "From"),
    ("sms_inbound", SMS, "Body"),
    ("sms_inbound", SMS, "MessageSid"),
])
def test_a_signed_request_missing_a_field_is_a_400_naming_it(
        client: Client, twilio: Source, fixture: str, path: str, field: str) -> None:
    response = post(client, path, payload(fixture, **{field: None}))
    assert response.status_code == 400
    assert field in response.content.decode()
    problem = CaptureProblem.objects.get()
    assert problem.source_id == twilio.pk and field in problem.reason
    twilio.refresh_from_db()
    assert twilio.rejected == 1


def test_a_bad_value_is_a_400_too(client: Client, twilio: Source) -> None:
    response = post(client, VOICE, payload("voice_inbound_completed", CallStatus="exploded"))
    assert response.status_code == 400 and "CallStatus" in response.content.decode()


def test_repeated_callbacks_update_one_call(client: Client, world: Any,
                                            twilio: Source) -> None:
    for name in ("voice_inbound_ringing", "voice_inbound_in_progress",
                 "voice_inbound_completed"):
        assert post(client, VOICE, payload(name)).status_code == 204
    assert post(client, VOICE + "?queue=support",
                payload("voice_enqueue_action")).status_code == 204
    # Twilio retries, and delivers out of order: neither changes the final state.
    assert post(client, VOICE, payload("voice_inbound_completed")).status_code == 204
    assert post(client, VOICE, payload("voice_inbound_in_progress")).status_code == 204
    call = calls().get()
    assert {k: call.metadata.get(k) for k in ("status", "disposition", "duration_seconds",
                                              "wait_seconds", "queue", "sequence")} == {
        "status": "completed", "disposition": "answered", "duration_seconds": 312,
        "wait_seconds": 45, "queue": "support", "sequence": 2}
    assert call.occurred_at.isoformat() == "2025-03-04T10:15:02+00:00"  # the first ring
    assert Participant.objects.filter(interaction=call).count() == 1


@pytest.mark.parametrize("policy", ["create", "queue", "ignore"])
def test_an_unknown_caller_follows_the_sources_policy(client: Client, world: Any,
                                                      twilio: Source, policy: str) -> None:
    Source.objects.filter(pk=twilio.pk).update(unknown_senders=policy)
    before = Customer.objects.count()
    assert post(client, VOICE, payload("voice_unknown_caller_completed")).status_code == 204
    party = Participant.objects.get(interaction=calls().get())
    assert party.address == "+44 7400 654321"
    if policy == "create":
        created = Customer.objects.get(pk=party.customer_id)
        assert created.display_name == "PROSPECT CO"
        assert Identity.objects.get(customer=created).value == "+447400654321"
    else:
        assert party.customer_id is None and Customer.objects.count() == before
        assert calls().get().metadata["unmatched"] == policy


def test_own_numbers_are_never_customers(client: Client, world: Any,
                                         twilio: Source) -> None:
    assert post(client, VOICE, payload("voice_outbound_no_answer")).status_code == 204
    call = calls().get()
    assert (call.direction, call.metadata["disposition"]) == ("outbound", "no answer")
    party = Participant.objects.get(interaction=call)
    assert (party.customer_id, party.role) == (world.alice_customer.pk, "callee")
    # A call between the organisation's own lines lands nowhere and creates nobody.
    internal = payload("voice_outbound_no_answer", CallSid="CA" + "1" * 32,
                       To="+441134960000")
    assert post(client, VOICE, internal).status_code == 204
    assert calls().count() == 1
    own = ("+441134960000", "+442079460123")
    assert not Identity.objects.filter(value__in=own).exists()
    twilio.refresh_from_db()
    assert twilio.skipped == 1


def test_a_withheld_caller_is_accepted_and_skipped(client: Client, twilio: Source) -> None:
    assert post(client, VOICE, payload("voice_withheld_completed")).status_code == 204
    assert not calls().exists()


def test_an_sms_lands_once_with_its_text_and_empty_twiml(client: Client, world: Any,
                                                         twilio: Source) -> None:
    for _ in range(2):
        response = post(client, SMS, payload("sms_inbound"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/xml")
        assert response.content.decode().endswith("<Response/>")
    sms = Interaction.objects.get(channel="sms")
    assert sms.text.startswith("Hi, can you call me back")
    assert (sms.direction, sms.external_id) == ("inbound", "SM2c1b0a9f8e7d6c5b4a39281706f5e4d3")
    assert Participant.objects.get(interaction=sms).customer_id == world.alice_customer.pk
    assert post(client, SMS, payload("mms_inbound")).status_code == 200
    mms = Interaction.objects.get(external_id__startswith="MM")
    assert mms.metadata["num_media"] == 1 and mms.metadata["media"][0]["content_type"] == \
        "image/jpeg"


def test_stop_and_start_publish_consent_requests_once(client: Client, world: Any,
                                                      twilio: Source) -> None:
    for name in ("sms_stop", "sms_stop", "sms_start", "sms_inbound"):
        assert post(client, SMS, payload(name)).status_code == 200
    events = [e.payload for e in OutboxEvent.objects.filter(name="OptOutRequested")
              .order_by("id")]
    assert [(e["customer_id"], e["channel"], e["opt_in"]) for e in events] == [
        (world.alice_customer.pk, "sms", False), (world.alice_customer.pk, "sms", True)]
    assert events[0]["source"] == "twilio:main-line" and events[0]["interaction_id"]


def test_stop_from_an_unmatched_number_publishes_nothing(client: Client, world: Any,
                                                         twilio: Source) -> None:
    Source.objects.filter(pk=twilio.pk).update(unknown_senders="queue")
    stranger = payload("sms_stop", From="+447400654321")
    assert post(client, SMS, stranger).status_code == 200
    assert Interaction.objects.filter(channel="sms").count() == 1
    assert not OutboxEvent.objects.filter(name="OptOutRequested").exists()


def test_an_account_sid_setting_refuses_other_accounts(client: Client, world: Any) -> None:
    add_source(actor=SYSTEM, name="strict", kind="twilio", every_minutes=0,
               settings={"public_url": PUBLIC, "account_sid": "AC" + "0" * 32},
               secrets={"auth_token": TOKEN})
    response = post(client, "/hooks/twilio/strict/sms", payload("sms_inbound"))
    assert response.status_code == 400 and "AccountSid" in response.content.decode()
    settings = {"public_url": PUBLIC, "account_sid": ACCOUNT}
    Source.objects.filter(name="strict").update(settings=settings)
    assert post(client, "/hooks/twilio/strict/sms", payload("sms_inbound")).status_code == 200


@pytest.mark.parametrize(("values", "secrets", "field"), [
    ({"public_url": PUBLIC}, {}, "secrets.auth_token"),
    ({"public_url": "crm.example.com"}, {"auth_token": TOKEN}, "settings.public_url"),
    ({"public_url": PUBLIC + "?x=1"}, {"auth_token": TOKEN}, "settings.public_url"),
    ({"public_url": PUBLIC, "own_numbers": ["+441134960000", "12"]}, {"auth_token": TOKEN},
     "settings.own_numbers[1]"),
    ({"public_url": PUBLIC, "host": "x"}, {"auth_token": TOKEN}, "settings.host"),
    ({"public_url": PUBLIC, "account_sid": "AC1"}, {"auth_token": TOKEN},
     "settings.account_sid"),
])
def test_settings_are_checked_naming_the_field(world: Any, values: dict[str, Any],
                                               secrets: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        add_source(actor=SYSTEM, name="bad", kind="twilio", settings=values,
                   secrets=secrets, every_minutes=0)
    assert caught.value.field == field


def test_the_auth_token_is_sealed_and_never_in_the_settings(twilio: Source) -> None:
    assert TOKEN not in str(twilio.settings) and TOKEN not in twilio.sealed_secrets
    assert twilio.settings["own_numbers"] == ["+441134960000", "+442079460123"]
    assert twilio.settings["public_url"] == PUBLIC
