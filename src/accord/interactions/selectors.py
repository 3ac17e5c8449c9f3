"""Reads over the timeline; every selector applies record-level access via the customer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Prefetch, QuerySet, prefetch_related_objects

from accord.accounts.access import sees_everything
from accord.customers import selectors as customer_selectors
from accord.interactions.domain import BannerItem, Channel, Direction, parse_enum, recent_banner
from accord.interactions.models import Attachment, Interaction, Participant
from accord.platform import blobs, clock
from accord.platform.errors import InvalidInput, NotFound
from accord.platform.pagination import decode_time_cursor, encode_time_cursor

PAGE = 20  # the timeline's page everywhere: API default and the Customer View
MAX_PAGE = 200


@dataclass(frozen=True)
class TimelinePage:
    items: list[Interaction]
    next_cursor: str | None


# Interactions read here carry their participants and attachments as plain lists
# (``participant_list``, ``attachment_list``) rather than through the related managers:
# a page reads them several times per entry, and a page without files needs no query.
PEOPLE = Prefetch("participants", queryset=Participant.objects.order_by("id"),
                  to_attr="participant_list")
FILES = Prefetch("attachments", queryset=Attachment.objects.order_by("id"),
                 to_attr="attachment_list")
PARTIES = (PEOPLE, FILES)


def _with_parties(query: QuerySet[Interaction]) -> QuerySet[Interaction]:
    return query.prefetch_related(*PARTIES)


def timeline(
    actor: Any,
    customer_id: int,
    *,
    channels: Sequence[str] = (),
    direction: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = PAGE,
    customer: Any = None,
) -> TimelinePage:
    """A customer's interactions on every channel, newest first (keyset pagination).

    Includes what happened to records merged into this customer."""
    customer = customer_selectors.resolve_customer(actor, customer_id, customer)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}.", field="limit")
    ids = customer_selectors.merged_ids_of(customer)
    query = Participant.objects.filter(customer_id__in=ids) if len(ids) > 1 else \
        Participant.objects.filter(customer_id=ids[0])
    if channels:
        query = query.filter(channel__in=[parse_enum(Channel, c, field="channel")
                                          for c in channels])
    if direction:
        query = query.filter(direction=parse_enum(Direction, direction, field="direction"))
    if since:
        query = query.filter(occurred_at__gte=clock.ensure_aware(since))
    if until:
        query = query.filter(occurred_at__lt=clock.ensure_aware(until))
    if cursor:
        at, last_id = decode_time_cursor(cursor)
        query = query.filter(occurred_at__lte=at).exclude(occurred_at=at,
                                                          interaction_id__gte=last_id)
    # One query walks the timeline index and brings each interaction along (forward join),
    # noting which have files: most have none, and then their query is skipped.
    rows = list(query.select_related("interaction")
                .annotate(has_files=Exists(Attachment.objects.filter(
                    interaction_id=OuterRef("interaction_id"))))
                .order_by("-occurred_at", "-interaction_id")[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_time_cursor(rows[-1].occurred_at, rows[-1].interaction_id)
    # A merged pair may share an item: show it once.
    items = list({row.interaction_id: row.interaction for row in rows}.values())
    prefetch_related_objects(items, PEOPLE)
    with_files = {row.interaction_id for row in rows if row.has_files}
    prefetch_related_objects([i for i in items if i.pk in with_files], FILES)
    for item in items:
        if item.pk not in with_files:
            item.attachment_list = []  # type: ignore[attr-defined]
    return TimelinePage(items, next_cursor)


def recent_activity(actor: Any, customer_id: int, *, hours: int = 24,
                    now: datetime | None = None, customer: Any = None,
                    newest: TimelinePage | None = None) -> list[BannerItem]:
    """The cross-channel '24 hours' banner of the Customer View.

    ``newest`` is the unfiltered first page of this customer's timeline when the caller
    has it: if that page reaches back past the window, the banner is read from it."""
    customer = customer_selectors.resolve_customer(actor, customer_id, customer)
    moment = now or clock.now()
    since = moment - timedelta(hours=hours)
    rows: Iterable[tuple[str, str, datetime]]
    if newest is not None and (newest.next_cursor is None
                               or (newest.items and newest.items[-1].occurred_at < since)):
        rows = [(i.channel, i.direction, i.occurred_at) for i in newest.items]
    else:
        ids = customer_selectors.merged_ids_of(customer)
        rows = (Participant.objects.filter(customer_id__in=ids, occurred_at__gte=since,
                                           occurred_at__lte=moment)
                .order_by("-occurred_at")
                .values_list("channel", "direction", "occurred_at")[:100])
    return recent_banner(rows, now=moment, tz=ZoneInfo(settings.TIME_ZONE), hours=hours)


def get_interaction(actor: Any, interaction_id: int) -> Interaction:
    """An interaction the actor may see: one with at least one visible customer.
    Interactions nobody was matched to are visible to roles that see everyone."""
    interaction = _with_parties(Interaction.objects.filter(pk=interaction_id)).first()
    if interaction is None:
        raise NotFound(f"Interaction {interaction_id} not found.", field="interaction_id")
    customer_ids = [p.customer_id for p in interaction.participant_list  # type: ignore[attr-defined]
                    if p.customer_id]
    visible = customer_selectors.visible_customers(actor)
    if customer_ids:
        if not visible.filter(pk__in=customer_ids).exists():
            raise NotFound(f"Interaction {interaction_id} not found.", field="interaction_id")
    elif not sees_everything(actor):
        raise NotFound(f"Interaction {interaction_id} not found.", field="interaction_id")
    return interaction


def visible_customer_ids(actor: Any, customer_ids: Sequence[int]) -> set[int]:
    """Which of these customers the actor may see (others are masked in answers)."""
    if sees_everything(actor):
        return set(customer_ids)
    return set(customer_selectors.visible_customers(actor).filter(pk__in=customer_ids)
               .values_list("id", flat=True))


def attachment_content(actor: Any, attachment_id: int) -> tuple[Attachment, bytes]:
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("Attachment not found.", field="attachment_id")
    try:  # same access as its interaction, and the same answer as a missing attachment
        get_interaction(actor, attachment.interaction_id)
    except NotFound:
        raise NotFound("Attachment not found.", field="attachment_id") from None
    return attachment, blobs.read(attachment.sha256)


def latest_for_customers(customer_ids: Sequence[int]) -> dict[int, Interaction]:
    """Each customer's most recent interaction (records merged into it included), in a
    fixed number of queries whatever the count."""
    owner = customer_selectors.merged_members(list(customer_ids))
    latest: dict[int, Any] = {}
    for member, at in (Participant.objects.filter(customer_id__in=list(owner))
                       .values("customer_id").annotate(at=Max("occurred_at"))
                       .values_list("customer_id", "at")):
        key = owner[member]
        latest[key] = max(latest.get(key, at), at)
    if not latest:
        return {}
    rows = (Participant.objects.filter(customer_id__in=list(owner),
                                       occurred_at__in=set(latest.values()))
            .select_related("interaction").order_by("-interaction_id"))
    found: dict[int, Interaction] = {}
    for row in rows:
        key = owner.get(row.customer_id or 0)
        if key is not None and latest.get(key) == row.occurred_at:
            found.setdefault(key, row.interaction)
    return found


def interaction_counts(customer_ids: Sequence[int]) -> dict[int, int]:
    """How many interactions each customer has (records merged into it included), for
    customers the caller has already checked the actor may see (the Duplicates page)."""
    from django.db.models import Count

    owner = customer_selectors.merged_members(list(customer_ids))
    counts = dict.fromkeys(customer_ids, 0)
    for member, n in (Participant.objects.filter(customer_id__in=list(owner))
                      .values("customer_id").annotate(n=Count("interaction_id", distinct=True))
                      .values_list("customer_id", "n")):
        counts[owner[member]] += n
    return counts


def recorded(source: str, external_id: str) -> QuerySet[Interaction]:
    """The interaction recorded for (source, external_id): at most one.

    The exclude repeats the condition of the partial unique index on (source,
    external_id): without it SQLite cannot tell that the index applies and scans the
    whole table (150 ms at a million interactions instead of a few microseconds)."""
    return Interaction.objects.filter(source=source, external_id=external_id) \
        .exclude(external_id="")


def find_recorded(source: str, external_id: str) -> int | None:
    """The interaction already recorded for this captured item, if any (system use:
    connectors skip what they captured before without building it again)."""
    if not external_id:
        return None
    return recorded(source, external_id).values_list("id", flat=True).first()


def recorded_among(source: str, external_ids: Sequence[str]) -> set[str]:
    """Which of these items of one source are already on the timeline (system use: a
    capture batch checks all its items in one query)."""
    wanted = [e for e in external_ids if e]
    found: set[str] = set()
    for start in range(0, len(wanted), 500):  # well under any database's parameter limit
        found.update(Interaction.objects.filter(source=source,
                                                external_id__in=wanted[start:start + 500])
                     .exclude(external_id="").values_list("external_id", flat=True))
    return found


@dataclass(frozen=True)
class UnmatchedAddress:
    address: str  # lower-cased
    count: int  # interactions with this address on a participant linked to nobody
    latest_at: datetime
    latest_subject: str


def unmatched_addresses(addresses: Sequence[str]) -> dict[str, UnmatchedAddress]:
    """For each address (any case), the unmatched participants recorded with it: how
    many, and the latest one's time and subject (system use: the review queue, whose
    own selector checks the actor)."""
    from django.db.models import Count
    from django.db.models.functions import Lower

    keys = list({a.lower() for a in addresses if a})
    if not keys:
        return {}
    rows = (Participant.objects.filter(customer__isnull=True).annotate(key=Lower("address"))
            .filter(key__in=keys))
    stats = {key: (n, at) for key, n, at in rows.values("key").annotate(
        n=Count("interaction_id", distinct=True), at=Max("occurred_at"))
        .values_list("key", "n", "at")}
    subjects: dict[str, str] = {}
    for key, subject in (rows.filter(occurred_at__in={at for _, at in stats.values()})
                         .order_by("-occurred_at", "-interaction_id")
                         .values_list("key", "interaction__subject")):
        subjects.setdefault(key, subject)
    return {key: UnmatchedAddress(key, n, at, subjects.get(key, ""))
            for key, (n, at) in stats.items()}


@dataclass(frozen=True)
class CapturedContent:
    """What an item says, for rules that read captured items (campaign codes)."""

    id: int
    channel: str
    direction: str
    occurred_at: datetime
    subject: str
    text: str
    metadata: dict[str, Any]


def captured_content(interaction_ids: Sequence[int]) -> list[CapturedContent]:
    """Subject, text and metadata of these interactions (system use: event handlers)."""
    found: list[CapturedContent] = []
    ids = list(interaction_ids)
    for start in range(0, len(ids), 500):
        rows = Interaction.objects.filter(pk__in=ids[start:start + 500]).values_list(
            "id", "channel", "direction", "occurred_at", "subject", "text", "metadata")
        found += [CapturedContent(*row) for row in rows]
    return found
