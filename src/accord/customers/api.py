"""Customers API: create, read, update, list, search, identities, merge and unmerge."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from accord.customers import selectors, services
from accord.customers.models import Customer
from accord.customers.schemas import (
    CustomerDetailOut,
    CustomerIn,
    CustomerPageOut,
    CustomerPatch,
    DuplicateMergeIn,
    DuplicateOut,
    DuplicatePageOut,
    IdentityIn,
    IdentityOut,
    MergeIn,
    MergeOut,
)

router = Router(tags=["customers"])


class ListParams(Schema):
    cursor: str | None = None
    limit: int = 50
    owner_id: int | None = None
    kind: str | None = None


class DuplicateParams(Schema):
    cursor: str | None = None
    limit: int = 50


class SearchParams(Schema):
    q: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    identity_kind: str | None = None
    identity_value: str | None = None
    cursor: str | None = None
    limit: int = 25


@router.post("", response={201: CustomerDetailOut}, summary="Create a customer")
def create_customer(request: HttpRequest, payload: CustomerIn) -> tuple[int, Customer]:
    data = payload.dict(exclude_unset=True)
    identities = [(i["kind"], i["value"]) for i in data.pop("identities", [])]
    customer = services.create_customer(
        actor=request.auth, identities=identities, source="api", **data
    )
    return Status(201, selectors.get_customer(request.auth, customer.pk))


@router.get("", response=CustomerPageOut, summary="List customers (cursor-paginated)")
def list_customers(request: HttpRequest, params: Query[ListParams]) -> Any:
    return selectors.list_customers(
        request.auth,
        cursor=params.cursor,
        limit=params.limit,
        owner_id=params.owner_id,
        kind=params.kind,
    )


@router.get(
    "/search",
    response=CustomerPageOut,
    summary="Search by name prefix, email, phone (any format) or any identity",
)
def search_customers(request: HttpRequest, params: Query[SearchParams]) -> Any:
    return selectors.search_customers(request.auth, **params.dict())


@router.get("/{int:customer_id}", response=CustomerDetailOut, summary="Read a customer")
def get_customer(request: HttpRequest, customer_id: int) -> Customer:
    return selectors.get_customer(request.auth, customer_id)


@router.patch("/{int:customer_id}", response=CustomerDetailOut, summary="Update a customer")
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Customer:
    services.update_customer(
        actor=request.auth, customer_id=customer_id, **payload.dict(exclude_unset=True)
    )
    return selectors.get_customer(request.auth, customer_id)


@router.get(
    "/{int:customer_id}/identities",
    response=list[IdentityOut],
    summary="List a customer's identities",
)
def list_identities(request: HttpRequest, customer_id: int) -> Any:
    return selectors.identities_of(selectors.get_customer(request.auth, customer_id))


@router.post(
    "/{int:customer_id}/identities",
    response={201: IdentityOut},
    summary="Add an identity (email, phone, address, external id)",
)
def add_identity(request: HttpRequest, customer_id: int, payload: IdentityIn) -> Any:
    return Status(
        201,
        services.add_identity(
            actor=request.auth,
            customer_id=customer_id,
            kind=payload.kind,
            value=payload.value,
            verified=payload.verified,
            source="api",
        ),
    )


@router.delete(
    "/{int:customer_id}/identities/{int:identity_id}",
    response={204: None},
    summary="Remove an identity",
)
def remove_identity(request: HttpRequest, customer_id: int, identity_id: int) -> Any:
    services.remove_identity(actor=request.auth, customer_id=customer_id, identity_id=identity_id)
    return Status(204, None)


@router.post(
    "/{int:customer_id}/merge",
    response={201: MergeOut},
    summary="Merge another customer into this one",
)
def merge_customer(request: HttpRequest, customer_id: int, payload: MergeIn) -> Any:
    return Status(
        201,
        services.merge_customers(
            actor=request.auth,
            survivor_id=customer_id,
            loser_id=payload.loser_id,
            choices=payload.choices,
        ),
    )


@router.post("/merges/{int:merge_id}/undo", response=MergeOut, summary="Undo a merge")
def undo_merge(request: HttpRequest, merge_id: int) -> Any:
    return services.unmerge_customers(actor=request.auth, merge_id=merge_id)


@router.get("/duplicates", response=DuplicatePageOut,
            summary="Open duplicate suggestions among the customers you can see, best first")
def list_duplicates(request: HttpRequest, params: Query[DuplicateParams]) -> Any:
    return selectors.open_duplicates(request.auth, cursor=params.cursor, limit=params.limit)


@router.get("/duplicates/{int:suggestion_id}", response=DuplicateOut,
            summary="Read a duplicate suggestion")
def get_duplicate(request: HttpRequest, suggestion_id: int) -> Any:
    return selectors.get_duplicate(request.auth, suggestion_id)


@router.post("/duplicates/{int:suggestion_id}/merge", response={201: MergeOut},
             summary="Merge a suggested pair, choosing the surviving value per field")
def merge_duplicate(request: HttpRequest, suggestion_id: int, payload: DuplicateMergeIn) -> Any:
    return Status(201, services.merge_suggestion(
        actor=request.auth, suggestion_id=suggestion_id, survivor=payload.survivor,
        choices=payload.choices))


@router.post("/duplicates/{int:suggestion_id}/dismiss", response=DuplicateOut,
             summary="Not duplicates: the pair is never suggested again")
def dismiss_duplicate(request: HttpRequest, suggestion_id: int) -> Any:
    services.dismiss_suggestion(actor=request.auth, suggestion_id=suggestion_id)
    return selectors.get_duplicate(request.auth, suggestion_id)
