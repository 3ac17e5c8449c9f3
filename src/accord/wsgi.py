"""WSGI entry point used by `accord serve` (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

from accord.platform.events import deliver_in_background
from accord.platform.startup import warm_and_freeze

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
application = get_wsgi_application()
warm_and_freeze()
# Requests hand the events they publish to a thread of their worker instead of
# delivering them before answering.
deliver_in_background()
