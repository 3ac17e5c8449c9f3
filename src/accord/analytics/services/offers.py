"""Next best offers for a run: rules learnt from every customer's baskets (co-occurrence
with lift, domain/offers.py), or, when rescoring with a finished run, that run's stored
rules applied to these customers' baskets."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.analytics.domain.offers import next_best_offers
from accord.analytics.domain.run_settings import RunSettings
from accord.analytics.services.inputs import ints
from accord.analytics.warehouse import queries
from accord.analytics.warehouse.engines import Engine

MAX_RULES = 5000  # stored with a run, best lift first: enough for real-time offers


@dataclass(frozen=True)
class Offers:
    per_customer: list[str]  # JSON lists of offers, aligned with the run's customers
    rules: list[dict[str, Any]]


class _Texts:
    """JSON of each distinct offer list, made once: a million customers share a few
    thousand lists, and json.dumps per customer would cost seconds."""

    def __init__(self, catalogue: dict[int, tuple[str, str]]) -> None:
        self._catalogue = catalogue
        self._made: dict[tuple[tuple[int, float], ...], str] = {}

    def __call__(self, offers: list[tuple[int, float]]) -> str:
        key = tuple(offers)
        text = self._made.get(key)
        if text is None:
            text = json.dumps([_offer(p, lift, self._catalogue) for p, lift in offers])
            self._made[key] = text
        return text


def _catalogue(engine: Engine) -> dict[int, tuple[str, str]]:
    rows = engine.query(queries.products()).to_pylist()
    return {int(r["id"]): (str(r["sku"]), str(r["name"])) for r in rows}


def _offer(product: int, lift: float, catalogue: dict[int, tuple[str, str]]) -> dict[str, Any]:
    sku, name = catalogue.get(product, ("", ""))
    return {"product_id": product, "sku": sku, "name": name, "lift": round(lift, 4)}


def _learnt(customers: NDArray[np.int64], products: NDArray[np.int64], ids: NDArray[np.int64],
            settings: RunSettings, catalogue: dict[int, tuple[str, str]]) -> Offers:
    found = next_best_offers(customers, products, min_customers=settings.offer_min_customers,
                             top_k=max(1, settings.offers))
    lists = found.lists()
    where = np.searchsorted(found.customer, ids)
    text = _Texts(catalogue)
    per_customer: list[str] = []
    for cid, at in zip(ids.tolist(), where.tolist(), strict=True):
        if at < found.customer.size and found.customer[at] == cid:
            per_customer.append(text(lists[at]))
        else:
            per_customer.append("[]")
    r = found.rules
    rules = [{"from_id": a, "from_sku": catalogue.get(a, ("", ""))[0],
              "from_name": catalogue.get(a, ("", ""))[1], "to_id": b,
              "to_sku": catalogue.get(b, ("", ""))[0], "to_name": catalogue.get(b, ("", ""))[1],
              "lift": lift, "confidence": confidence, "customers": n}
             for a, b, lift, confidence, n in zip(
                 r.antecedent[:MAX_RULES].tolist(), r.consequent[:MAX_RULES].tolist(),
                 r.lift[:MAX_RULES].tolist(), r.confidence[:MAX_RULES].tolist(),
                 r.customers[:MAX_RULES].tolist(), strict=True)]
    return Offers(per_customer=per_customer, rules=rules)


def _from_rules(customers: NDArray[np.int64], products: NDArray[np.int64],
                ids: NDArray[np.int64], rules: list[dict[str, Any]], top_k: int,
                catalogue: dict[int, tuple[str, str]]) -> Offers:
    """The same choice domain/offers.py makes (best lift from any owned product, ties to
    the higher confidence, then the lower product id), from stored rules."""
    owned: dict[int, set[int]] = defaultdict(set)
    for c, p in zip(customers.tolist(), products.tolist(), strict=True):
        owned[c].add(p)
    by_source: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for rule in rules:
        by_source[int(rule["from_id"])].append(rule)
    text = _Texts(catalogue)
    per_customer = []
    for cid in ids.tolist():
        mine = owned.get(cid, set())
        best: dict[int, tuple[float, float]] = {}
        for product in mine:
            for rule in by_source.get(product, ()):
                target = int(rule["to_id"])
                if target in mine:
                    continue
                strength = (float(rule["lift"]), float(rule["confidence"]))
                if strength > best.get(target, (-1.0, -1.0)):
                    best[target] = strength
        chosen = sorted(best.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))[:top_k]
        per_customer.append(text([(p, strength[0]) for p, strength in chosen]))
    return Offers(per_customer=per_customer, rules=rules)


def find_offers(engine: Engine, ids: NDArray[np.int64], as_of_day: int,
                settings: RunSettings, *, rules: list[dict[str, Any]] | None = None) -> Offers:
    """Offers for the customers ``ids`` (ascending), learning rules unless given."""
    if settings.offers == 0:
        return Offers(per_customer=["[]"] * ids.size, rules=[])
    baskets = engine.query(queries.baskets(as_of_day))
    customers = ints(baskets, "customer_id")
    products = ints(baskets, "product_id")
    catalogue = _catalogue(engine)
    if rules is None:
        return _learnt(customers, products, ids, settings, catalogue)
    return _from_rules(customers, products, ids, rules, settings.offers, catalogue)
