"""The pure merge plan: which value of each field survives."""

from __future__ import annotations

from typing import Any

import pytest

from accord.customers.domain.merge import plan_merge
from accord.platform.errors import Conflict, InvalidInput


def record(pk: int, **fields: Any) -> dict[str, Any]:
    base = {"id": pk, "kind": "person", "display_name": f"C{pk}", "given_name": "",
            "family_name": "", "organisation_id": None, "owner_id": None, "team_id": None,
            "preferred_channel": "", "language": "", "lifecycle": "customer",
            "merged_into_id": None}
    return {**base, **fields}


def test_survivor_wins_and_gaps_fill_from_loser() -> None:
    plan = plan_merge(record(1, language="", owner_id=7),
                      record(2, language="fr", owner_id=8, display_name="Other"))
    assert plan.field_updates == {"language": "fr"}


def test_reviewer_choices_take_the_loser_value() -> None:
    plan = plan_merge(record(1), record(2, display_name="Better Name"),
                      {"display_name": "loser"})
    assert plan.field_updates["display_name"] == "Better Name"


@pytest.mark.parametrize(("survivor", "loser", "choices", "error"), [
    (record(1), record(1), None, InvalidInput),
    (record(1), record(2, kind="organisation"), None, InvalidInput),
    (record(1, merged_into_id=3), record(2), None, Conflict),
    (record(1), record(2), {"id": "loser"}, InvalidInput),
    (record(1), record(2), {"language": "both"}, InvalidInput),
])
def test_impossible_merges_are_refused(survivor: Any, loser: Any, choices: Any,
                                       error: type[Exception]) -> None:
    with pytest.raises(error):
        plan_merge(survivor, loser, choices)
