"""The nightly run `accord worker` starts: once a day, from ACCORD_ANALYTICS_HOUR (UTC)."""

from __future__ import annotations

import logging

from django.conf import settings

from accord.analytics.models import ModelRun
from accord.analytics.services.runs import run_analytics
from accord.platform import clock
from accord.platform.actors import SYSTEM
from accord.platform.errors import AccordError

log = logging.getLogger(__name__)


def run_nightly() -> int:
    """Start today's run if its hour has come and none started today; 1 if it ran."""
    now = clock.now()
    hour = int(getattr(settings, "ANALYTICS_NIGHTLY_HOUR", 2))
    if now.hour < hour:
        return 0
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if ModelRun.objects.filter(started_at__gte=midnight).exists():
        return 0
    try:
        run_analytics(actor=SYSTEM)
    except AccordError as exc:  # e.g. another worker holds the warehouse, or no purchases
        log.warning("nightly analytics run did not finish: %s", exc.message)
        return 0
    return 1
