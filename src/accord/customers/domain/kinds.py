"""Enumerations shared by the customer tables, the API and the pages."""

from __future__ import annotations

import enum


class CustomerKind(enum.StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class Lifecycle(enum.StrEnum):
    LEAD = "lead"
    PROSPECT = "prospect"
    CUSTOMER = "customer"
    FORMER = "former"


class IdentityKind(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    EXTERNAL_ID = "external_id"


def choices(enum_cls: type[enum.StrEnum]) -> list[tuple[str, str]]:
    return [(m.value, m.value.replace("_", " ").title()) for m in enum_cls]
