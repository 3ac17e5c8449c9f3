"""Settings from the environment: the secret key rule."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _load(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
    clean.update({"ACCORD_DATA_DIR": str(tmp_path), **env})
    code = "import accord.settings as s; print(s.SECRET_KEY)"
    return subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True,
                          text=True, check=False)


def test_key_is_required_outside_debug(tmp_path: Path) -> None:
    result = _load(tmp_path)
    assert result.returncode != 0
    assert "ACCORD_SECRET_KEY is required outside debug" in result.stderr


def test_key_from_the_environment_wins(tmp_path: Path) -> None:
    assert _load(tmp_path, ACCORD_SECRET_KEY="k" * 50).stdout.strip() == "k" * 50


@pytest.mark.parametrize("how", ["debug", "demo"])
def test_generated_key_is_kept_private_and_stable(tmp_path: Path, how: str) -> None:
    if how == "debug":
        first = _load(tmp_path, ACCORD_DEBUG="1").stdout.strip()
    else:
        from accord.platform.secret_key import ensure_secret_key_file

        ensure_secret_key_file(tmp_path / "secret_key")  # what `accord demo` does first
        first = _load(tmp_path).stdout.strip()
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert _load(tmp_path).stdout.strip() == first
