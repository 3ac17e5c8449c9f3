"""Transaction history on the Customer View, with a "more" partial."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from accord.transactions import selectors as transaction_selectors
from accord.transactions.selectors import TransactionPage
from accord.web.views.errors import HtmxHttpRequest, forged_cursors_are_invalid, page

TRANSACTIONS_PAGE = 10


def transactions_context(customer_id: int, listing: TransactionPage) -> dict[str, Any]:
    next_url = ""
    if listing.next_cursor:
        next_url = (reverse("web:transactions", args=[customer_id])
                    + "?" + urlencode({"cursor": listing.next_cursor}))
    return {"transactions": listing.items, "transactions_next_url": next_url}


@page
def transactions_partial(request: HtmxHttpRequest, customer_id: int) -> HttpResponse:
    """The next transactions after a cursor (a bad cursor is a 400 from the selector)."""
    with forged_cursors_are_invalid():
        listing = transaction_selectors.transactions_of(
            request.user, customer_id, cursor=request.GET.get("cursor") or None,
            limit=TRANSACTIONS_PAGE)
    return render(request, "web/customers/_transactions.html",
                  transactions_context(customer_id, listing))
