"""Operators' admin: every registered model's list and add pages open for an admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_every_admin_page_opens(world: Any) -> None:
    client = Client()
    assert client.login(username="admin", password=PASSWORD)
    for model in admin.site._registry:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        first = model._default_manager.first()
        if first is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            assert client.get(change).status_code == 200, change


def test_staff_without_admin_role_cannot_enter(world: Any) -> None:
    client = Client()
    assert client.login(username="alice", password=PASSWORD)
    assert client.get("/admin/").status_code == 302  # to the admin login
