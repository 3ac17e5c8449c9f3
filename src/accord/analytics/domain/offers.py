"""Next-best offer from product co-occurrence ("customers who bought A also bought B").

For every ordered pair of products (A, B), over the customers (each customer counts once
per product, however often they bought it):
  support    customers who bought both / all customers;
  confidence P(B | A) = customers who bought both / customers who bought A;
  lift       P(B | A) / P(B): above 1, owning A makes B more likely than it is anyway.
Pairs bought together by at least ``min_customers`` customers with lift > 1 are the rules.
Each customer is offered the ``top_k`` products they have not bought, scored by the best
lift of a rule from any product they own; ties go to the higher confidence, then to the
lower product id (so the answer never depends on the order of the input).

The customer x product matrix is sparse (scipy); X.T @ X counts the pairs. Scoring runs
over blocks of customers, each a small dense block x products array, so memory stays
bounded for a million customers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from accord.platform.errors import InvalidInput

DEFAULT_MIN_CUSTOMERS = 5
DEFAULT_TOP_K = 3
BLOCK_CELLS = 1 << 22  # customers x products cells scored at once (32 MB of int64)

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]


@dataclass(frozen=True)
class OfferRules:
    """The rule table, best lift first (for the Company View)."""

    antecedent: Ints  # product A, owned
    consequent: Ints  # product B, offered
    customers: Ints  # customers who bought both
    support: Floats
    confidence: Floats  # P(B | A)
    lift: Floats
    total_customers: int


@dataclass(frozen=True)
class Offers:
    """Row i is customer ``customer[i]`` (ascending ids); columns are the offers, best
    first, padded with product -1 and lift NaN beyond ``count[i]``."""

    customer: Ints
    product: Ints  # (customers, top_k)
    lift: Floats
    confidence: Floats
    count: Ints
    rules: OfferRules

    def of(self, customer_id: int) -> list[tuple[int, float]]:
        """(product id, lift) offered to one customer; [] when none or unknown."""
        row = int(np.searchsorted(self.customer, customer_id))
        if row >= self.customer.size or self.customer[row] != customer_id:
            return []
        n = int(self.count[row])
        return list(zip(self.product[row, :n].tolist(), self.lift[row, :n].tolist(),
                        strict=True))

    def lists(self) -> list[list[tuple[int, float]]]:
        """Every customer's (product id, lift) offers, aligned with ``customer``."""
        products, lifts = self.product.tolist(), self.lift.tolist()
        return [list(zip(p[:n], f[:n], strict=True))
                for p, f, n in zip(products, lifts, self.count.tolist(), strict=True)]


def _codes(ids: Ints) -> tuple[Ints, Ints]:
    """The distinct ids (ascending) and each id's position among them. Database ids are
    dense, so a lookup table over their range beats sorting millions of them."""
    low, high = int(ids.min()), int(ids.max())
    if high - low > 4 * ids.size + 1024:
        distinct, code = np.unique(ids, return_inverse=True)
        return distinct.astype(np.int64), code.ravel().astype(np.int64)
    present = np.zeros(high - low + 1, dtype=bool)
    present[ids - low] = True
    distinct = np.flatnonzero(present).astype(np.int64)
    position = np.cumsum(present, dtype=np.int64) - 1
    return distinct + low, position[ids - low]


def _owned_matrix(customer: Ints, product: Ints) -> tuple[Ints, Ints, sparse.csr_matrix]:
    """Customer ids, product ids and the 0/1 customer x product matrix (repeats folded)."""
    customers, row = _codes(customer)
    products, column = _codes(product)
    owned = sparse.csr_matrix((np.ones(row.size, dtype=np.int64), (row, column)),
                              shape=(customers.size, products.size))
    owned.sum_duplicates()
    owned.data[:] = 1
    return customers, products, owned


def _rules(owned: sparse.csr_matrix, min_customers: int) -> tuple[Ints, Ints, Ints, Floats,
                                                                  Floats]:
    """Rule (A, B, both, confidence, lift) as product columns, sorted by A."""
    n = owned.shape[0]
    buyers = np.asarray(owned.sum(axis=0)).ravel().astype(np.float64)
    pairs = (owned.T @ owned).tocoo()
    a, b, both = pairs.row.astype(np.int64), pairs.col.astype(np.int64), pairs.data
    keep = (a != b) & (both >= min_customers)
    a, b, both = a[keep], b[keep], both[keep].astype(np.int64)
    confidence = both / buyers[a]
    lift = both * float(n) / (buyers[a] * buyers[b])  # symmetric to the last bit
    keep = lift > 1
    order = np.lexsort((b[keep], a[keep]))
    return (a[keep][order], b[keep][order], both[keep][order], confidence[keep][order],
            lift[keep][order])


