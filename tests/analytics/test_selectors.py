"""Access-checked reads of scores and runs, and the Company View's aggregates."""

from __future__ import annotations

from typing import Any

import pytest

from accord.analytics import selectors
from accord.analytics.selectors_company import company_overview, nice_width
from accord.platform.errors import InvalidInput, NotFound
from tests.analytics.factories import make_run, make_score, score_world

pytestmark = pytest.mark.django_db


def test_scores_of_a_visible_customer_and_none_before_any_run(world: Any) -> None:
    assert selectors.scores_of(world.alice, world.alice_customer.pk) is None
    scores = score_world(world)
    found = selectors.scores_of(world.alice, world.alice_customer.pk)
    assert found is not None and found.pk == scores["ada"].pk


@pytest.mark.parametrize("name", ["alice", "manager"])
def test_a_customer_out_of_scope_is_the_same_not_found_as_a_missing_one(
        world: Any, name: str) -> None:
    score_world(world)
    actor = world.users[name]
    with pytest.raises(NotFound) as hidden:
        selectors.scores_of(actor, world.bob_customer.pk)
    with pytest.raises(NotFound) as missing:
        selectors.scores_of(actor, 987654)
    assert hidden.value.message.replace(str(world.bob_customer.pk), "X") == \
        missing.value.message.replace("987654", "X")
    with pytest.raises(NotFound):
        selectors.get_scores(actor, world.bob_customer.pk)


def test_get_scores_without_scores_is_not_found(world: Any) -> None:
    with pytest.raises(NotFound, match="no scores yet"):
        selectors.get_scores(world.alice, world.alice_customer.pk)


def test_list_scores_is_scoped_ordered_by_value_and_paged(world: Any) -> None:
    score_world(world)
    ids = lambda page: [s.customer_id for s in page.items]  # noqa: E731
    alice = selectors.list_scores(world.alice)
    assert ids(alice) == [world.alice_customer.pk, world.north_customer.pk]
    everyone = selectors.list_scores(world.admin)
    assert ids(everyone) == [world.orphan_customer.pk, world.alice_customer.pk,
                             world.bob_customer.pk, world.north_customer.pk]
    first = selectors.list_scores(world.admin, limit=3)
    assert len(first.items) == 3 and first.next_cursor
    rest = selectors.list_scores(world.admin, limit=3, cursor=first.next_cursor)
    assert ids(rest) == [world.north_customer.pk] and rest.next_cursor is None
    assert ids(selectors.list_scores(world.bob)) == [world.bob_customer.pk]


def test_equal_values_page_by_customer_id(world: Any) -> None:
    for customer in (world.alice_customer, world.north_customer, world.bob_customer):
        make_score(customer, lifetime_value=100.0)
    seen: list[int] = []
    cursor = None
    while True:
        page = selectors.list_scores(world.admin, limit=1, cursor=cursor)
        seen += [s.customer_id for s in page.items]
        if not (cursor := page.next_cursor):
            break
    assert seen == sorted(seen) and len(seen) == 3


def test_filters_by_segment_band_and_pattern(world: Any) -> None:
    score_world(world)

    def ids(**f: str) -> set[int]:
        page = selectors.list_scores(world.admin, filters=selectors.score_filters(**f))
        return {s.customer_id for s in page.items}

    assert ids(segment="at risk") == {world.north_customer.pk}
    assert ids(segment="Loyal") == {world.bob_customer.pk}
    assert ids(churn_band="high") == {world.north_customer.pk, world.orphan_customer.pk}
    assert ids(pattern="drop") == {world.north_customer.pk}
    assert ids(pattern="none") == {world.alice_customer.pk, world.orphan_customer.pk}


@pytest.mark.parametrize(("field", "value"), [("segment", "vips"), ("pattern", "flat"),
                                              ("churn_band", "x' OR 1=1")])
def test_bad_filters_name_their_field(field: str, value: str) -> None:
    with pytest.raises(InvalidInput) as error:
        selectors.score_filters(**{field: value})
    assert error.value.field == field


@pytest.mark.parametrize("cursor", ["junk", "WzEsMiwzXQ", "WyJhIiwxXQ", "WzEuMCwtMV0"])
def test_forged_cursors_are_invalid_input(world: Any, cursor: str) -> None:
    with pytest.raises(InvalidInput) as error:
        selectors.list_scores(world.admin, cursor=cursor)
    assert error.value.field == "cursor"


def test_limit_is_checked(world: Any) -> None:
    with pytest.raises(InvalidInput, match="limit"):
        selectors.list_scores(world.admin, limit=0)


def test_merged_away_records_are_left_out(world: Any) -> None:
    from accord.customers.services import create_customer, merge_customers
    from accord.platform.actors import SYSTEM

    extra = create_customer(actor=SYSTEM, display_name="Old Ada", owner_id=world.alice.pk,
                            team_id=world.north.pk)
    make_score(extra)
    make_score(world.alice_customer)
    merge_customers(actor=SYSTEM, survivor_id=world.alice_customer.pk, loser_id=extra.pk)
    assert [s.customer_id for s in selectors.list_scores(world.alice).items] == \
        [world.alice_customer.pk]


