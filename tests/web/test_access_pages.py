"""Every role over every page: what is visible answers 200, everything else the same
404, lists never leak a name, and reading pages changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from accord.platform.models import AuditEntry

VISIBLE = {
    "admin": {"alice_customer", "north_customer", "bob_customer", "orphan_customer"},
    "analyst": {"alice_customer", "north_customer", "bob_customer", "orphan_customer"},
    "manager": {"alice_customer", "north_customer"},
    "alice": {"alice_customer", "north_customer"},
    "bob": {"bob_customer"},
}
CUSTOMERS = ("alice_customer", "north_customer", "bob_customer", "orphan_customer")
PAGES = ("/customers/{id}/", "/customers/{id}/timeline/", "/customers/{id}/transactions/",
         "/customers/{id}/?channel=email", "/customers/{id}/timeline/?cursor=WzEsMl0")


@pytest.mark.parametrize("user", sorted(VISIBLE))
def test_every_role_over_every_customer_page(client_as: Any, world: Any, timeline: Any,
                                             user: str) -> None:
    client = client_as(user)
    before = AuditEntry.objects.count()
    for name in CUSTOMERS:
        customer = getattr(world, name)
        for path in PAGES:
            response = client.get(path.format(id=customer.pk))
            if name in VISIBLE[user]:
                assert response.status_code in (200, 400), (user, name, path)
            else:
                assert response.status_code == 404, (user, name, path)
                assert customer.display_name.encode() not in response.content
    listing = client.get("/customers/").content.decode()
    home = client.get("/").content.decode()
    for name in CUSTOMERS:
        shown = getattr(world, name).display_name
        if name not in VISIBLE[user]:
            assert shown not in listing and shown not in home, (user, name)
    assert AuditEntry.objects.count() == before  # pages only read


@pytest.mark.parametrize("user", sorted(VISIBLE))
def test_every_role_over_every_attachment(client_as: Any, timeline: Any, user: str) -> None:
    client = client_as(user)
    owners = {"alice_customer": [timeline.email, timeline.letter, timeline.fax],
              "bob_customer": [timeline.bob_letter]}
    for name, items in owners.items():
        for item in items:
            for attachment in item.attachments.all():
                status = client.get(f"/attachments/{attachment.pk}/").status_code
                assert status == (200 if name in VISIBLE[user] else 404), (user, item)
