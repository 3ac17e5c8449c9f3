"""Accounts API: who am I, and my personal API tokens."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from accord.accounts import selectors, services
from accord.accounts.schemas import MeOut, NewTokenOut, TokenIn, TokenOut

router = Router(tags=["accounts"])


@router.get("/me", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest) -> Any:
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "role": user.role,
        "teams": selectors.team_names(user),
    }


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def list_tokens(request: HttpRequest) -> Any:
    return selectors.tokens_of(request.auth)


@router.post("/tokens", response={201: NewTokenOut}, summary="Issue a new API token")
def issue_token(request: HttpRequest, payload: TokenIn) -> Any:
    return Status(
        201,
        {"token": services.issue_token(actor=request.auth, user=request.auth, name=payload.name)},
    )


@router.delete("/tokens/{int:token_id}", response={204: None}, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    services.revoke_token(actor=request.auth, token_id=token_id)
    return Status(204, None)
