"""Campaign response codes: configure them, and record a response whenever a code turns
up in an item a customer sent, whatever the channel.

Responses are found by a batch subscriber to ``InteractionRecorded`` (platform.events),
so every connector's items are read the same way, after commit, through the outbox;
re-delivery finds the response already recorded and adds nothing."""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction

from accord.accounts.access import ensure_admin
from accord.capture.domain.campaign_codes import codes_in, is_valid_code, normalise_code
from accord.capture.models import Campaign, CampaignResponse
from accord.interactions import selectors as interaction_selectors
from accord.interactions import services as interaction_services
from accord.interactions.events import InteractionRecorded
from accord.platform import clock
from accord.platform.actors import SYSTEM
from accord.platform.audit import record_audit
from accord.platform.errors import Conflict, InvalidInput

RESPONSE_SOURCE = "campaign"
CODES_TTL = 30.0  # seconds a process trusts its list of active codes
_codes: tuple[float, dict[str, tuple[int, str]]] = (0.0, {})


def active_codes() -> dict[str, tuple[int, str]]:
    """{code: (campaign id, name)} of active campaigns, re-read every CODES_TTL seconds
    (every item captured asks; campaigns change rarely)."""
    global _codes
    expires, codes = _codes
    if time.monotonic() < expires:
        return codes
    codes = {code: (pk, name) for pk, code, name in
             Campaign.objects.filter(active=True).values_list("id", "code", "name")}
    _codes = (time.monotonic() + CODES_TTL, codes)
    return codes


def any_active_codes() -> bool:
    """Whether captured items need reading for codes at all (asked as each is recorded:
    with no campaign running, their events need no delivery)."""
    return bool(active_codes())


def forget_codes() -> None:
    global _codes
    _codes = (0.0, {})


@transaction.atomic
def add_campaign(*, actor: Any, code: str, name: str) -> Campaign:
    """A campaign as capture knows it: the response code it printed, and its name."""
    ensure_admin(actor)
    code = normalise_code(code if isinstance(code, str) else "")
    if not is_valid_code(code):
        raise InvalidInput("A response code is 2 to 40 letters, digits, '-' or '_'.",
                           field="code")
    name = (name if isinstance(name, str) else "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("Give the campaign a name of at most 200 characters.",
                           field="name")
    if Campaign.objects.filter(code=code).exists():
        raise Conflict(f"A campaign with code {code} exists already.", field="code")
    campaign = Campaign.objects.create(code=code, name=name, created_at=clock.now())
    record_audit(actor=actor, action="campaign.added", subject_type="campaign",
                 subject_id=campaign.pk, after={"code": code, "name": name})
    transaction.on_commit(forget_codes)
    return campaign


def record_responses(events: list[InteractionRecorded]) -> None:
    """Batch subscriber: look for active codes in the inbound items just recorded and
    record a campaign response (and its own timeline entry) for each customer on them."""
    codes = active_codes()
    candidates = [e for e in events if e.direction == "inbound" and e.customer_ids
                  and e.channel != "campaign_response"]
    if not codes or not candidates:
        return
    customers = {e.interaction_id: e.customer_ids for e in candidates}
    found: list[tuple[str, Any]] = []
    for item in interaction_selectors.captured_content(list(customers)):
        for code in sorted(codes_in([item.subject, item.text], item.metadata, codes)):
            found.append((code, item))
    if not found:
        return
    done = set(CampaignResponse.objects.filter(
        found_in_id__in={item.id for _, item in found}).values_list(
        "campaign_id", "found_in_id", "customer_id"))
    for code, item in found:
        campaign_id, name = codes[code]
        for customer_id in customers[item.id]:
            if (campaign_id, item.id, customer_id) not in done:
                _record(campaign_id, code, name, item, customer_id)


def _record(campaign_id: int, code: str, name: str, item: Any, customer_id: int) -> None:
    [response_id] = interaction_services.record_captured(actor=SYSTEM, items=[
        interaction_services.CapturedInteraction(
            channel="campaign_response", direction="inbound", occurred_at=item.occurred_at,
            source=RESPONSE_SOURCE, external_id=f"{code}:{item.id}:{customer_id}",
            participants=[(customer_id, "respondent", "")],
            subject=f"Responded to {name}",
            metadata={"campaign": name, "campaign_code": code, "campaign_id": campaign_id,
                      "response": item.channel.replace("_", " "),
                      "found_in": item.id})])
    CampaignResponse.objects.create(campaign_id=campaign_id, customer_id=customer_id,
                                    found_in_id=item.id, interaction_id=response_id,
                                    channel=item.channel, responded_at=item.occurred_at)
