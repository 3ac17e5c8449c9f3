"""Web visits onto timelines: page views from Accord's script (or an access log) grouped
into visits, and a visitor's identification (portal login, a form with an email) that
puts every visit of that visitor, earlier anonymous ones too, on the customer's timeline.

One timeline entry per visit (channel web_visit, role visitor, source "web", external
id the visit's key), recorded once the visitor is known and brought up to date as pages
arrive. Entries hang on participant rows like every other channel, so a merge of
customers carries them along and an undo gives them back."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from accord.capture.domain.addresses import is_own, is_role
from accord.capture.domain.web_visits import (
    PageView,
    VisitSummary,
    clip,
    merge_pages,
    page_from_record,
    sessionise,
    starts_new_visit,
    summarise,
    visit_subject,
    with_leave,
)
from accord.capture.models.web_visits import Visit, Visitor
from accord.capture.services.email import address_rules, resolve_party
from accord.capture.services.websites import Website
from accord.interactions import services as interaction_services
from accord.platform import clock
from accord.platform.errors import InvalidInput

WEB_SOURCE = "web"  # one (source, external_id) space for every site: visit keys are unique
VISITOR_KEY = re.compile(r"^[A-Za-z0-9_\-:.]{8,64}$")


@dataclass(frozen=True)
class Identified:
    customer_id: int | None  # None: queued or ignored, as the source says
    stitched: int  # earlier visits put on the timeline now
    created_customer: bool = False


def check_visitor_key(key: Any) -> str:
    if not isinstance(key, str) or not VISITOR_KEY.match(key):
        raise InvalidInput("visitor must be the script's visitor id (8 to 64 letters, "
                           "digits, '-' or '_').", field="visitor")
    return key


def _visitor(site: Website, key: str, at: datetime, *, create: bool = True) -> Visitor | None:
    """The visitor row, locked for this transaction (two tabs reporting at once)."""
    found = Visitor.objects.select_for_update().filter(source_id=site.id, key=key).first()
    if found is None and create:
        Visitor.objects.get_or_create(source_id=site.id, key=key,
                                      defaults={"first_seen_at": at, "last_seen_at": at})
        found = Visitor.objects.select_for_update().get(source_id=site.id, key=key)
    return found


def stored_pages(visit: Visit) -> list[PageView]:
    pages = visit.pages if isinstance(visit.pages, list) else []
    read = (page_from_record(p) for p in pages if isinstance(p, dict))
    return [p for p in read if p is not None]


def _apply(visit: Visit, summary: VisitSummary, extra_before: int) -> None:
    visit.started_at, visit.ended_at = summary.started_at, summary.ended_at
    visit.pages, visit.extra_pages = summary.pages, extra_before + summary.extra_pages
    visit.landing_url, visit.exit_url = summary.landing_url, summary.exit_url
    visit.referrer, visit.utm = summary.referrer, summary.utm
    visit.duration_seconds = max(0, summary.duration_seconds)


def _new_visit(visitor: Visitor, key: str, origin: str) -> Visit:
    return Visit(visitor=visitor, key=key, origin=origin[:300], pages=[], utm={})


@transaction.atomic
def record_page_view(*, actor: Any, site: Website, visitor_key: str, view: PageView) -> Visit:
    """Add one page view to the visitor's current visit, or open a new visit (after the
    site's session gap, or from a new campaign); the timeline follows if the visitor is
    known."""
    visitor = _visitor(site, check_visitor_key(visitor_key), view.at)
    assert visitor is not None
    visit = visitor.visits.order_by("-started_at", "-id").first()
    if visit is not None and not starts_new_visit(
            last_activity=visit.ended_at, at=view.at, visit_utm=visit.utm or {},
            page_url=view.url, gap=site.gap):
        pages = merge_pages(stored_pages(visit), [view])
        extra = visit.extra_pages
    else:
        visit = _new_visit(visitor, uuid.uuid4().hex, f"web:{site.name}")
        pages, extra = [view], 0
    _apply(visit, summarise(pages), extra)
    visit.save()
    visitor.last_seen_at = max(visitor.last_seen_at, view.at)
    visitor.save(update_fields=["last_seen_at"])
    if visitor.email and visitor.customer_id is None:
        _rematch(actor, site, visitor)  # a customer with that email may exist by now
    put_on_timeline(actor, site, visitor, visit)
    return visit


@transaction.atomic
def record_leave(*, actor: Any, site: Website, visitor_key: str, at: datetime,
                 url: str = "") -> None:
    """The reader left the page: its time on page, and so the visit's length."""
    visitor = _visitor(site, check_visitor_key(visitor_key), at, create=False)
    if visitor is None:
        return
    visit = visitor.visits.order_by("-started_at", "-id").first()
    if visit is None or at - visit.ended_at > site.gap:
        return
    pages = stored_pages(visit)
    left = with_leave(pages, at=at, gap=site.gap, url=url)
    if left == pages or not left:
        return
    _apply(visit, summarise(left), visit.extra_pages)
    visit.save()
    put_on_timeline(actor, site, visitor, visit)


