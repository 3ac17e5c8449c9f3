"""Merging two customer records: a pure plan, executed and undone by the services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from accord.platform.errors import Conflict, InvalidInput

# Fields a reviewer may take from either record; identities always move to the survivor.
MERGEABLE_FIELDS = (
    "display_name", "given_name", "family_name", "organisation_id", "owner_id", "team_id",
    "preferred_channel", "language", "lifecycle",
)


@dataclass(frozen=True)
class MergePlan:
    survivor_id: int
    loser_id: int
    field_updates: dict[str, Any] = field(default_factory=dict)


def plan_merge(
    survivor: Mapping[str, Any],
    loser: Mapping[str, Any],
    choices: Mapping[str, str] | None = None,
) -> MergePlan:
    """Decide the surviving value of each field.

    ``choices`` maps a field to ``"survivor"`` or ``"loser"``: that side's value is kept,
    even an empty one (a reviewer may want no owner), except that a display name is never
    emptied. A field not chosen keeps the survivor's value, or takes the loser's when the
    survivor has none."""
    if survivor["id"] == loser["id"]:
        raise InvalidInput("A customer cannot be merged into itself.", field="loser_id")
    for record, side in ((survivor, "survivor_id"), (loser, "loser_id")):
        if record.get("merged_into_id"):
            raise Conflict(f"Customer {record['id']} has already been merged.", field=side)
    if survivor["kind"] != loser["kind"]:
        raise InvalidInput("A person and an organisation cannot be merged.", field="loser_id")
    updates: dict[str, Any] = {}
    for name, side in (choices or {}).items():
        if name not in MERGEABLE_FIELDS:
            raise InvalidInput(f"{name!r} cannot be chosen in a merge.", field=f"choices.{name}")
        if side not in ("survivor", "loser"):
            raise InvalidInput("Choose 'survivor' or 'loser'.", field=f"choices.{name}")
    for name in MERGEABLE_FIELDS:
        chosen = (choices or {}).get(name)
        value = loser.get(name)
        if value == survivor.get(name):
            continue
        empty = value in (None, "")
        taken_by_choice = chosen == "loser" and not (empty and name == "display_name")
        fills_a_gap = chosen is None and survivor.get(name) in (None, "") and not empty
        if taken_by_choice or fills_a_gap:
            updates[name] = value
    if updates.get("organisation_id") == survivor["id"]:
        del updates["organisation_id"]
    return MergePlan(survivor_id=survivor["id"], loser_id=loser["id"], field_updates=updates)
