"""Root URLs: pages, the REST API under /api/v1, capture's public endpoints (webhooks,
the web script) and the operators' admin."""

from django.contrib import admin
from django.urls import include, path

from accord.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("accord.capture.urls")),
    path("", include("accord.web.urls")),
]
