"""The REST API (django-ninja) at /api/v1: auth, the one error shape, and the routers."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Accord API", version="1", urls_namespace="api")
