"""Next-best offer: support, confidence and lift by hand on five baskets, the offers that
follow, and a million customers."""

from __future__ import annotations

import numpy as np
import pytest

from accord.analytics.domain.offers import next_best_offers
from accord.platform.errors import InvalidInput

A, B, C, D = 101, 102, 103, 104
# customer 11 {A, B}; 12 {A, B, C} (A twice); 13 {A, C}; 14 {B}; 15 {A, B, D}
BASKETS = [(11, A), (11, B), (12, A), (12, B), (12, C), (12, A), (13, A), (13, C), (14, B),
           (15, A), (15, B), (15, D)]
CUSTOMER = np.array([c for c, _ in BASKETS])
PRODUCT = np.array([p for _, p in BASKETS])


def test_rule_table_by_hand() -> None:
    # customers buying: A 4, B 4, C 2, D 1 of 5. Pairs: AB 3, AC 2, AD 1, BC 1, BD 1.
    # lift AB = 3*5/(4*4) = 0.94 (dropped), AC = 2*5/(4*2) = 1.25, AD = BD = 1*5/(4*1) = 1.25,
    # BC = 1*5/(4*2) = 0.625 (dropped)
    rules = next_best_offers(CUSTOMER, PRODUCT, min_customers=1).rules
    got = {(a, b): (n, s, c, lift) for a, b, n, s, c, lift in zip(
        rules.antecedent.tolist(), rules.consequent.tolist(), rules.customers.tolist(),
        rules.support.tolist(), rules.confidence.tolist(), rules.lift.tolist(), strict=True)}
    assert got == {
        (A, C): (2, 0.4, 0.5, 1.25), (C, A): (2, 0.4, 1.0, 1.25),
        (A, D): (1, 0.2, 0.25, 1.25), (D, A): (1, 0.2, 1.0, 1.25),
        (B, D): (1, 0.2, 0.25, 1.25), (D, B): (1, 0.2, 1.0, 1.25),
    }
    assert rules.total_customers == 5
    # best first: equal lifts, higher confidence first
    assert rules.confidence.tolist()[:3] == [1.0, 1.0, 1.0]


def test_offers_by_hand() -> None:
    offers = next_best_offers(CUSTOMER, PRODUCT, min_customers=1)
    assert offers.customer.tolist() == [11, 12, 13, 14, 15]
    # 11 owns A, B: C (via A, confidence 0.5) beats D (via A or B, confidence 0.25)
    assert offers.of(11) == [(C, 1.25), (D, 1.25)]
    assert offers.of(12) == [(D, 1.25)]
    assert offers.of(13) == [(D, 1.25)]  # B is reachable only from D, which 13 lacks
    assert offers.of(14) == [(D, 1.25)]
    assert offers.of(15) == [(C, 1.25)]
    assert offers.of(99) == []
    assert offers.count.tolist() == [2, 1, 1, 1, 1]
    assert offers.product[0].tolist() == [C, D, -1]
    assert offers.confidence[0, :2].tolist() == [0.5, 0.25]
    assert np.isnan(offers.lift[1, 1])
    assert offers.lists()[0] == [(C, 1.25), (D, 1.25)]
    # top 1 only; and with the default minimum of customers only A <-> C would qualify
    assert next_best_offers(CUSTOMER, PRODUCT, min_customers=1, top_k=1).of(11) == [(C, 1.25)]
    strict = next_best_offers(CUSTOMER, PRODUCT, min_customers=2)
    assert strict.lists() == [[(C, 1.25)], [], [], [], [(C, 1.25)]]


def test_input_order_and_repeats_do_not_change_the_answer() -> None:
    order = np.random.default_rng(0).permutation(CUSTOMER.size)
    doubled_c = np.concatenate([CUSTOMER[order], CUSTOMER])
    doubled_p = np.concatenate([PRODUCT[order], PRODUCT])
    assert next_best_offers(doubled_c, doubled_p, min_customers=1).lists() == \
        next_best_offers(CUSTOMER, PRODUCT, min_customers=1).lists()


def test_offers_match_a_plain_python_reading_of_the_rules() -> None:
    rng = np.random.default_rng(3)
    customer = rng.integers(0, 400, 3000)
    product = rng.choice(12, 3000, p=np.linspace(1, 3, 12) / np.linspace(1, 3, 12).sum())
    product = np.where(customer % 3 == 0, product % 4, product)  # a real pattern
    offers = next_best_offers(customer, product, min_customers=3, top_k=4)
    rules = offers.rules
    best: dict[tuple[int, int], tuple[float, float]] = {}
    owned: dict[int, set[int]] = {}
    for c, p in zip(customer.tolist(), product.tolist(), strict=True):
        owned.setdefault(c, set()).add(p)
    by_antecedent: dict[int, list[tuple[int, float, float]]] = {}
    for a, b, c, lift in zip(rules.antecedent.tolist(), rules.consequent.tolist(),
                             rules.confidence.tolist(), rules.lift.tolist(), strict=True):
        by_antecedent.setdefault(a, []).append((b, lift, c))
    for c, mine in owned.items():
        for a in mine:
            for b, lift, conf in by_antecedent.get(a, []):
                if b not in mine:
                    best[(c, b)] = max(best.get((c, b), (0.0, 0.0)), (lift, conf))
    for c in sorted(owned)[:100]:
        ranked = sorted(((-v[0], -v[1], b) for (cc, b), v in best.items() if cc == c))[:4]
        assert offers.of(c) == [(b, -neg_lift) for neg_lift, _, b in ranked]


def test_bad_input_names_the_field() -> None:
    with pytest.raises(InvalidInput) as error:
        next_best_offers(CUSTOMER, PRODUCT[:3])
    assert error.value.field == "baskets"
    with pytest.raises(InvalidInput) as error:
        next_best_offers(CUSTOMER, PRODUCT.astype(np.float64))
    assert error.value.field == "baskets"
    with pytest.raises(InvalidInput) as error:
        next_best_offers(CUSTOMER, PRODUCT, min_customers=0)
    assert error.value.field == "min_customers"
    with pytest.raises(InvalidInput) as error:
        next_best_offers(CUSTOMER, PRODUCT, top_k=0)
    assert error.value.field == "top_k"
    empty = next_best_offers(np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    assert empty.customer.size == 0 and empty.rules.lift.size == 0 and empty.lists() == []


def test_a_million_customers_in_shape() -> None:
    rng = np.random.default_rng(1)
    n = 1_000_000
    customer = rng.integers(0, n, 3 * n)
    product = np.minimum(rng.zipf(1.3, 3 * n), 300) + (customer % 7) * 5
    offers = next_best_offers(customer, product)
    rows = offers.customer.size
    assert offers.product.shape == offers.lift.shape == (rows, 3)
    assert offers.count.shape == (rows,)