def add_visit_pages(*, actor: Any, site: Website, visitor: Visitor, views: Sequence[PageView],
                    key: str, origin: str) -> str:
    """One visit's page views from a log: into the visitor's stored visit they continue
    or repeat (within the session gap), else a new visit with ``key``. Returns
    "captured", "updated" (pages added) or "present" (nothing new)."""
    start, end = min(v.at for v in views), max(v.at for v in views)
    near = visitor.visits.filter(started_at__lte=end + site.gap,
                                 ended_at__gte=start - site.gap).order_by("started_at", "id")
    # The stored visit these pages belong to: together they would make one visit.
    visit = next((v for v in near
                  if len(sessionise(merge_pages(stored_pages(v), views), site.gap)) == 1),
                 None) or Visit.objects.filter(key=key).first()
    if visit is None:
        visit = _new_visit(visitor, key, origin)
        _apply(visit, summarise(views), 0)
        visit.save()
        status = "captured"
    else:
        stored = stored_pages(visit)
        merged = merge_pages(stored, views)
        if len(merged) == len(stored):
            if visit.interaction_id is None:
                put_on_timeline(actor, site, visitor, visit)
            return "present"
        _apply(visit, summarise(merged), visit.extra_pages)
        visit.save()
        status = "updated"
    visitor.first_seen_at = min(visitor.first_seen_at, start)
    visitor.last_seen_at = max(visitor.last_seen_at, end)
    visitor.save(update_fields=["first_seen_at", "last_seen_at"])
    put_on_timeline(actor, site, visitor, visit)
    return status


def log_visitor(site: Website, key: str, at: datetime) -> Visitor:
    visitor = _visitor(site, key, at)
    assert visitor is not None
    return visitor


def _match(actor: Any, site: Website, email: str, unknown: str) -> tuple[int | None, bool]:
    """The customer an email belongs to (made, per the source, when nobody has it), and
    whether one was created. InvalidInput when it is no email address."""
    party = resolve_party(actor=actor, role="visitor", name="", address=email,
                          rules=address_rules(), unknown=unknown, seen=set(),
                          source=WEB_SOURCE)
    if party.problem:
        raise InvalidInput(f"{email!r} is not an email address.", field="email")
    customer_id = party.participant.customer_id if party.participant is not None else None
    return customer_id, party.created_customer is not None


def _rematch(actor: Any, site: Website, visitor: Visitor) -> None:
    customer_id, _ = _match(actor, site, visitor.email, "ignore")
    if customer_id is not None:
        visitor.customer_id = customer_id
        visitor.save(update_fields=["customer_id"])
        _stitch(actor, site, visitor)


