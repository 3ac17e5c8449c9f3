"""Helpers for the command tests: run a command and keep what it printed; an isolated
data directory for commands run as real processes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

ACCORD = [sys.executable, "-m", "accord.cli"]


def run(*args: Any, **options: Any) -> str:
    """call_command, returning everything the command wrote to stdout."""
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def process_env(data_dir: Path) -> dict[str, str]:
    """The environment for an `accord` subprocess: its own SQLite data directory, never
    the database the test run itself uses."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
    env.update(ACCORD_DATA_DIR=str(data_dir), ACCORD_SECRET_KEY="test-" + "k" * 50,
               DJANGO_SETTINGS_MODULE="accord.settings")
    return env


@pytest.fixture(scope="session")
def migrated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a migrated SQLite database, shared by the process tests."""
    data_dir = tmp_path_factory.mktemp("accord-data")
    subprocess.run([*ACCORD, "migrate", "-v", "0"], env=process_env(data_dir), check=True,
                   timeout=300)
    return data_dir
