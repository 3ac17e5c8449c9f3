"""Reads over customers. Every selector takes the actor and applies record-level access."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from accord.accounts.access import customer_scope
from accord.customers.domain.duplicates import SuggestionStatus
from accord.customers.domain.identities import (
    NormalisedIdentity,
    fold_text,
    guess_identity,
    is_junk,
    normalise_identity,
    parse_kind,
)
from accord.customers.domain.kinds import IdentityKind
from accord.customers.models import Customer, DuplicateSuggestion, Identity, Merge, NameKey
from accord.platform.errors import InvalidInput, NotFound
from accord.platform.pagination import decode_cursor, encode_cursor

MAX_PAGE = 200


@dataclass(frozen=True)
class CustomerPage:
    items: list[Customer]
    next_cursor: str | None


def visible_customers(actor: Any) -> QuerySet[Customer]:
    return Customer.objects.filter(customer_scope(actor))


def _one_visible(actor: Any, customer_id: int, query: QuerySet[Customer]) -> Customer:
    # [:1] rather than first(): no ORDER BY for a primary-key lookup. The annotation says
    # whether anything was merged in (usually not: then merged_ids_of needs no query).
    found = list(query.filter(customer_scope(actor), pk=customer_id)
                 .annotate(has_merged_records=Exists(
                     Customer.objects.filter(merged_into=OuterRef("pk"))))[:1])
    if not found:
        raise NotFound(f"Customer {customer_id} not found.", field="customer_id")
    return found[0]


def get_customer(actor: Any, customer_id: int) -> Customer:
    """One customer the actor may see, with organisation, owner and team loaded."""
    return _one_visible(actor, customer_id, Customer.objects.select_related(
        "organisation", "owner", "team", "merged_into"))


def resolve_customer(actor: Any, customer_id: int, customer: Customer | None = None) -> Customer:
    """``customer`` when the caller already loaded it with ``get_customer`` for this actor
    (a page composing several selectors). Otherwise the customer is checked and loaded with
    only what reading its history needs (id, merges): no joins, as the timeline and
    transaction API answer one customer's history and never show the profile."""
    if customer is not None and customer.pk == customer_id:
        return customer
    return _one_visible(actor, customer_id, Customer.objects.only("id", "merged_into_id"))


def merged_ids_of(customer: Customer) -> list[int]:
    """``merged_ids`` remembered on the loaded customer for the rest of the request."""
    cached: list[int] | None = getattr(customer, "_accord_merged_ids", None)
    if cached is None:
        # get_customer already knows whether anything was merged in: usually not.
        nothing_merged = getattr(customer, "has_merged_records", None) is False
        cached = [customer.pk] if nothing_merged else merged_ids(customer.pk)
        customer._accord_merged_ids = cached  # type: ignore[attr-defined]
    return cached


def identities_of(customer: Customer) -> list[Identity]:
    return list(customer.identities.order_by("kind", "id"))


def people_of(actor: Any, organisation: Customer, limit: int = 50) -> list[Customer]:
    return list(visible_customers(actor).filter(organisation=organisation,
                                                merged_into__isnull=True)
                .order_by("name_key", "id")[:limit])


def merged_ids(customer_id: int) -> list[int]:
    """The customer and every record merged into it, at any depth: its timeline and
    transactions are the union of theirs."""
    return list(merged_members([customer_id]))


def survivors(customer_ids: list[int]) -> dict[int, int]:
    """Each given customer mapped to the record it now lives on: itself, or the survivor
    of the merges it went into (one query per level of merging)."""
    root = {pk: pk for pk in customer_ids}
    pending = {pk: pk for pk in customer_ids}  # given id -> the record to look up next
    for _ in range(64):  # merge chains are short; the bound guards against a cycle
        parents = dict(Customer.objects.filter(pk__in=set(pending.values()),
                                               merged_into__isnull=False)
                       .values_list("id", "merged_into_id"))
        pending = {given: parents[at] for given, at in pending.items() if at in parents}
        if not pending:
            break
        root.update(pending)
    return root


def merged_members(customer_ids: list[int]) -> dict[int, int]:
    """Each given customer and every record merged into one of them, mapped to the given
    customer it now belongs to (one query per level of merging)."""
    owner = {pk: pk for pk in customer_ids}
    frontier = list(customer_ids)
    while frontier:
        rows = list(Customer.objects.filter(merged_into_id__in=frontier)
                    .values_list("id", "merged_into_id"))
        for pk, parent in rows:
            owner[pk] = owner[parent]
        frontier = [pk for pk, _ in rows]
    return owner


def open_merges(actor: Any, customer: Customer) -> list[Merge]:
    """Merges into this customer that can still be undone."""
    if merged_ids_of(customer) == [customer.pk]:  # an open merge leaves a merged record
        return []
    return list(Merge.objects.filter(survivor=customer, undone_at__isnull=True)
                .select_related("loser").order_by("-merged_at"))