def _score_block(owned: sparse.csr_matrix, start: int, stop: int, rule_start: Ints,
                 rule_count: Ints, rule_b: Ints, rule_key: Ints, top_k: int,
                 buffer: Ints) -> Ints:
    """For customers start..stop-1, their best keys (rank * P + P - 1 - B, unique per
    product), best first; -1 where there is nothing more to offer.

    Each product's rules come strongest first, and only the first top_k + m of them can
    reach the top_k of a customer owning m products: anything further down has top_k
    stronger, distinct offers above it in the same list, bar at most m - 1 already owned."""
    p = owned.shape[1]
    rows = stop - start
    lengths = np.diff(owned.indptr[start:stop + 1]).astype(np.int64)
    pair_row = np.repeat(np.arange(rows, dtype=np.int64), lengths)
    pair_product = owned.indices[owned.indptr[start]:owned.indptr[stop]].astype(np.int64)
    reps = np.minimum(rule_count[pair_product], top_k + lengths[pair_row])
    offsets = np.cumsum(reps) - reps
    rule = np.repeat(rule_start[pair_product] - offsets, reps) + np.arange(int(reps.sum()))
    key = buffer[:rows * p]  # reused: fresh memory for every block costs page faults
    key.fill(-1)
    np.maximum.at(key, np.repeat(pair_row * p, reps) + rule_b[rule], rule_key[rule])
    key[pair_row * p + pair_product] = -1  # never offer what they already bought
    block = key.reshape(rows, p)
    everyone = np.arange(rows)
    result = np.empty((rows, min(top_k, p)), dtype=np.int64)
    for column in range(result.shape[1]):  # top_k passes of argmax beat a partition
        best = block.argmax(axis=1)
        result[:, column] = block[everyone, best]
        block[everyone, best] = -1
    return result


def next_best_offers(customer: Ints, product: Ints, *,
                     min_customers: int = DEFAULT_MIN_CUSTOMERS,
                     top_k: int = DEFAULT_TOP_K) -> Offers:
    """Rules and per-customer offers from purchases given as aligned arrays of customer
    id and product id (one row per purchase or per customer-product: repeats count once)."""
    customer, product = np.asarray(customer), np.asarray(product)
    if customer.ndim != 1 or customer.shape != product.shape:
        raise InvalidInput("customer and product need one value per purchase.",
                           field="baskets")
    if customer.size and not (np.issubdtype(customer.dtype, np.integer)
                              and np.issubdtype(product.dtype, np.integer)):
        raise InvalidInput("Customer and product ids must be integers.", field="baskets")
    if min_customers < 1:
        raise InvalidInput("min_customers must be 1 or more.", field="min_customers")
    if top_k < 1:
        raise InvalidInput("top_k must be 1 or more.", field="top_k")
    if customer.size == 0:
        return _no_offers(top_k)
    customers, products, owned = _owned_matrix(customer.astype(np.int64),
                                               product.astype(np.int64))
    a, b, both, confidence, lift = _rules(owned, min_customers)
    n, p = owned.shape
    # One integer rank per distinct (lift, confidence): the best rule is the largest rank.
    by_strength = np.lexsort((confidence, lift))
    changed = np.ones(lift.size, dtype=bool)
    changed[1:] = ((np.diff(lift[by_strength]) != 0)
                   | (np.diff(confidence[by_strength]) != 0))
    rank = np.empty(lift.size, dtype=np.int64)
    rank[by_strength] = np.cumsum(changed) - 1
    rank_lift = np.zeros(max(lift.size, 1))  # never empty: indexed before masking
    rank_confidence = np.zeros(max(lift.size, 1))
    rank_lift[rank], rank_confidence[rank] = lift, confidence
    # Each product's rules strongest first; the key orders by rank, then lower product id.
    rule_key = rank * p + (p - 1 - b)
    strongest = np.lexsort((-rule_key, a))
    rule_start = np.searchsorted(a, np.arange(p)).astype(np.int64)  # a is sorted already
    rule_count = np.searchsorted(a, np.arange(p), side="right") - rule_start

    keys = np.full((n, top_k), -1, dtype=np.int64)
    block = max(1, BLOCK_CELLS // p)
    buffer = np.empty(min(n, block) * p, dtype=np.int64)
    for start in range(0, n, block):
        stop = min(n, start + block)
        got = _score_block(owned, start, stop, rule_start, rule_count, b[strongest],
                           rule_key[strongest], top_k, buffer)
        keys[start:stop, :got.shape[1]] = got
    found = keys >= 0
    safe = np.where(found, keys, 0)
    offered = np.where(found, products[p - 1 - safe % p], -1)
    table = np.lexsort((b, a, -both, -confidence, -lift))
    rules = OfferRules(antecedent=products[a[table]], consequent=products[b[table]],
                       customers=both[table], support=both[table] / n,
                       confidence=confidence[table], lift=lift[table], total_customers=n)
    return Offers(customer=customers, product=offered.astype(np.int64),
                  lift=np.where(found, rank_lift[safe // p], np.nan),
                  confidence=np.where(found, rank_confidence[safe // p], np.nan),
                  count=found.sum(axis=1).astype(np.int64), rules=rules)


def _no_offers(top_k: int) -> Offers:
    ints, floats = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    rules = OfferRules(antecedent=ints, consequent=ints, customers=ints, support=floats,
                       confidence=floats, lift=floats, total_customers=0)
    return Offers(customer=ints, product=np.empty((0, top_k), dtype=np.int64),
                  lift=np.empty((0, top_k)), confidence=np.empty((0, top_k)), count=ints,
                  rules=rules)
