"""The unified timeline on the Customer View: filters and endless scroll as htmx partials."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse

from accord.customers import selectors as customer_selectors
from accord.interactions import selectors as interaction_selectors
from accord.interactions.selectors import TimelinePage
from accord.platform.errors import InvalidInput
from accord.web.forms import TimelineFilterForm
from accord.web.views.entries import Entry, build_entries
from accord.web.views.errors import HtmxHttpRequest, forged_cursors_are_invalid, page

# About two laptop screens; endless scroll brings the rest. The API's default too.
TIMELINE_PAGE = interaction_selectors.PAGE
# Parameters that position a page rather than filter it.
_POSITION = ("cursor", "day")


def load_timeline(actor: Any, customer_id: int, form: TimelineFilterForm,
                  customer: Any = None) -> TimelinePage | None:
    """One page of the timeline, or None when the filters are invalid (the errors are
    then on the form, next to their fields)."""
    if not form.is_valid():
        return None
    try:
        with forged_cursors_are_invalid():
            return interaction_selectors.timeline(actor, customer_id, limit=TIMELINE_PAGE,
                                                  customer=customer, **form.selector_kwargs())
    except InvalidInput as exc:
        form.add_accord_error(exc)
        return None


def _filters_only(query: QueryDict) -> QueryDict:
    """The filter parameters that say something (a form sends empty ones too), so the
    address bar reads ?channel=sms rather than ?channel=sms&direction=&since=&until=."""
    kept = QueryDict(mutable=True)
    for name, values in query.lists():
        present = [v for v in values if v]
        if name not in _POSITION and present:
            kept.setlist(name, present)
    return kept


def _previous_day(request: HtmxHttpRequest) -> date | None:
    # Only decides whether the next page repeats a day heading: bad values are ignored.
    try:
        return date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return None


def timeline_context(request: HtmxHttpRequest, customer: Any, form: TimelineFilterForm,
                     timeline: TimelinePage | None) -> dict[str, Any]:
    """Entries with a heading where the day changes, and the URLs of the next page."""
    entries: list[Entry] = []
    next_url = next_page_url = ""
    if timeline is not None:
        entries, previous = build_entries(timeline.items, _previous_day(request))
        if timeline.next_cursor:
            query = _filters_only(request.GET)
            query["cursor"] = timeline.next_cursor
            if previous:
                query["day"] = previous.isoformat()
            next_url = f"{reverse('web:timeline', args=[customer.pk])}?{query.urlencode()}"
            # The same page without JavaScript: the full Customer View from the cursor on.
            next_page_url = f"{reverse('web:customer', args=[customer.pk])}?{query.urlencode()}"
    filters = _filters_only(request.GET).urlencode()
    return {
        "filter_form": form,
        "entries": entries,
        "timeline_ok": timeline is not None,
        "timeline_next_url": next_url,
        "timeline_next_page_url": next_page_url,
        "filtered": form.is_valid() and form.is_filtered(),
        "page_url": reverse("web:customer", args=[customer.pk]) + (f"?{filters}" if filters
                                                                   else ""),
    }


@page
def timeline_partial(request: HtmxHttpRequest, customer_id: int) -> HttpResponse:
    """With a cursor: the next entries only (endless scroll). Without: the whole panel,
    filters and first page (a filter change), and the address bar follows the filters."""
    actor = request.user
    customer = customer_selectors.get_customer(actor, customer_id)
    form = TimelineFilterForm(request.GET)
    timeline = load_timeline(actor, customer.pk, form, customer=customer)
    context = {"customer": customer, **timeline_context(request, customer, form, timeline)}
    status = 200 if timeline is not None else 400
    if request.GET.get("cursor"):
        return render(request, "web/timeline/_entries.html", context, status=status)
    response = render(request, "web/timeline/_panel.html", context, status=status)
    if request.htmx:
        response["HX-Push-Url"] = context["page_url"]
    return response
