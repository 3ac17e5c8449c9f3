"""The review queue page: documents nobody could be matched to for sure and addresses
from unknown senders, each decided with one click (htmx swaps the card for its outcome;
without JavaScript the forms post and the page comes back). Uploading letters too."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accord.capture import selectors_review
from accord.capture.services import review
from accord.capture.services.documents import capture_document
from accord.capture.services.review import Assignment
from accord.customers import selectors as customer_selectors
from accord.platform.actors import SYSTEM
from accord.platform.errors import AccordError, InvalidInput
from accord.web.views.errors import HtmxHttpRequest, page

FOUND_SHOWN = 8
MAX_UPLOADS = 20
View = Callable[..., HttpResponse]


def _decides(lookup: Callable[[Any, int], Any]) -> Callable[[View], View]:
    """A POST-only decision on one queue record: the record is looked up first, so one
    the user may not see answers 404 to every method, exactly like a missing one."""
    def decorate(view: View) -> View:
        @functools.wraps(view)
        def checked(request: HtmxHttpRequest, **ids: int) -> HttpResponse:
            lookup(request.user, *ids.values())
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, **ids)
        return checked
    return decorate


_document = _decides(selectors_review.queued_document)
_address = _decides(selectors_review.queued_address)


@page
def review_page(request: HtmxHttpRequest) -> HttpResponse:
    actor = request.user
    documents, addresses = selectors_review.pending_count(actor)
    context = {
        "documents": selectors_review.pending_documents(actor),
        "addresses": selectors_review.queued_addresses(actor),
        "waiting": {"documents": documents, "addresses": addresses},
        "flash": request.session.pop("review_flash", []),
    }
    return render(request, "web/review/page.html", context)


def _customer_id(request: HtmxHttpRequest) -> int:
    raw = request.POST.get("customer_id", "")
    if not raw.isdigit():
        raise InvalidInput("Choose a customer to assign to.", field="customer_id")
    return int(raw)


def _done(request: HtmxHttpRequest, card: str, text: str, customer_id: int | None = None,
          notes: list[str] | None = None) -> HttpResponse:
    """The card's outcome: swapped in by htmx, or a flash on the page after a redirect."""
    if request.htmx:
        return render(request, "web/review/_done.html",
                      {"card": card, "text": text, "customer_id": customer_id,
                       "notes": notes or []})
    request.session["review_flash"] = [text, *(notes or [])]
    return redirect("web:review")


def _assigned_text(what: str, outcome: Assignment) -> tuple[str, list[str]]:
    name = customer_selectors.get_customer(SYSTEM, outcome.customer_id).display_name
    notes = [f"Added {i}." for i in outcome.identities_added]
    notes += [f"Not added: {i}" for i in outcome.identities_skipped]
    if outcome.linked:
        notes.append(f"{outcome.linked} earlier item{'s' if outcome.linked != 1 else ''} "
                     "joined the timeline.")
    return f"{what} assigned to {name}.", notes


def _identities(request: HtmxHttpRequest) -> list[str]:
    return request.POST.getlist("identities")


@page
@_document
def document_assign(request: HtmxHttpRequest, pending_id: int) -> HttpResponse:
    outcome = review.assign_document(actor=request.user, pending_id=pending_id,
                                     customer_id=_customer_id(request),
                                     identities=_identities(request))
    text, notes = _assigned_text("Document", outcome)
    return _done(request, f"doc-{pending_id}", text, outcome.customer_id, notes)


@page
@_document
def document_new_customer(request: HtmxHttpRequest, pending_id: int) -> HttpResponse:
    outcome = review.assign_document_to_new_customer(
        actor=request.user, pending_id=pending_id,
        display_name=request.POST.get("display_name", ""),
        kind=request.POST.get("kind") or "person", identities=_identities(request))
    text, notes = _assigned_text("Document", outcome)
    return _done(request, f"doc-{pending_id}", f"New customer created. {text}",
                 outcome.customer_id, notes)


@page
@_document
def document_dismiss(request: HtmxHttpRequest, pending_id: int) -> HttpResponse:
    review.dismiss_document(actor=request.user, pending_id=pending_id)
    return _done(request, f"doc-{pending_id}", "Document dismissed.")


@page
@_address
def address_assign(request: HtmxHttpRequest, address_id: int) -> HttpResponse:
    outcome = review.assign_address(actor=request.user, address_id=address_id,
                                    customer_id=_customer_id(request))
    text, notes = _assigned_text("Address", outcome)
    return _done(request, f"addr-{address_id}", text, outcome.customer_id, notes)


@page
@_address
def address_new_customer(request: HtmxHttpRequest, address_id: int) -> HttpResponse:
    outcome = review.assign_address_to_new_customer(
        actor=request.user, address_id=address_id,
        display_name=request.POST.get("display_name", ""))
    text, notes = _assigned_text("Address", outcome)
    return _done(request, f"addr-{address_id}", f"New customer created. {text}",
                 outcome.customer_id, notes)


@page
@_address
def address_dismiss(request: HtmxHttpRequest, address_id: int) -> HttpResponse:
    review.dismiss_address(actor=request.user, address_id=address_id)
    return _done(request, f"addr-{address_id}", "Address dismissed.")


@page
def find_customer(request: HtmxHttpRequest) -> HttpResponse:
    """Customers matching a name, email or phone, as assign buttons for one card's form."""
    review.ensure_review_reader(request.user)
    query = request.GET.get("q", "").strip()
    found: list[Any] = []
    message = ""
    if len(query) >= 2:
        try:
            found = customer_selectors.search_customers(request.user, q=query,
                                                        limit=FOUND_SHOWN).items
        except InvalidInput as exc:
            message = exc.message
        if not found and not message:
            message = "Nobody found."
    return render(request, "web/review/_found.html", {"found": found, "message": message})


@page
@require_POST
def upload(request: HtmxHttpRequest) -> HttpResponse:
    """Letters and faxes uploaded from the page: each is captured (or queued) and the
    page says what happened to every file."""
    files = request.FILES.getlist("files")
    if not files:
        raise InvalidInput("Choose one or more files to upload.", field="files")
    if len(files) > MAX_UPLOADS:
        raise InvalidInput(f"Upload at most {MAX_UPLOADS} files at once.", field="files")
    channel = request.POST.get("channel") or None
    lines = []
    for upload_file in files:
        name = upload_file.name or "upload"
        try:
            outcome = capture_document(actor=request.user, content=upload_file.read(),
                                       filename=name, origin="upload", channel=channel)
        except AccordError as exc:
            lines.append(f"{name}: rejected: {exc.message}")
            continue
        lines.append(f"{name}: {describe_outcome(outcome)}")
    request.session["review_flash"] = lines
    return redirect("web:review")


def describe_outcome(outcome: Any) -> str:
    """What happened to one document, in words."""
    if outcome.status == "captured":
        name = customer_selectors.get_customer(SYSTEM, outcome.customer_id).display_name
        return f"{outcome.channel} captured on {name}'s timeline."
    if outcome.status == "queued":
        return f"queued for review ({outcome.reason})."
    return f"{outcome.reason}."
