"""What a run may be asked to assume, and the clear refusals of what it may not."""

from __future__ import annotations

import pytest

from accord.analytics.domain.run_settings import DEFAULT_CHANNEL_COSTS, RunSettings
from accord.platform.errors import InvalidInput


def test_overrides_change_only_what_they_name_and_merge_channel_costs() -> None:
    chosen = RunSettings().with_overrides(margin=0.4, time_unit=None,
                                          channel_costs={"call": 6.0})
    assert chosen.margin == 0.4 and chosen.time_unit == "weeks"
    assert chosen.channel_costs == {**DEFAULT_CHANNEL_COSTS, "call": 6.0}
    assert RunSettings.from_json(chosen.to_json()) == chosen


@pytest.mark.parametrize(("changes", "field"), [
    ({"margins": 0.4}, "margins"),
    ({"time_unit": "months"}, "time_unit"),
    ({"margin": 1.5}, "margin"),
    ({"monthly_discount": -0.1}, "monthly_discount"),
    ({"horizon_days": -1}, "horizon_days"),
    ({"pattern_window_days": 0}, "pattern_window_days"),
    ({"channel_costs": {"call": -2}}, "channel_costs.call"),
])
def test_impossible_settings_are_refused_by_name(changes: dict[str, object],
                                                 field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        RunSettings().with_overrides(**changes)
    assert caught.value.field == field
