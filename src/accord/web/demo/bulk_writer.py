"""Writing the demo data set through the apps' bulk loaders, for millions of rows.

Ids are numbered here from each table's first free id (customers, interactions and
transactions are referenced before they are written); each chunk is one transaction.
Run it inside ``fast_load.fast_load(bulk_tables())``."""

from __future__ import annotations

import time
from itertools import repeat

import numpy as np
from django.db import transaction

from accord.customers import services as customer_services
from accord.interactions import services as interaction_services
from accord.platform.actors import SYSTEM
from accord.platform.clock import now
from accord.transactions import services as transaction_services
from accord.web.demo.activity import CHANNELS, DIRECTIONS
from accord.web.demo.generate import DemoChunk, LoadCounts
from accord.web.demo.identities import DemoIdentity
from accord.web.demo.plan import DEMO_SOURCE, SHOP_SOURCE, utc_text
from accord.web.demo.purchases import PRODUCTS
from accord.web.demo.staff import Roster

SAMPLE_CHECKS = 50  # identities per chunk checked against the real normaliser


def _ids_or_none(base: int, local: np.ndarray) -> np.ndarray:
    ids = (base + local).astype(object)
    ids[local < 0] = None
    return ids


def _lookup(values: list[int]) -> np.ndarray:
    """A table indexed by plan position, where position -1 means None."""
    return np.array([*values, None], dtype=object)


def bulk_tables() -> tuple[str, ...]:
    return (customer_services.bulk_tables() + interaction_services.bulk_tables()
            + transaction_services.bulk_tables())


class BulkWriter:
    """Writes chunks one transaction each; call ``finish`` once at the end."""

    def __init__(self, roster: Roster) -> None:
        self.counts = LoadCounts()
        self.customer_id = customer_services.bulk_next_customer_id()
        self.interaction_id = interaction_services.bulk_next_interaction_id()
        self.transaction_id = transaction_services.bulk_next_transaction_id()
        self.staff = _lookup(roster.staff_ids)
        self.teams = _lookup(roster.team_ids)
        sku_ids = transaction_services.bulk_ensure_products(PRODUCTS)
        self.product_ids = np.array([sku_ids[sku] for sku, _, _ in PRODUCTS], dtype=object)
        self.product_names = np.array([name for _, name, _ in PRODUCTS], dtype=object)
        self.channels = np.array(CHANNELS, dtype=object)
        self.directions = np.array(DIRECTIONS, dtype=object)
        self.created = utc_text(np.array([int(now().timestamp())]))[0]

    def write(self, data: DemoChunk) -> None:
        with transaction.atomic():
            customer_base = self._customers(data)
            self._interactions(data, customer_base)
            self._transactions(data, customer_base)

    def _customers(self, data: DemoChunk) -> int:
        t = time.perf_counter()
        pop, base = data.people, self.customer_id
        n = pop.count
        self.customer_id += n
        rows = zip(range(base, base + n),
                   np.where(pop.is_org, "organisation", "person").tolist(),
                   pop.display, pop.given, pop.family,
                   _ids_or_none(base, pop.organisation).tolist(),
                   self.staff[pop.owner].tolist(), self.teams[pop.team].tolist(),
                   pop.preferred_channel, pop.language, pop.lifecycle,
                   repeat(self.created), strict=False)
        self.counts.customers += customer_services.bulk_load_customers(rows)
        if data.chunk.index == 0 and (~pop.is_org).any():
            self.counts.showcase_id = base + int((~pop.is_org).argmax())
        flat = [(local, i) for local, found in enumerate(pop.identities) for i in found]
        for _, identity in flat[:: max(1, len(flat) // SAMPLE_CHECKS)]:
            self._verify(identity)
        self.counts.identities += customer_services.bulk_load_identities(
            (base + local, i.kind, i.value, i.display, DEMO_SOURCE, self.created)
            for local, i in flat)
        self.counts.add_time("customers", time.perf_counter() - t)
        return base

    def _verify(self, identity: DemoIdentity) -> None:
        """The generator builds normal forms itself (normalising millions would take
        minutes); a sample per chunk must agree with the real normaliser."""
        real = customer_services.normalise(identity.kind, identity.raw)
        if (real.value, real.display) != (identity.value, identity.display):
            raise RuntimeError(f"demo identity {identity.raw!r} normalises to "
                               f"{real.value!r}/{real.display!r}, not {identity.value!r}")

    def _interactions(self, data: DemoChunk, customer_base: int) -> None:
        t = time.perf_counter()
        acts, base = data.interactions, self.interaction_id
        n = acts.count
        self.interaction_id += n
        content = acts.content
        rows = zip(range(base, base + n), self.channels[acts.channel].tolist(),
                   self.directions[acts.direction].tolist(), acts.at_text,
                   content.subject.tolist(), content.text.tolist(), content.thread_key.tolist(),
                   repeat(DEMO_SOURCE), repeat(""), content.metadata.tolist(), strict=False)
        participants = zip((base + acts.p_interaction).tolist(),
                           _ids_or_none(customer_base, acts.p_customer).tolist(),
                           acts.p_role.tolist(), acts.p_address.tolist(), strict=True)
        written, linked = interaction_services.bulk_load_interactions(
            rows, participants, created_at=self.created)
        self.counts.interactions += written
        self.counts.participants += linked
        self.counts.add_time("interactions", time.perf_counter() - t)

    def _transactions(self, data: DemoChunk, customer_base: int) -> None:
        t = time.perf_counter()
        buys, base = data.purchases, self.transaction_id
        n = len(buys.kind)
        self.transaction_id += n
        rows = zip(range(base, base + n), (customer_base + buys.customer).tolist(),
                   buys.at_text, buys.kind, buys.amount.tolist(), repeat(buys.currency),
                   repeat(SHOP_SOURCE), buys.external_id, buys.metadata, strict=False)
        lines = zip((base + buys.line_txn).tolist(), self.product_ids[buys.line_product].tolist(),
                    self.product_names[buys.line_product].tolist(), buys.line_quantity.tolist(),
                    buys.line_unit.tolist(), buys.line_amount.tolist(), strict=True)
        written, itemised = transaction_services.bulk_load_transactions(
            rows, lines, created_at=self.created)
        self.counts.transactions += written
        self.counts.lines += itemised
        self.counts.add_time("transactions", time.perf_counter() - t)

    def finish(self) -> None:
        customer_services.bulk_customers_loaded(
            actor=SYSTEM, customers=self.counts.customers, identities=self.counts.identities,
            source=DEMO_SOURCE)
        interaction_services.bulk_interactions_loaded(
            actor=SYSTEM, interactions=self.counts.interactions,
            participants=self.counts.participants, source=DEMO_SOURCE)
        transaction_services.bulk_transactions_loaded(
            actor=SYSTEM, transactions=self.counts.transactions, lines=self.counts.lines,
            source=SHOP_SOURCE)
