"""Capture's public endpoints (webhooks, the web visit script and its collect endpoint),
mounted at the site root by accord.urls. Staff pages live in accord.web."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "capture"

urlpatterns: list[URLPattern | URLResolver] = []
