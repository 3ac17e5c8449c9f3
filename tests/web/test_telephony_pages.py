"""The Customer View renders captured calls and messages for what they are: a call's
talk time, waiting time, outcome and queue; a message's text."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from accord.capture.services.sources import add_source
from accord.interactions.models import Interaction
from accord.platform.actors import SYSTEM
from tests.capture.test_cdr_import import FIXTURES as CDR_FIXTURES
from tests.capture.test_telephony_webhooks import PUBLIC, SMS, TOKEN, VOICE, payload, post

pytestmark = pytest.mark.django_db


def item_html(body: str, item: Any) -> str:
    match = re.search(rf'<li class="tl-item[^"]*" id="interaction-{item.pk}".*?</li>', body,
                      re.S)
    assert match, f"interaction {item.pk} is not on the page"
    return match.group(0)


def test_a_captured_call_and_sms_render_on_the_customers_timeline(
        world: Any, client_as: Any, capsys: Any) -> None:
    add_source(actor=SYSTEM, name="main-line", kind="twilio", every_minutes=0,
               settings={"public_url": PUBLIC, "own_numbers": ["+441134960000"]},
               secrets={"auth_token": TOKEN})
    hooks = Client()
    for name in ("voice_inbound_ringing", "voice_inbound_completed"):
        assert post(hooks, VOICE, payload(name)).status_code == 204
    assert post(hooks, VOICE + "?queue=support",
                payload("voice_enqueue_action")).status_code == 204
    assert post(hooks, SMS, payload("sms_inbound")).status_code == 200
    assert post(hooks, SMS, payload("sms_stop")).status_code == 200
    call_command("import", "cdr", str(CDR_FIXTURES / "Master.csv"),
                 "--own-number", "0113 496 0000")
    capsys.readouterr()

    page = client_as("alice").get(f"/customers/{world.alice_customer.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    twilio_call = item_html(body, Interaction.objects.get(source="twilio", channel="call"))
    assert "Call received" in twilio_call
    for shown in ("Talked", "5m 12s", "Waited", "45s", "Answered", "Queue", "support",
                  "+447911123456 → +441134960000"):
        assert shown in twilio_call
    sms = item_html(body, Interaction.objects.get(external_id__startswith="SM2c"))
    assert "SMS received" in sms and "can you call me back after 5pm" in sms
    stop = item_html(body, Interaction.objects.get(external_id__startswith="SM9a"))
    assert "Asked to stop messages" in stop
    missed = item_html(body, Interaction.objects.get(external_id="1741091400.28"))
    assert "No answer" in missed and "25s" in missed and "Talked" not in missed
    queued = item_html(body, Interaction.objects.get(external_id="1741083302.18"))
    assert "5m 13s" in queued and "45s" in queued and "support" in queued


def test_a_call_still_ringing_shows_its_status(world: Any, client_as: Any) -> None:
    add_source(actor=SYSTEM, name="main-line", kind="twilio", every_minutes=0,
               settings={"public_url": PUBLIC, "own_numbers": ["+441134960000"]},
               secrets={"auth_token": TOKEN})
    assert post(Client(), VOICE, payload("voice_inbound_ringing")).status_code == 204
    body = client_as("alice").get(f"/customers/{world.alice_customer.pk}/").content.decode()
    ringing = item_html(body, Interaction.objects.get(source="twilio"))
    assert "Status" in ringing and "Ringing" in ringing
