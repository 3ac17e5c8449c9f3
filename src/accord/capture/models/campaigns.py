"""Campaigns as capture needs them: a response code and a name (full campaigns, with
audiences and control groups, belong to the engagement app later), and the responses
found in captured items."""

from __future__ import annotations

from django.db import models


class Campaign(models.Model):
    code = models.CharField(max_length=40, unique=True)  # upper case, as matched
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)  # only active codes are looked for
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CampaignResponse(models.Model):
    """A customer answered a campaign: its code was found in an item they sent (a reply
    card, a letter, an SMS, a landing page). ``interaction_id`` is the response's own
    timeline entry, ``found_in_id`` the captured item the code was in."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE,
                                 related_name="+")
    found_in = models.ForeignKey("interactions.Interaction", on_delete=models.CASCADE,
                                 related_name="+")
    interaction = models.ForeignKey("interactions.Interaction", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=30)  # the channel the answer came by
    responded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "found_in", "customer"],
                                    name="campaign_response_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} by {self.customer_id}"