def test_runs_latest_by_id_and_listed_for_every_role(world: Any) -> None:
    assert selectors.latest_run(world.bob) is None
    with pytest.raises(NotFound):
        selectors.get_latest_run(world.bob)
    old = make_run()
    make_run(status="failed", error="boom", finished_at=None)
    assert selectors.get_latest_run(world.bob).pk == old.pk
    newer = make_run(finished_at=old.finished_at.replace(year=2025))
    assert selectors.get_latest_run(world.analyst).pk == newer.pk
    assert selectors.get_run(world.alice, old.pk).pk == old.pk
    with pytest.raises(NotFound):
        selectors.get_run(world.alice, 987654)
    page = selectors.list_runs(world.alice, limit=2)
    assert len(page.items) == 2 and page.items[0].pk == newer.pk
    rest = selectors.list_runs(world.alice, limit=2, cursor=page.next_cursor)
    assert [r.pk for r in rest.items] == [old.pk] and rest.next_cursor is None


def test_run_report_reads_a_full_run() -> None:
    report = selectors.run_report(make_run())
    assert [f.key for f in report.fits] == ["bgnbd", "pareto_nbd", "gamma_gamma"]
    assert dict(report.fits[0].parameters) == {"r": 0.243, "alpha": 4.414, "a": 0.793,
                                               "b": 2.426}
    assert report.fits[0].log_likelihood == pytest.approx(-9582.43)
    assert report.churn_auc == pytest.approx(0.812) and report.churn_kind == "classifier"
    assert report.total_seconds == pytest.approx(3.5)
    assert [r["frequency"] for r in report.calibration] == list(range(8))
    assert report.offers[0]["to"] == "Assam 250g"
    assert ("horizon days", "365") in report.settings


@pytest.mark.parametrize("parameters", [
    {}, {"bgnbd": None}, {"bgnbd": {"r": "x", "alpha": float("inf")}}, [1, 2],
    {"calibration": {"rows": [None, {"frequency": 1}, "x"]}, "offers": {"rules": 3},
     "churn": {"auc": True}}])
def test_run_report_survives_missing_and_malformed_keys(parameters: Any) -> None:
    run = make_run(status="failed", parameters={}, run_settings=[], timings={"fit": "slow"})
    run.parameters = parameters  # as an older writer may have left it
    report = selectors.run_report(run)
    assert report.fits == [] and report.calibration == [] and report.offers == []
    assert report.churn_auc is None and report.timings == [] and report.settings == []


def test_company_overview_covers_only_the_visible_customers(world: Any) -> None:
    score_world(world)
    alice = company_overview(world.alice)
    assert alice.customers == 2
    assert alice.total_value == pytest.approx(1020.0)
    assert {s.segment: s.customers for s in alice.segments} == {"champions": 1, "at risk": 1}
    assert alice.bands == ["low", "high"] and alice.drops == 1 and alice.rises == 0
    assert sum(b.count for b in alice.alive_bins) == 2
    assert sum(b.count for b in alice.value_bins) == 2
    admin = company_overview(world.admin)
    assert admin.customers == 4 and admin.bands == ["low", "medium", "high"]
    assert [s.segment for s in admin.segments] == ["champions", "loyal", "at risk", "lost"]
    at_risk = next(s for s in admin.segments if s.segment == "at risk")
    assert at_risk.bands == {"low": 0, "medium": 0, "high": 1}
    assert at_risk.mean_churn_risk == pytest.approx(0.71)
    assert sum(b.count for b in admin.value_bins) == 4


def test_company_overview_alive_bins_put_certainty_in_the_top_bar(world: Any) -> None:
    make_score(world.alice_customer, probability_alive=1.0)
    make_score(world.bob_customer, probability_alive=0.0)
    bins = company_overview(world.admin).alive_bins
    assert bins[-1].count == 1 and bins[0].count == 1 and len(bins) == 10


def test_company_overview_long_tail_goes_in_an_open_last_bar(world: Any) -> None:
    from accord.customers.services import create_customer
    from accord.platform.actors import SYSTEM

    for n in range(199):
        make_score(create_customer(actor=SYSTEM, display_name=f"C{n}"),
                   lifetime_value=float(n))
    make_score(world.orphan_customer, lifetime_value=1e6)
    make_score(world.bob_customer, lifetime_value=-5.0)  # a loss lands in the first bar
    bins = company_overview(world.admin).value_bins
    assert sum(b.count for b in bins) == 201
    assert bins[-1].high is None and bins[-1].count >= 1
    assert bins[0].low == 0 and bins[0].count >= 1


def test_company_overview_with_nothing_scored(world: Any) -> None:
    overview = company_overview(world.alice)
    assert overview.customers == 0 and overview.value_bins == [] and overview.segments == []
    assert overview.mean_value is None


@pytest.mark.parametrize(("upper", "width"), [(0, 1.0), (1000, 100), (990, 100), (7, 1),
                                              (23, 2.5), (0.4, 0.05), (float("nan"), 1.0)])
def test_nice_width(upper: float, width: float) -> None:
    assert nice_width(upper, 10) == pytest.approx(width)


def test_offers_of_drops_malformed_entries(world: Any) -> None:
    score = make_score(world.alice_customer, next_best_offer=[
        {"sku": "A", "name": "Assam", "lift": 2}, "junk", {"lift": 3}, {"sku": "B"},
        {"name": "C", "lift": "high"}])
    assert selectors.offers_of(score) == [
        {"sku": "A", "name": "Assam", "lift": 2.0}, {"sku": "B", "name": "B", "lift": None},
        {"sku": "", "name": "C", "lift": None}]