def _decode_name_cursor(cursor: str) -> tuple[str, int]:
    """A (name key, id) cursor, as both name-ordered lists issue them."""
    key, last_id = decode_cursor(cursor, arity=2)
    if not isinstance(key, str) or not isinstance(last_id, int) or not 0 <= last_id < 2**63:
        raise InvalidInput("The cursor is not one this server issued.", field="cursor")
    return key, last_id


def _page(query: QuerySet[Customer], cursor: str | None, limit: int) -> CustomerPage:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}.", field="limit")
    if cursor:
        name_key, last_id = _decode_name_cursor(cursor)
        query = query.filter(name_key__gte=name_key).exclude(name_key=name_key, id__lte=last_id)
    rows = list(query.order_by("name_key", "id")[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].name_key, rows[-1].pk)
    return CustomerPage(rows, next_cursor)


def list_customers(actor: Any, *, cursor: str | None = None, limit: int = 50,
                   owner_id: int | None = None, kind: str | None = None) -> CustomerPage:
    query = visible_customers(actor).filter(merged_into__isnull=True)
    if owner_id is not None:
        query = query.filter(owner_id=owner_id)
    if kind:
        query = query.filter(kind=kind)
    return _page(query.select_related("organisation"), cursor, limit)


def find_by_identity(identity: NormalisedIdentity) -> int | None:
    """The customer an identity belongs to (system use: capture and imports). Junk
    identifiers (noreply@, unknown, 0000000) never match anyone."""
    if is_junk(identity):
        return None
    return (Identity.objects.filter(kind=identity.kind.value, value=identity.value)
            .values_list("customer_id", flat=True).first())


def find_by_identities(identities: Iterable[NormalisedIdentity]) -> dict[tuple[str, str], int]:
    """``find_by_identity`` for many at once: {(kind, value): customer id} for those that
    belong to somebody (system use: a capture batch looks its addresses up together)."""
    by_kind: dict[str, set[str]] = {}
    for identity in identities:
        if not is_junk(identity):
            by_kind.setdefault(identity.kind.value, set()).add(identity.value)
    found: dict[tuple[str, str], int] = {}
    for kind, values in by_kind.items():
        ordered = sorted(values)
        for start in range(0, len(ordered), 500):
            rows = Identity.objects.filter(kind=kind, value__in=ordered[start:start + 500]) \
                .values_list("value", "customer_id")
            found.update({(kind, value): customer_id for value, customer_id in rows})
    return found


def resolve_reference(reference: str) -> int | None:
    """A free-form customer reference from an import file: an email, a phone, an external
    id, or ``#123`` for an Accord id."""
    text = reference.strip()
    if text.startswith("#") and text[1:].isdigit():
        return Customer.objects.filter(pk=int(text[1:])).values_list("id", flat=True).first()
    identity = guess_identity(text, default_region=settings.DEFAULT_PHONE_REGION)
    if identity is None:
        return None
    found = find_by_identity(identity)
    if found is None and identity.kind is not IdentityKind.EXTERNAL_ID:
        # "12345" might be a phone-shaped external id.
        found = find_by_identity(NormalisedIdentity(IdentityKind.EXTERNAL_ID, text, text))
    return found


