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
    if args[:1] == ["demo"] and not os.environ.get("ACCORD_SECRET_KEY"):
        # The demo is the embedded install: it may create the data directory's key,
        # which later `accord serve` runs on the same data directory then use.
        from pathlib import Path

        from accord.platform.secret_key import ensure_secret_key_file

        data_dir = Path(os.environ.get("ACCORD_DATA_DIR", "./var")).resolve()
        ensure_secret_key_file(data_dir / "secret_key")
    execute_from_command_line(["accord", *args])


if __name__ == "__main__":
    main()
