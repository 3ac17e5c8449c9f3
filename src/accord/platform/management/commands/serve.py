"""`accord serve`: Accord behind gunicorn, the production WSGI server (not runserver).

Static files are served by whitenoise inside the application, so this is all a single
machine needs; put a TLS-terminating proxy in front for anything reachable."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    # gunicorn's rule of thumb (2 x cores + 1), capped: SQLite has one writer anyway.
    return min(2 * (os.cpu_count() or 1) + 1, 8)


class AccordServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
    """Gunicorn run in-process on accord.wsgi:application."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from accord.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve Accord with gunicorn (production server; static files via whitenoise)."
    requires_system_checks = []  # checked once below, not before every argument error

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (default "
                            "127.0.0.1; 0.0.0.0 for every interface)")
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--workers", type=int, default=None,
                            help=f"worker processes (default {default_workers()})")
        parser.add_argument("--timeout", type=int, default=60,
                            help="seconds before a stuck worker is restarted (default 60)")
        parser.add_argument("--access-log", action="store_true",
                            help="log every request to standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["port"] < 65536:
            raise CommandError("--port must be between 1 and 65535.")
        workers = options["workers"] or default_workers()
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        self.check(display_num_errors=False)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
        # Workers are forked: never hand them this process's database connections.
        connections.close_all()
        host = options["host"]
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(f"Accord is serving on http://{shown}:{options['port']}/ "
                          f"({workers} workers; Ctrl-C stops)")
        self.stdout.flush()
        server = AccordServer({
            "bind": f"{shown}:{options['port']}",
            "workers": workers,
            "timeout": options["timeout"],
            "accesslog": "-" if options["access_log"] else None,
            "errorlog": "-",
            "loglevel": "warning",
            "proc_name": "accord",
        })
        # gunicorn reads sys.argv in places; it must not see the management command's.
        saved, sys.argv = sys.argv, ["accord-serve"]
        try:
            server.run()
        finally:
            sys.argv = saved
