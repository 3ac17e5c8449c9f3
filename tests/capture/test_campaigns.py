"""Campaign responses: a response code found in anything a customer sends (an SMS, a
letter, an email, a landing page) records a response against its campaign, once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from accord.capture.domain.campaign_codes import codes_in, is_valid_code
from accord.capture.models import CampaignResponse
from accord.capture.services import campaigns
from accord.capture.services.campaigns import add_campaign
from accord.interactions.models import Interaction, Participant
from accord.interactions.services import ParticipantInput, record_interaction
from accord.platform.actors import SYSTEM
from accord.platform.errors import Conflict, InvalidInput, PermissionDenied
from accord.platform.events import dispatch_pending
from tests.conftest import at


def test_codes_are_found_as_whole_words_whatever_the_case() -> None:
    codes = {"SPRING24", "RC-1187"}
    assert codes_in(["Please send me the offer spring24, thanks"], {}, codes) == {"SPRING24"}
    assert codes_in(["Card RC-1187 enclosed"], None, codes) == {"RC-1187"}
    assert codes_in(["SPRING245 and XSPRING24 and RC-11870"], {}, codes) == set()
    # a landing page's parameters, deep in a visit's metadata
    visit = {"pages": [{"url": "https://shop.example/offer?utm_campaign=spring24&x=1"}]}
    assert codes_in([], visit, codes) == {"SPRING24"}
    assert codes_in(["anything"], {}, set()) == set()


def test_valid_codes() -> None:
    assert is_valid_code("SPRING24") and is_valid_code("RC-1187") and is_valid_code("A_B")
    assert not is_valid_code("X") and not is_valid_code("-AB") and not is_valid_code("A B")


@pytest.fixture(autouse=True)
def _fresh_codes() -> Any:
    campaigns.forget_codes()
    yield
    campaigns.forget_codes()


def _sms(customer_id: int, text: str, *, direction: str = "inbound", n: int = 1) -> Any:
    with transaction.atomic():
        return record_interaction(
            actor=SYSTEM, channel="sms", direction=direction, occurred_at=at(1),
            participants=[ParticipantInput(role="from", customer_id=customer_id)],
            text=text, source="test-sms", external_id=f"sms-{n}").interaction


def _responses(customer_id: int) -> list[Interaction]:
    ids = Participant.objects.filter(customer_id=customer_id,
                                     channel="campaign_response").values("interaction_id")
    return list(Interaction.objects.filter(pk__in=ids))


@pytest.mark.django_db(transaction=True)
def test_a_code_in_an_inbound_sms_records_a_response_on_the_timeline(world: Any) -> None:
    campaign = add_campaign(actor=world.admin, code="spring24", name="Spring sale 2024")
    customer = world.alice_customer
    sms = _sms(customer.pk, "Yes please, SPRING24")
    [response] = _responses(customer.pk)
    assert response.metadata["campaign"] == "Spring sale 2024"
    assert response.metadata["campaign_code"] == "SPRING24"
    assert response.metadata["found_in"] == sms.pk
    assert response.occurred_at == sms.occurred_at
    row = CampaignResponse.objects.get()
    assert (row.campaign_id, row.customer_id, row.found_in_id, row.channel) == \
        (campaign.pk, customer.pk, sms.pk, "sms")
    # delivered again (a crash before the mark, another worker): nothing doubles
    from accord.platform.models import OutboxEvent

    OutboxEvent.objects.update(dispatched_at=None)
    dispatch_pending()
    assert CampaignResponse.objects.count() == 1 and len(_responses(customer.pk)) == 1


@pytest.mark.django_db(transaction=True)
def test_outbound_items_and_unknown_codes_record_nothing(world: Any) -> None:
    add_campaign(actor=world.admin, code="SPRING24", name="Spring")
    _sms(world.alice_customer.pk, "Our SPRING24 offer for you", direction="outbound", n=1)
    _sms(world.alice_customer.pk, "I saw AUTUMN99", n=2)
    assert CampaignResponse.objects.count() == 0
    assert _responses(world.alice_customer.pk) == []


@pytest.mark.django_db(transaction=True)
def test_a_new_campaign_is_looked_for_at_once(world: Any) -> None:
    _sms(world.alice_customer.pk, "hello", n=1)  # reads (and caches) the empty code list
    add_campaign(actor=world.admin, code="WINTER", name="Winter")
    _sms(world.alice_customer.pk, "winter please", n=2)
    assert CampaignResponse.objects.count() == 1


@pytest.mark.django_db
def test_campaign_codes_are_checked(world: Any) -> None:
    add_campaign(actor=world.admin, code="SPRING24", name="Spring")
    with pytest.raises(Conflict):
        add_campaign(actor=world.admin, code="spring24", name="Again")
    with pytest.raises(InvalidInput) as bad:
        add_campaign(actor=world.admin, code="no spaces", name="X")
    assert bad.value.field == "code"
    with pytest.raises(InvalidInput) as unnamed:
        add_campaign(actor=world.admin, code="OK1", name=" ")
    assert unnamed.value.field == "name"
    with pytest.raises(PermissionDenied):
        add_campaign(actor=world.alice, code="MINE", name="Mine")


@pytest.mark.django_db
def test_campaigns_from_the_command_line(world: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("capture", "campaign", "add", "rc-7", "Reply card autumn", stdout=out)
    assert "Campaign RC-7 (Reply card autumn) added" in out.getvalue()
    out = StringIO()
    call_command("capture", "campaign", "list", stdout=out)
    assert "RC-7" in out.getvalue() and "Reply card autumn" in out.getvalue()
