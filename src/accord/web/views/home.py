"""The consultant's home: my customers and what last happened with each."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from accord.customers import selectors as customer_selectors
from accord.interactions import selectors as interaction_selectors
from accord.web.views.errors import HtmxHttpRequest, page

HOME_SIZE = 25


@page
def home(request: HtmxHttpRequest) -> HttpResponse:
    """Customers the user owns with their latest interaction. Someone who owns none
    (admins, analysts, new starters) sees customers they can see instead, so the page
    is never a dead end."""
    actor = request.user
    listing = customer_selectors.list_customers(actor, owner_id=actor.pk, limit=HOME_SIZE)
    mine = bool(listing.items)
    if not mine:
        listing = customer_selectors.list_customers(actor, limit=HOME_SIZE)
    latest = interaction_selectors.latest_for_customers([c.pk for c in listing.items])
    rows = [(c, latest.get(c.pk)) for c in listing.items]
    return render(request, "web/home.html", {
        "rows": rows, "mine": mine, "has_more": listing.next_cursor is not None,
    })
