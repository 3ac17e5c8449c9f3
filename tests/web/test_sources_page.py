"""The Sources page: each source's health and problems, and "Sync now" (admins only)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.capture import dovecot
from tests.capture.test_sources import _raw, _source

dovecot_server = dovecot.dovecot_server
imap_account = dovecot.imap_account

pytestmark = pytest.mark.django_db


def test_sources_page_shows_health_and_syncs_now(world: Any, imap_account: Any,
                                                 client_as: Any) -> None:
    imap_account.append("INBOX", _raw(1))
    _source(imap_account)
    admin = client_as("admin")
    page = admin.get("/sources/")
    assert page.status_code == 200 and "sales-inbox" in page.content.decode()
    assert imap_account.password not in page.content.decode()
    synced = admin.post("/sources/sales-inbox/sync/", follow=True)
    assert "1 captured" in synced.content.decode()
    assert client_as("alice").get("/sources/").status_code == 403
