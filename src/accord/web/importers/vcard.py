"""vCard files (.vcf, versions 2.1, 3.0 and 4.0) -> customers.

The file is split into cards by their BEGIN/END lines first, so each card keeps the line
number it starts on and one damaged card is reported without losing the rest. Each card
becomes a customer row: FN/N for the name, ORG for the organisation (found or created
by name), EMAIL, TEL and ADR as identities, UID as the external id; KIND:org (vCard 4)
or a card with only ORG makes an organisation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import vobject

from accord.web.importers.customers import CustomerRows
from accord.web.importers.fields import RowError
from accord.web.importers.records import ImportFileError, Record
from accord.web.importers.report import Outcome


def _value(card: Any, name: str) -> Any:
    item = card.contents.get(name)
    return item[0].value if item else None


def _values(card: Any, name: str) -> list[Any]:
    return [item.value for item in card.contents.get(name, [])]


def _address(adr: Any) -> str:
    parts = [adr.box, adr.extended, adr.street, adr.city, adr.region, adr.code, adr.country]
    flat = [" ".join(p) if isinstance(p, list) else str(p or "") for p in parts]
    return ", ".join(p.strip().replace("\n", ", ") for p in flat if p and p.strip())


def card_to_row(card: Any) -> dict[str, Any]:
    """One parsed vCard as a customers-import row (see importers.customers)."""
    row: dict[str, Any] = {}
    name = _value(card, "n")
    if name is not None:
        given = " ".join(name.given) if isinstance(name.given, list) else name.given
        family = " ".join(name.family) if isinstance(name.family, list) else name.family
        row.update(given_name=(given or "").strip(), family_name=(family or "").strip())
    display = _value(card, "fn")
    org = _value(card, "org")
    org_name = " ".join(p for p in org if p).strip() if isinstance(org, list) else (org or "")
    kind = str(_value(card, "kind") or "").lower()
    if kind == "org" or (org_name and not display and not row.get("family_name")):
        row.update(kind="organisation", display_name=org_name or display,
                   given_name="", family_name="")
    else:
        row.update(display_name=(display or "").strip())
        if org_name:
            row["organisation"] = org_name
    uid = _value(card, "uid")
    if uid:
        row["external_id"] = str(uid).strip()
    row["email"] = [str(e) for e in _values(card, "email") if str(e).strip()]
    row["phone"] = [str(t) for t in _values(card, "tel") if str(t).strip()]
    addresses = [_address(a) for a in _values(card, "adr")]
    if addresses and addresses[0]:
        row["address"] = addresses[0]
    return {k: v for k, v in row.items() if v not in ("", [], None)}


def read_cards(path: Path) -> Iterator[Record]:
    """Each card as a customers-import record, numbered by its BEGIN:VCARD line."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"{path}: {getattr(exc, 'strerror', None) or exc}") from exc
    if "BEGIN:VCARD" not in content.upper():
        raise ImportFileError(f"{path.name}: no BEGIN:VCARD found; is this a vCard file?")
    start, lines = 0, []
    for number, line in enumerate(content.splitlines(), start=1):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            start, lines = number, [line]
        elif lines:
            lines.append(line)
            if upper == "END:VCARD":
                yield _parse(start, "\r\n".join(lines) + "\r\n")
                lines = []
    if lines:
        yield Record(start, error="the card has no END:VCARD", error_field="END")


def _parse(line: int, text: str) -> Record:
    try:
        card = vobject.readOne(text)
    except Exception as exc:  # vobject raises many kinds (ParseError, ValueError, ...)
        return Record(line, error=f"unreadable vCard: {exc}", error_field="VCARD")
    return Record(line, card_to_row(card))


VCARD_FIELDS = {"email": "EMAIL", "phone": "TEL", "address": "ADR", "external_id": "UID",
                "display_name": "FN", "given_name": "N", "family_name": "N",
                "organisation": "ORG"}


class VCardRows:
    """Customers from cards: also found again by phone (many cards have nothing else),
    and errors name the vCard property (EMAIL, TEL, ...) rather than a column."""

    def __init__(self, source: str) -> None:
        self.rows = CustomerRows(source, keys=("external_id", "email", "phone"))

    def __call__(self, data: dict[str, Any]) -> Outcome:
        try:
            return self.rows(data)
        except RowError as exc:
            exc.field = VCARD_FIELDS.get(exc.field or "", exc.field)
            raise
