"""Page routes (filled in by the pages work)."""

from django.urls import path

urlpatterns: list = []
