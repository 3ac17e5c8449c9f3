"""Writing the demo data set through the normal services, exactly as the API would:
identities normalised from their messy raw form, participants matched by identity,
an audit row and an outbox event per write. Right for thousands of customers; the bulk
writer is for millions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from itertools import pairwise

from django.db import transaction

from accord.customers.services import create_customer
from accord.interactions.services import ParticipantInput, record_interaction
from accord.platform.actors import SYSTEM
from accord.transactions.services import LineInput, TransactionInput, record_transaction
from accord.web.demo.activity import CHANNELS, DIRECTIONS
from accord.web.demo.generate import DemoChunk, LoadCounts
from accord.web.demo.plan import DEMO_SOURCE, SHOP_SOURCE
from accord.web.demo.purchases import PRODUCTS
from accord.web.demo.staff import Roster

CUSTOMERS_PER_TRANSACTION = 100


def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _money(minor: int) -> Decimal:
    return Decimal(minor).scaleb(-2)


class ServiceWriter:
    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        self.counts = LoadCounts()

    def write(self, data: DemoChunk) -> None:
        pop = data.people
        ids: list[int] = []
        # Organisations come first in a chunk, so their people can point at them.
        for start in range(0, pop.count, CUSTOMERS_PER_TRANSACTION):
            with transaction.atomic():
                for local in range(start, min(start + CUSTOMERS_PER_TRANSACTION, pop.count)):
                    ids.append(self._customer(data, local, ids))
        if data.chunk.index == 0 and (~pop.is_org).any():
            self.counts.showcase_id = ids[int((~pop.is_org).argmax())]
        acts = data.interactions
        bounds = [0, *(i + 1 for i in range(acts.count - 1)
                       if acts.customer[i] != acts.customer[i + 1]), acts.count]
        # Participants are grouped by interaction: find each one's slice once.
        first = {int(i): n for n, i in reversed(list(enumerate(acts.p_interaction.tolist())))}
        for lo, hi in pairwise(bounds):
            with transaction.atomic():
                for row in range(lo, hi):
                    self._interaction(data, row, ids, first[row])
        buys = data.purchases
        lines_of: dict[int, list[int]] = {}
        for n, txn in enumerate(buys.line_txn.tolist()):
            lines_of.setdefault(txn, []).append(n)
        for row in range(len(buys.kind)):
            self._transaction(data, row, ids, lines_of.get(row, []))

    def _customer(self, data: DemoChunk, local: int, ids: list[int]) -> int:
        pop = data.people
        org, owner, team = (int(pop.organisation[local]), int(pop.owner[local]),
                            int(pop.team[local]))
        customer = create_customer(
            actor=SYSTEM, source=DEMO_SOURCE,
            kind="organisation" if pop.is_org[local] else "person",
            display_name=pop.display[local], given_name=pop.given[local],
            family_name=pop.family[local], organisation_id=ids[org] if org >= 0 else None,
            owner_id=self.roster.staff_ids[owner] if owner >= 0 else None,
            team_id=self.roster.team_ids[team] if team >= 0 else None,
            preferred_channel=pop.preferred_channel[local], language=pop.language[local],
            lifecycle=pop.lifecycle[local],
            identities=[(i.kind, i.raw) for i in pop.identities[local]])
        self.counts.customers += 1
        self.counts.identities += len(pop.identities[local])
        return customer.pk

    def _interaction(self, data: DemoChunk, row: int, ids: list[int], first: int) -> None:
        acts, pop = data.interactions, data.people
        parties = []
        n = first
        while n < acts.p_interaction.size and acts.p_interaction[n] == row:
            local, kind = int(acts.p_customer[n]), acts.p_kind[n]
            role = acts.p_role[n]
            if local < 0:  # an address nobody in Accord has
                parties.append(ParticipantInput(role=role, kind=kind, value=acts.p_address[n]))
            elif kind:  # matched by identity, as captured mail or calls would be
                raw = getattr(pop, kind)[local].raw
                parties.append(ParticipantInput(role=role, kind=kind, value=raw))
            else:
                parties.append(ParticipantInput(role=role, customer_id=ids[local]))
            n += 1
        content = acts.content
        record_interaction(
            actor=SYSTEM, channel=CHANNELS[acts.channel[row]],
            direction=DIRECTIONS[acts.direction[row]], occurred_at=_moment(int(acts.at[row])),
            participants=parties, subject=content.subject[row], text=content.text[row],
            thread_key=content.thread_key[row], source=DEMO_SOURCE,
            metadata=_json(content.metadata[row]))
        self.counts.interactions += 1
        self.counts.participants += len(parties)

    def _transaction(self, data: DemoChunk, row: int, ids: list[int], lines: list[int]
                     ) -> None:
        buys = data.purchases
        items = [LineInput(unit_price=_money(int(buys.line_unit[n])),
                           quantity=int(buys.line_quantity[n]),
                           sku=PRODUCTS[buys.line_product[n]][0],
                           name=PRODUCTS[buys.line_product[n]][1],
                           description=PRODUCTS[buys.line_product[n]][1],
                           category=PRODUCTS[buys.line_product[n]][2]) for n in lines]
        record_transaction(actor=SYSTEM, item=TransactionInput(
            customer_id=ids[int(buys.customer[row])], occurred_at=_moment(int(buys.at[row])),
            amount=_money(int(buys.amount[row])), currency=buys.currency, kind=buys.kind[row],
            source=SHOP_SOURCE, external_id=buys.external_id[row], lines=items,
            metadata=_json(buys.metadata[row])))
        self.counts.transactions += 1
        self.counts.lines += len(items)


def _json(text: str) -> dict[str, object]:
    value = json.loads(text)
    assert isinstance(value, dict)
    return value
