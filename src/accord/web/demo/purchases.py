"""Purchase histories drawn from the processes the analytics models assume, so that
fitting them later finds something true:

- BG/NBD (Fader, Hardie & Lee 2005): while alive, a customer buys as a Poisson process
  with rate lambda ~ Gamma(r, alpha) (per week); after each repeat purchase they drop out
  with probability p ~ Beta(a, b). The first purchase opens the relationship.
- Gamma-Gamma spend: each customer's transaction values are Gamma(p, nu) with
  nu ~ Gamma(q, gamma), independent of how often they buy.

Everything is vectorised over the chunk. Lines split each amount exactly (to the cent)
over one to four products, favouring the customer's preferred category."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accord.web.demo.plan import Chunk, utc_text
from accord.web.demo.population import Population
from accord.web.demo.vocabulary import CATALOGUE

# Buying process (weeks); tuned so the average customer record has ~5 transactions.
BGNBD_R, BGNBD_ALPHA = 0.75, 4.5
BGNBD_A, BGNBD_B = 0.8, 3.2
GG_P, GG_Q, GG_GAMMA = 6.0, 4.0, 30.0  # mean spend p*gamma/(q-1) = 60 (GBP)
MAX_REPEATS = 400
REFUND_SHARE = 0.03
DAY, WEEK = 86_400, 7 * 86_400

PRODUCTS = tuple(
    (f"{category[:3].upper()}-{i + 1:03d}", name, category)
    for category, names in CATALOGUE for i, name in enumerate(names)
)
_CATEGORY_OF = np.array([[c for c, _ in CATALOGUE].index(p[2]) for p in PRODUCTS])
_SALES_CHANNELS = ('{"channel": "web"}', '{"channel": "web"}', '{"channel": "store"}',
                   '{"channel": "phone"}')


@dataclass
class Purchases:
    customer: np.ndarray  # local index, sorted with ``at`` (customer-major)
    at: np.ndarray  # int64 seconds since the epoch, UTC
    at_text: list[str]  # the same as UTC text
    kind: list[str]  # purchase | refund
    amount: np.ndarray  # int64 minor units (pence)
    currency: str
    external_id: list[str]  # order numbers: SO-<chunk>-<n>, refunds RF-<chunk>-<n>
    metadata: list[str]  # JSON text
    line_txn: np.ndarray  # index into the transactions above
    line_product: np.ndarray  # index into PRODUCTS
    line_quantity: np.ndarray
    line_unit: np.ndarray  # minor units
    line_amount: np.ndarray  # minor units; lines of a purchase sum to its amount
    # The truth the analytics should recover, per customer of the chunk:
    rate: np.ndarray  # lambda, purchases per week while alive
    dropout: np.ndarray  # p
    churned_at: np.ndarray  # seconds since the epoch when they dropped out, or -1


def _repeat_purchases(rng: np.random.Generator, weeks: np.ndarray, lam: np.ndarray,
                      p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(owner, offset in weeks after the first purchase, churn offset or -1) per customer.

    Given N(T) = m Poisson events in (0, T], their times are m sorted uniforms; the
    customer is alive for the first J ~ Geometric(p) of them."""
    m = np.minimum(rng.poisson(lam * weeks), MAX_REPEATS)
    lifetime = rng.geometric(np.clip(p, 1e-6, 1.0))
    owner = np.repeat(np.arange(weeks.size), m)
    u = rng.random(owner.size)
    order = np.lexsort((u, owner))
    owner, u = owner[order], u[order]
    first = np.r_[0, np.cumsum(m)[:-1]]
    rank = np.arange(owner.size) - first[owner]
    keep = rank < lifetime[owner]
    offsets = u * weeks[owner]
    # Dropout happens at the J-th repeat purchase, if that came before 'now'.
    churn = np.full(weeks.size, -1.0)
    last = rank == lifetime[owner] - 1
    churn[owner[last]] = offsets[last]
    return owner[keep], offsets[keep], churn


