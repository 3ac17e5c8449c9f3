"""Shapes of the capture API's answers."""

from __future__ import annotations

from ninja import Schema


class EvidenceOut(Schema):
    kind: str  # email, phone, reference, address, address_similar, token, name
    value: str


class CandidateOut(Schema):
    customer_id: int
    name: str
    score: float
    evidence: list[EvidenceOut]


class DocumentOutcomeOut(Schema):
    """What happened to an uploaded document: ``captured`` on a customer's timeline,
    ``queued`` for review, or ``present`` (the same file was captured before)."""

    status: str
    channel: str
    interaction_id: int | None = None
    customer_id: int | None = None
    pending_id: int | None = None
    match: str  # matched, ambiguous, unmatched ("" when present)
    reason: str
    candidates: list[CandidateOut]
    problems: list[str]
