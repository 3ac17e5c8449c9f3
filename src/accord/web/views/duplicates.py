"""The Duplicates page: open suggestions, a side-by-side comparison with the surviving
value chosen per field, merge, "not duplicates", and undo of recent merges."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accord.accounts.access import role_of
from accord.accounts.domain import Role
from accord.customers import selectors as customer_selectors
from accord.customers import services as customer_services
from accord.customers.domain.merge import MERGEABLE_FIELDS
from accord.interactions import selectors as interaction_selectors
from accord.transactions import selectors as transaction_selectors
from accord.web.views.errors import HtmxHttpRequest, forged_cursors_are_invalid, page

LIST_PAGE = 50
FIELD_LABELS = {
    "display_name": "Display name", "given_name": "Given name", "family_name": "Family name",
    "organisation_id": "Organisation", "owner_id": "Owner", "team_id": "Team",
    "preferred_channel": "Preferred channel", "language": "Language",
    "lifecycle": "Lifecycle",
}
_FLASH = "duplicates_flash"


@dataclass(frozen=True)
class FieldRow:
    """One profile field of the two records, as the comparison shows it."""

    name: str
    label: str
    a: str
    b: str
    chosen: str  # "a" or "b": the side whose value is checked to survive

    @property
    def differs(self) -> bool:
        return self.a != self.b


def _shown(customer: Any, name: str) -> str:
    """A field's value as a reviewer reads it (names, not ids)."""
    if name == "organisation_id":
        return customer.organisation.display_name if customer.organisation else ""
    if name == "owner_id":
        owner = customer.owner
        return (owner.get_full_name() or owner.username) if owner else ""
    if name == "team_id":
        return customer.team.name if customer.team else ""
    if name == "lifecycle":
        return str(customer.get_lifecycle_display())
    return str(getattr(customer, name) or "")


def _field_rows(a: Any, b: Any, survivor: str) -> list[FieldRow]:
    rows = []
    for name in MERGEABLE_FIELDS:
        shown = {"a": _shown(a, name), "b": _shown(b, name)}
        other = "b" if survivor == "a" else "a"
        # The default is the merge's own: the survivor's value, or the other's if empty.
        chosen = survivor if shown[survivor] or not shown[other] else other
        rows.append(FieldRow(name, FIELD_LABELS[name], shown["a"], shown["b"], chosen))
    return rows


def _history_counts(ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    return (interaction_selectors.interaction_counts(ids),
            transaction_selectors.transaction_counts(ids))


def _posted(request: HtmxHttpRequest) -> HttpResponse | None:
    """405 for anything but POST. Called after the record's lookup, so a record the user
    may not see answers 404 to every method, exactly like a missing one."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _writes(actor: Any) -> bool:
    role = role_of(actor)
    return role is not None and role is not Role.ANALYST


@page
def duplicate_list(request: HtmxHttpRequest) -> HttpResponse:
    """Open suggestions best first, and the recent merges that can still be undone."""
    actor = request.user
    with forged_cursors_are_invalid():
        listing = customer_selectors.open_duplicates(
            actor, cursor=request.GET.get("cursor") or None, limit=LIST_PAGE)
    ids = list({pk for s in listing.items for pk in (s.customer_a_id, s.customer_b_id)})
    interactions, transactions = _history_counts(ids)
    return render(request, "web/duplicates/list.html", {
        "suggestions": listing.items, "next_cursor": listing.next_cursor,
        "interactions": interactions, "transactions": transactions,
        "merges": customer_selectors.recent_merges(actor),
        "flash": request.session.pop(_FLASH, ""), "can_write": _writes(actor),
        "is_admin": role_of(actor) is Role.ADMIN,
    })


@page
def duplicate_compare(request: HtmxHttpRequest, suggestion_id: int) -> HttpResponse:
    """The two records side by side: a radio per differing field picks the value that
    survives, and another which record survives (its id, links and history stay)."""
    actor = request.user
    suggestion = customer_selectors.get_duplicate(actor, suggestion_id)
    a, b = suggestion.customer_a, suggestion.customer_b
    interactions, transactions = _history_counts([a.pk, b.pk])
    # The record with more history survives by default (fewer links change); else the older.
    weight = {side: interactions[c.pk] + transactions[c.pk] for side, c in (("a", a), ("b", b))}
    survivor = "b" if weight["b"] > weight["a"] else "a"
    return render(request, "web/duplicates/compare.html", {
        "suggestion": suggestion, "a": a, "b": b, "survivor": survivor,
        "fields": _field_rows(a, b, survivor),
        "identities": {"a": customer_selectors.identities_of(a),
                       "b": customer_selectors.identities_of(b)},
        "interactions": interactions, "transactions": transactions,
        "can_write": _writes(actor),
    })


@page
def duplicate_merge(request: HtmxHttpRequest, suggestion_id: int) -> HttpResponse:
    """Merge the pair as chosen: ``survivor`` is a or b, ``field_<name>`` a or b."""
    actor = request.user
    suggestion = customer_selectors.get_duplicate(actor, suggestion_id)
    if refused := _posted(request):
        return refused
    choices = {name: str(request.POST[f"field_{name}"]) for name in MERGEABLE_FIELDS
               if f"field_{name}" in request.POST}
    merge = customer_services.merge_suggestion(
        actor=actor, suggestion_id=suggestion.pk, survivor=request.POST.get("survivor", ""),
        choices=choices)
    request.session[_FLASH] = (f"Merged {merge.loser.display_name} (#{merge.loser_id}) into "
                               f"{merge.survivor.display_name} (#{merge.survivor_id}).")
    return redirect("web:duplicates")


@page
def duplicate_dismiss(request: HtmxHttpRequest, suggestion_id: int) -> HttpResponse:
    """"Not duplicates": the pair is not suggested again."""
    customer_selectors.get_duplicate(request.user, suggestion_id)
    if refused := _posted(request):
        return refused
    customer_services.dismiss_suggestion(actor=request.user, suggestion_id=suggestion_id)
    request.session[_FLASH] = "Marked as not duplicates; this pair will not be suggested again."
    return redirect("web:duplicates")


@page
def merge_undo(request: HtmxHttpRequest, merge_id: int) -> HttpResponse:
    """Undo a merge: both records come back exactly as they were."""
    customer_selectors.get_merge(request.user, merge_id)
    if refused := _posted(request):
        return refused
    merge = customer_services.unmerge_customers(actor=request.user, merge_id=merge_id)
    request.session[_FLASH] = (f"Undone: {merge.loser.display_name} (#{merge.loser_id}) and "
                               f"{merge.survivor.display_name} (#{merge.survivor_id}) are "
                               "separate again.")
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("web:duplicates")


@page
def duplicates_find(request: HtmxHttpRequest) -> HttpResponse:
    """Look for duplicates now (administrators): customers changed since the last look."""
    if refused := _posted(request):
        return refused
    report = customer_services.find_duplicates(actor=request.user,
                                               full=request.POST.get("full") == "1")
    request.session[_FLASH] = (f"Looked at {report.customers:,} customers: {report.found:,} "
                               f"suggestions, {report.new:,} new.")
    return redirect("web:duplicates")
