"""Capture's public endpoints (webhooks, the web visit script and its collect endpoint),
mounted at the site root by accord.urls. Staff pages live in accord.web."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from accord.capture.views import telephony
from accord.capture.views import web_visits as web_visit_views

app_name = "capture"

urlpatterns: list[URLPattern | URLResolver] = []

# Twilio posts here (signed with the source's auth token): voice status callbacks, SMS.
urlpatterns += [
    path("hooks/twilio/<slug:source>/voice", telephony.voice, name="twilio-voice"),
    path("hooks/twilio/<slug:source>/sms", telephony.sms, name="twilio-sms"),
]

# Accord's web visit script, embedded by the customer's site, and where it reports.
urlpatterns += [
    path("capture/web.js", web_visit_views.web_script, name="web-script"),
    path("collect", web_visit_views.collect, name="web-collect"),
]
