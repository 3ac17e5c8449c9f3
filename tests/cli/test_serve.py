"""`accord serve`: gunicorn serving Accord, found on the printed address."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.cli.conftest import ACCORD, process_env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_on_the_printed_url(migrated_data_dir: Path) -> None:
    port = _free_port()
    server = subprocess.Popen([*ACCORD, "serve", "--port", str(port), "--workers", "1"],
                              env=process_env(migrated_data_dir), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = f"http://127.0.0.1:{port}/"
        assert url in line
        deadline, status, body = time.monotonic() + 60, None, ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "login/", timeout=5) as response:
                    status, body = response.status, response.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200 and "<form" in body
        with urllib.request.urlopen(url + "api/v1/openapi.json", timeout=5) as response:
            assert response.status == 200
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    assert server.returncode == 0
