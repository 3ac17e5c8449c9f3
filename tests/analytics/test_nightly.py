"""The worker's nightly run: once a day, from the configured hour, never twice."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from accord.analytics.models import ModelRun
from accord.analytics.tasks import run_nightly
from accord.platform import clock
from accord.platform.schedule import run_periodic
from tests.analytics.buyers import make_buyers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _warehouse(settings: Any, tmp_path: Any) -> None:
    settings.ANALYTICS_WAREHOUSE = str(tmp_path / "warehouse.duckdb")
    settings.ANALYTICS_NIGHTLY_HOUR = 2


def _at(monkeypatch: pytest.MonkeyPatch, hour: int, day: int = 1) -> None:
    moment = datetime(2024, 7, day, hour, 30, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)


def test_the_nightly_run_starts_after_its_hour_once_a_day(
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_buyers(80, seed=19)
    _at(monkeypatch, 1)
    assert run_nightly() == 0 and not ModelRun.objects.exists()
    _at(monkeypatch, 3)
    assert run_periodic() >= 1  # registered by the app: the worker's pass runs it
    run = ModelRun.objects.get()
    assert run.status == ModelRun.Status.SUCCEEDED and run.as_of.isoformat() == "2024-07-01"
    assert run_nightly() == 0 and ModelRun.objects.count() == 1
    _at(monkeypatch, 3, day=2)
    assert run_nightly() == 1 and ModelRun.objects.count() == 2


def test_a_nightly_run_with_nothing_to_analyse_is_recorded_once_and_not_retried(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _at(monkeypatch, 4)
    assert run_nightly() == 0
    assert ModelRun.objects.get().status == ModelRun.Status.FAILED
    assert run_nightly() == 0 and ModelRun.objects.count() == 1