def _lines(rng: np.random.Generator, amount: np.ndarray, favourite: np.ndarray
           ) -> tuple[np.ndarray, ...]:
    """(purchase, product, quantity, unit price, amount) per line; a purchase's lines sum
    exactly to its amount (cumulative shares, floored; the last line takes the rest)."""
    count = 1 + rng.binomial(3, 0.15, amount.size)
    txn = np.repeat(np.arange(amount.size), count)
    if txn.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty, empty
    weight = 0.3 + rng.exponential(1.0, txn.size)
    start = np.r_[0, np.cumsum(count)[:-1]]
    total = np.add.reduceat(weight, start)
    within = np.cumsum(weight) - np.repeat(np.cumsum(total) - total, count)
    upto = np.floor(within / np.repeat(total, count) * np.repeat(amount, count)).astype(np.int64)
    upto[start + count - 1] = amount
    before = np.r_[0, upto[:-1]]
    before[start] = 0
    line_amount = upto - before

    cat = favourite[txn]
    sizes = np.bincount(_CATEGORY_OF, minlength=len(CATALOGUE))
    first = np.r_[0, np.cumsum(sizes)[:-1]]  # PRODUCTS are grouped by category
    favourite_product = first[cat] + (rng.random(txn.size) * sizes[cat]).astype(np.int64)
    any_product = rng.integers(0, len(PRODUCTS), txn.size)
    product = np.where(rng.random(txn.size) < 0.6, favourite_product, any_product)
    quantity = np.where((line_amount % 2 == 0) & (rng.random(txn.size) < 0.3), 2, 1)
    return txn, product, quantity, line_amount // quantity, line_amount


def simulate_purchases(chunk: Chunk, pop: Population, rng: np.random.Generator,
                       as_of: int) -> Purchases:
    n = pop.count
    lam = rng.gamma(BGNBD_R, 1.0 / BGNBD_ALPHA, n)
    p = rng.beta(BGNBD_A, BGNBD_B, n)
    nu = rng.gamma(GG_Q, 1.0 / GG_GAMMA, n)
    favourite = rng.integers(0, len(CATALOGUE), n)
    buyers = np.flatnonzero(pop.buyer)
    born = as_of - (pop.since_days * DAY).astype(np.int64)
    weeks = pop.since_days[buyers] / 7.0
    owner, offset, churn = _repeat_purchases(rng, weeks, lam[buyers], p[buyers])

    customer = np.r_[buyers, buyers[owner]]
    at = np.r_[born[buyers], born[buyers[owner]] + (offset * WEEK).astype(np.int64)]
    order = np.lexsort((at, customer))
    customer, at = customer[order], at[order]
    value = rng.gamma(GG_P, 1.0 / nu[customer])
    amount = np.maximum(100, np.round(value * 100)).astype(np.int64)

    churned_at = np.full(n, -1, dtype=np.int64)
    gone = churn >= 0
    churned_at[buyers[gone]] = born[buyers[gone]] + (churn[gone] * WEEK).astype(np.int64)

    refund = rng.random(customer.size) < REFUND_SHARE
    refund_at = at + rng.integers(2 * DAY, 30 * DAY, customer.size)
    refund &= refund_at < as_of
    sales_channel = rng.integers(0, len(_SALES_CHANNELS), customer.size)

    numbers = [f"SO-{chunk.index:05d}-{k:06d}" for k in range(customer.size)]
    refunded = np.flatnonzero(refund)
    all_customer = np.r_[customer, customer[refunded]]
    all_at = np.r_[at, refund_at[refunded]]
    kinds = ["purchase"] * customer.size + ["refund"] * refunded.size
    external = numbers + [f"RF-{chunk.index:05d}-{k:06d}" for k in range(refunded.size)]
    metadata = [_SALES_CHANNELS[c] for c in sales_channel.tolist()] + [
        f'{{"refund_of": "{numbers[i]}"}}' for i in refunded.tolist()]
    order = np.lexsort((all_at, all_customer))

    txn, product, quantity, unit, line_amount = _lines(rng, amount, favourite[customer])
    # Lines point at purchases by position; re-point them after the customer-major sort.
    position = np.empty(order.size, dtype=np.int64)
    position[order] = np.arange(order.size)
    return Purchases(
        customer=all_customer[order], at=all_at[order], at_text=utc_text(all_at[order]),
        kind=[kinds[i] for i in order.tolist()],
        amount=np.r_[amount, amount[refunded]][order], currency="GBP",
        external_id=[external[i] for i in order.tolist()],
        metadata=[metadata[i] for i in order.tolist()],
        line_txn=position[txn], line_product=product, line_quantity=quantity,
        line_unit=unit, line_amount=line_amount,
        rate=lam, dropout=p, churned_at=churned_at)
