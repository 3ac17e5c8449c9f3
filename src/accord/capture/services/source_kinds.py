"""What each kind of source needs: how its settings are checked and how it syncs.

One entry per kind in ``KINDS``; the generic source services (add, sync, schedule,
health) look the kind up here and know nothing of mailboxes or calendars. A kind that
only receives (webhooks, the web script) has no ``sync``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accord.capture.domain.sources import SourceKind
from accord.capture.models import Source
from accord.capture.services import caldav_sync, document_folder, imap_sync
from accord.capture.services.reports import CaptureReport
from accord.capture.services.telephony import clean_settings as clean_twilio
from accord.capture.services.websites import clean_settings as clean_website
from accord.capture.services.websites import where as website_where

Cleaner = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
Syncer = Callable[[Any, Source], CaptureReport]


@dataclass(frozen=True)
class KindHandler:
    """``clean(settings, secrets)`` returns the settings to store or raises InvalidInput
    naming the field; ``sync(actor, source)`` reads what is new since the checkpoint,
    committing each batch with its checkpoint."""

    clean: Cleaner
    sync: Syncer | None = None
    where: Callable[[Source], str] = lambda source: str(source.settings.get("host", ""))


KINDS: dict[str, KindHandler] = {
    SourceKind.IMAP: KindHandler(clean=imap_sync.clean_settings, sync=imap_sync.sync),
    SourceKind.CALDAV: KindHandler(clean=caldav_sync.clean_settings, sync=caldav_sync.sync,
                                   where=caldav_sync.where),
    SourceKind.TWILIO: KindHandler(  # receives webhooks: nothing to sync
        clean=clean_twilio, where=lambda source: str(source.settings.get("public_url", ""))),
    SourceKind.WEBSITE: KindHandler(clean=clean_website, where=website_where),  # receives
    SourceKind.DOCUMENTS: KindHandler(  # a watched folder of scanned letters and faxes
        clean=document_folder.clean_settings, sync=document_folder.sync,
        where=lambda source: str(source.settings.get("path", ""))),
}


def handler_for(kind: str) -> KindHandler | None:
    return KINDS.get(kind)
