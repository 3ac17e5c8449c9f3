"""Customer search and list, and the Customer View."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from accord.analytics import selectors as analytics_selectors
from accord.customers import selectors as customer_selectors
from accord.customers.selectors import CustomerPage
from accord.interactions import selectors as interaction_selectors
from accord.platform.errors import InvalidInput
from accord.transactions import selectors as transaction_selectors
from accord.web.forms import CustomerSearchForm, TimelineFilterForm
from accord.web.views.errors import HtmxHttpRequest, forged_cursors_are_invalid, page
from accord.web.views.timeline import load_timeline, timeline_context
from accord.web.views.transactions import TRANSACTIONS_PAGE, transactions_context

LIST_PAGE = 50
PEOPLE_SHOWN = 50


def _find(actor: Any, data: dict[str, Any]) -> CustomerPage:
    """The search box when there is a query, else the plain (filtered) list."""
    if data.get("q"):
        found = customer_selectors.search_customers(actor, q=data["q"],
                                                    cursor=data.get("cursor") or None,
                                                    limit=LIST_PAGE)
        # The selector searches everything visible; the kind and "mine" boxes still
        # narrow what is shown (a page may come out short, the cursor stays valid).
        items = [c for c in found.items
                 if (not data.get("kind") or c.kind == data["kind"])
                 and (not data.get("mine") or c.owner_id == actor.pk)]
        return CustomerPage(items, found.next_cursor)
    return customer_selectors.list_customers(
        actor, cursor=data.get("cursor") or None, limit=LIST_PAGE,
        owner_id=actor.pk if data.get("mine") else None, kind=data.get("kind") or None)


@page
def customer_list(request: HtmxHttpRequest) -> HttpResponse:
    """Search and browse customers. htmx asks for the results only (live search) or, with
    a cursor, only the next rows (endless scroll)."""
    form = CustomerSearchForm(request.GET)
    listing: CustomerPage | None = None
    if form.is_valid():
        try:
            with forged_cursors_are_invalid():
                listing = _find(request.user, form.cleaned_data)
        except InvalidInput as exc:
            form.add_accord_error(exc)
    items = listing.items if listing else []
    latest = interaction_selectors.latest_for_customers([c.pk for c in items])
    next_query = ""
    if listing and listing.next_cursor:
        query = request.GET.copy()
        query["cursor"] = listing.next_cursor
        next_query = query.urlencode()
    context = {"form": form, "rows": [(c, latest.get(c.pk)) for c in items],
               "next_query": next_query, "searched": bool(form.data.get("q"))}
    # A history restore (back button) needs the whole page, not the fragment.
    if request.htmx and not request.htmx.history_restore_request:
        template = "web/customers/_rows.html" if request.GET.get("cursor") \
            else "web/customers/_results.html"
    else:
        template = "web/customers/list.html"
    return render(request, template, context, status=400 if form.errors else 200)


@page
def customer_detail(request: HtmxHttpRequest, customer_id: int) -> HttpResponse:
    """The Customer View: who they are, what happened in the last 24 hours, everything
    that ever happened on any channel, and what they bought."""
    actor = request.user
    customer = customer_selectors.get_customer(actor, customer_id)
    form = TimelineFilterForm(request.GET)
    timeline = load_timeline(actor, customer.pk, form, customer=customer)
    is_org = customer.kind == "organisation"
    context = {
        "customer": customer,
        "identities": customer_selectors.identities_of(customer),
        "people": customer_selectors.people_of(actor, customer, limit=PEOPLE_SHOWN)
        if is_org else [],
        "merges": customer_selectors.open_merges(actor, customer),
        "banner": interaction_selectors.recent_activity(
            actor, customer.pk, customer=customer,
            newest=timeline if timeline is not None and form.shows_newest() else None),
        **transactions_context(
            customer.pk,
            transaction_selectors.transactions_of(actor, customer.pk, limit=TRANSACTIONS_PAGE,
                                                  customer=customer)),
        "totals": transaction_selectors.totals_of(actor, customer.pk, customer=customer),
        "scores": analytics_selectors.value_panel(actor, customer.pk, customer=customer),
        **timeline_context(request, customer, form, timeline),
    }
    return render(request, "web/customers/detail.html", context,
                  status=400 if timeline is None else 200)