@transaction.atomic
def identify_visitor(*, actor: Any, site: Website, visitor_key: str, email: str,
                     at: datetime | None = None) -> Identified:
    """The visitor says who they are: match the email to a customer (or create one, or
    queue it, as the source's unknown_senders says) and put every visit of theirs not yet
    on a timeline there, at its own time. Visits already on someone's timeline stay."""
    if not isinstance(email, str) or not email.strip() or len(email) > 254:
        raise InvalidInput("email must be an email address.", field="email")
    moment = at or clock.now()
    visitor = _visitor(site, check_visitor_key(visitor_key), moment)
    assert visitor is not None
    customer_id, created = _match(actor, site, email.strip(), site.unknown_senders)
    visitor.email, visitor.customer_id = email.strip(), customer_id
    visitor.identified_at = moment
    visitor.last_seen_at = max(visitor.last_seen_at, moment)
    visitor.save(update_fields=["email", "customer_id", "identified_at", "last_seen_at"])
    return Identified(customer_id, _stitch(actor, site, visitor), created)


def _stitch(actor: Any, site: Website, visitor: Visitor) -> int:
    waiting = list(visitor.visits.filter(interaction__isnull=True).order_by("started_at"))
    return sum(put_on_timeline(actor, site, visitor, visit) for visit in waiting)


def _participant(site: Website, visitor: Visitor) -> interaction_services.ParticipantInput | None:
    if visitor.customer_id is not None:
        return interaction_services.ParticipantInput(role="visitor",
                                                     customer_id=visitor.customer_id)
    email = visitor.email
    if email and site.unknown_senders == "queue" and not is_role(email) \
            and not is_own(email, address_rules()):
        # Waits in the review queue by its address, as unmatched mail does.
        return interaction_services.ParticipantInput(role="visitor", kind="email", value=email)
    return None


def visit_metadata(site: Website, visit: Visit) -> dict[str, Any]:
    data: dict[str, Any] = {
        "site": site.name, "visit": visit.key, "pages": visit.pages,
        "landing": visit.landing_url, "exit": visit.exit_url,
        "duration_seconds": visit.duration_seconds, "origin": visit.origin,
        "ended_at": visit.ended_at.isoformat(),
    }
    optional = {"referrer": visit.referrer, "utm": visit.utm, "extra_pages": visit.extra_pages,
                "utm_campaign": (visit.utm or {}).get("utm_campaign"),
                "utm_source": (visit.utm or {}).get("utm_source")}
    data.update({k: v for k, v in optional.items() if v})
    return data


def _summary_of(visit: Visit) -> VisitSummary:
    return VisitSummary(started_at=visit.started_at, ended_at=visit.ended_at,
                        landing_url=visit.landing_url, exit_url=visit.exit_url,
                        referrer=visit.referrer, utm=visit.utm or {}, pages=visit.pages,
                        extra_pages=visit.extra_pages, duration_seconds=visit.duration_seconds)


def put_on_timeline(actor: Any, site: Website, visitor: Visitor, visit: Visit) -> bool:
    """Record the visit's timeline entry, or bring it up to date; nothing while the
    visitor is unknown. True when an entry was recorded now."""
    subject = visit_subject(_summary_of(visit))
    text = "\n".join(clip(p.get("title") or p.get("path"), 300) for p in visit.pages
                     if isinstance(p, dict))
    metadata = visit_metadata(site, visit)
    if visit.interaction_id is not None:
        interaction_services.update_interaction_content(
            actor=actor, interaction_id=visit.interaction_id, subject=subject, text=text,
            occurred_at=visit.started_at, metadata=metadata)
        return False
    participant = _participant(site, visitor)
    if participant is None:
        return False
    result = interaction_services.record_interaction(
        actor=actor, channel="web_visit", direction="inbound", occurred_at=visit.started_at,
        participants=[participant], subject=subject, text=text, source=WEB_SOURCE,
        external_id=visit.key, metadata=metadata)
    visit.interaction_id = result.interaction.pk
    visit.save(update_fields=["interaction"])
    return result.created