def search_customers(
    actor: Any,
    *,
    q: str | None = None,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    identity_kind: str | None = None,
    identity_value: str | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> CustomerPage:
    """Search by name prefix, email, phone (any format) or any identity.

    ``q`` is the search box: an identity if it reads as one and matches, else a name
    prefix (over display and family names)."""
    base = visible_customers(actor).filter(merged_into__isnull=True)
    region = settings.DEFAULT_PHONE_REGION
    identity: NormalisedIdentity | None = None
    if email:
        identity = normalise_identity(IdentityKind.EMAIL, email, default_region=region)
    elif phone:
        identity = normalise_identity(IdentityKind.PHONE, phone, default_region=region)
    elif identity_kind or identity_value:
        if not (identity_kind and identity_value):
            raise InvalidInput("Give both identity_kind and identity_value.",
                               field="identity_value" if identity_kind else "identity_kind")
        identity = normalise_identity(parse_kind(identity_kind, field="identity_kind"),
                                      identity_value, default_region=region,
                                      field="identity_value")
    if identity is not None:
        return _by_identity(base, identity)
    if q and q.strip():
        guessed = guess_identity(q, default_region=region)
        if guessed is not None and guessed.kind is not IdentityKind.EXTERNAL_ID:
            return _by_identity(base, guessed)
        if guessed is not None:
            page = _by_identity(base, guessed)
            if page.items:
                return page
        name = q
    if not name or not name.strip():
        raise InvalidInput("Give a search term.", field="q")
    key = fold_text(name)
    if not key:
        raise InvalidInput("Give a search term.", field="q")
    return _name_prefix_page(actor, key, cursor, limit)


def _name_prefix_page(actor: Any, key: str, cursor: str | None, limit: int) -> CustomerPage:
    """Customers any of whose name words start with ``key``, in key order (surname-first
    for a surname match, like a phone book). One ordered range scan over the keys."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}.", field="limit")
    query = NameKey.objects.filter(key__gte=key, key__lt=key + "\U0010ffff",
                                   customer__merged_into__isnull=True)
    query = query.filter(customer_scope(actor, prefix="customer__"))
    if cursor:
        last_key, last_id = _decode_name_cursor(cursor)
        query = query.filter(key__gte=last_key).exclude(key=last_key, customer_id__lte=last_id)
    hits = list(query.order_by("key", "customer_id").values_list("key", "customer_id")
                [: limit + 1])
    next_cursor = encode_cursor(*hits[limit - 1]) if len(hits) > limit else None
    ids = list(dict.fromkeys(pk for _, pk in hits[:limit]))  # two words may both match
    found = {c.pk: c for c in Customer.objects.filter(pk__in=ids).select_related("organisation")}
    return CustomerPage([found[pk] for pk in ids if pk in found], next_cursor)


def _by_identity(base: QuerySet[Customer], identity: NormalisedIdentity) -> CustomerPage:
    customer_id = find_by_identity(identity)
    if customer_id is None:
        return CustomerPage([], None)
    return CustomerPage(list(base.filter(pk=customer_id).select_related("organisation")), None)


# ---------------------------------------------------------------------------------------
# Duplicate suggestions and merges, for the Duplicates page and API. A suggestion is
# visible only when both of its customers are.


@dataclass(frozen=True)
class DuplicatePage:
    items: list[DuplicateSuggestion]  # customer_a and customer_b loaded
    next_cursor: str | None


def _visible_suggestions(actor: Any) -> QuerySet[DuplicateSuggestion]:
    return DuplicateSuggestion.objects.filter(
        customer_scope(actor, prefix="customer_a__"), customer_scope(actor, prefix="customer_b__"),
        customer_a__merged_into__isnull=True, customer_b__merged_into__isnull=True)


def open_duplicates(actor: Any, *, cursor: str | None = None,
                    limit: int = 50) -> DuplicatePage:
    """Open duplicate suggestions between customers the actor may see, best first."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}.", field="limit")
    query = _visible_suggestions(actor).filter(status=SuggestionStatus.OPEN)
    if cursor:
        score, last_id = decode_cursor(cursor, arity=2)
        if not isinstance(score, int | float) or not isinstance(last_id, int):
            raise InvalidInput("The cursor is not one this server issued.", field="cursor")
        query = query.filter(score__lte=score).exclude(score=score, id__lte=last_id)
    rows = list(query.select_related("customer_a", "customer_b")
                .order_by("-score", "id")[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].score, rows[-1].pk)
    return DuplicatePage(rows, next_cursor)


def get_duplicate(actor: Any, suggestion_id: int) -> DuplicateSuggestion:
    """One suggestion (any status) whose customers the actor may both see, with their
    organisation, owner and team loaded for a side-by-side comparison."""
    related = [f"{side}__{link}" for side in ("customer_a", "customer_b")
               for link in ("organisation", "owner", "team")]
    found = _visible_suggestions(actor).filter(pk=suggestion_id).select_related(*related).first()
    if found is None:
        raise NotFound(f"Suggestion {suggestion_id} not found.", field="suggestion_id")
    return found


def duplicates_of(actor: Any, customer: Customer, limit: int = 5) -> list[DuplicateSuggestion]:
    """Open suggestions that involve this customer (the Customer View's hint)."""
    return list(_visible_suggestions(actor).filter(status=SuggestionStatus.OPEN)
                .filter(Q(customer_a=customer) | Q(customer_b=customer))
                .select_related("customer_a", "customer_b").order_by("-score", "id")[:limit])


def recent_merges(actor: Any, limit: int = 20) -> list[Merge]:
    """Merges into customers the actor may see that can still be undone, newest first."""
    return list(Merge.objects.filter(customer_scope(actor, prefix="survivor__"),
                                     undone_at__isnull=True)
                .select_related("survivor", "loser", "actor")
                .order_by("-merged_at", "-id")[:limit])


def get_merge(actor: Any, merge_id: int) -> Merge:
    """One merge into a customer the actor may see (whoever may see the survivor may see
    and undo what was merged into it)."""
    found = (Merge.objects.filter(customer_scope(actor, prefix="survivor__"), pk=merge_id)
             .select_related("survivor", "loser").first())
    if found is None:
        raise NotFound(f"Merge {merge_id} not found.", field="merge_id")
    return found
