"""Capture's tables, one module per noun; Django finds them all through this package."""

from accord.capture.models.campaigns import Campaign, CampaignResponse
from accord.capture.models.documents import PendingDocument, QueuedAddress
from accord.capture.models.sources import CaptureProblem, Source
from accord.capture.models.web_visits import Visit, Visitor

__all__ = ["Campaign", "CampaignResponse", "CaptureProblem", "PendingDocument",
           "QueuedAddress", "Source", "Visit", "Visitor"]
