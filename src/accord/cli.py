"""The `accord` console script: Django's management commands under one friendly name.

`accord demo`, `accord serve`, `accord import ...` are ordinary management commands
living in the apps; this entry point only points Django at Accord's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["accord", *args])


if __name__ == "__main__":
    main()
