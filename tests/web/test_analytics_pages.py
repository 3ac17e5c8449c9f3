"""The Company View, model run pages, score exports and the Customer View's value panel."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pyarrow.parquet as pq
import pytest

from accord.platform.models import AuditEntry
from tests.analytics.factories import make_run, make_score, score_world

pytestmark = pytest.mark.django_db


def chart_data(response: Any) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="analytics-data">(.*?)</script>',
                      response.content.decode(), re.S)
    assert found
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_company_view_shows_charts_tables_fits_and_runs(world: Any, client_as: Any) -> None:
    score_world(world)
    response = client_as("admin").get("/analytics/")
    assert response.status_code == 200
    text = response.content.decode()
    for chart in ("segments", "value", "alive", "calibration", "churn"):
        assert f'data-chart="{chart}"' in text
    assert "vendor/chart.umd.min.js" in text and "cdn" not in text.lower()
    data = chart_data(response)
    assert data["segments"] == {"labels": ["champions", "loyal", "at risk", "lost"],
                                "counts": [1, 1, 1, 1]}
    assert data["calibration"]["labels"][-1] == "7+"
    assert data["churn"]["bands"] == [["low", [1, 0, 0, 0]], ["medium", [0, 1, 0, 0]],
                                      ["high", [0, 0, 1, 1]]]
    assert sum(data["alive"]["counts"]) == 4
    # the fits, churn AUC, data window and timings of the latest run
    assert "BG/NBD" in text and "r = 0.243" in text and "-9,582.43" in text
    assert "AUC 0.812" in text and "3 Jan 2022" in text and "3.50" in text
    assert 'id="runs"' in text


def test_company_view_of_a_consultant_counts_only_their_customers(world: Any,
                                                                  client_as: Any) -> None:
    score_world(world)
    response = client_as("alice").get("/analytics/")
    data = chart_data(response)
    assert sorted(data["segments"]["labels"]) == ["at risk", "champions"]
    assert sum(data["value"]["counts"]) == 2
    text = response.content.decode()
    assert "15,000" not in text  # the orphan's value is not in her totals
    assert "Bea Baker" not in text and "Orphan Ltd" not in text


def test_company_view_before_any_run_says_so(world: Any, client_as: Any) -> None:
    response = client_as("bob").get("/analytics/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Analytics has not run" in text and "No runs yet" in text
    assert "data-chart=" not in text  # nothing to draw: each card says why


def test_company_view_with_a_failed_run_only(world: Any, client_as: Any) -> None:
    make_run(status="failed", error="fit did not converge", parameters={"bgnbd": "?"},
             timings={}, run_settings={"channel_costs": "x"}, finished_at=None)
    response = client_as("manager").get("/analytics/")
    assert response.status_code == 200
    assert "Failed" in response.content.decode()


def test_run_page_and_404s(world: Any, client_as: Any) -> None:
    run = make_run()
    broken = make_run(status="failed", error="out of memory", parameters=[],
                      timings={"sync": "?"}, run_settings={})
    client = client_as("bob")
    page = client.get(f"/analytics/runs/{run.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pareto/NBD" in text and "Gamma-Gamma" in text and "Assam 250g" in text
    assert "14 analysed" in text
    assert ("Left out of the scores: 2 refund: not netted from spend · 1 purchases in USD: "
            "the run reports in GBP.") in text
    failed = client.get(f"/analytics/runs/{broken.pk}/")
    assert failed.status_code == 200 and "out of memory" in failed.content.decode()
    assert "Left out" not in failed.content.decode()
    assert client.get("/analytics/runs/987654/").status_code == 404


def test_customer_view_panel_shows_value_and_risk(world: Any, client_as: Any,
                                                  purchases: Any) -> None:
    scores = score_world(world)
    response = client_as("alice").get(f"/customers/{world.north_customer.pk}/")
    text = response.content.decode()
    assert 'id="value-panel"' in text
    assert "Buying less than expected" in text and "93% sure" in text
    assert "usually buys every 3 weeks; nothing for 11 weeks" in text
    assert "120.00" in text and "31%" in text and "71%" in text
    assert "next 365 days" in text and "R4 F4 M3" in text
    assert "Assam 250g" in text and "lift 3.2" in text
    assert "20 Jul 2024" in text and f"run {scores['niels'].run_id}" in text
    assert "ROI 8.0" in text


def test_panel_says_when_scores_were_updated_in_real_time(world: Any, client_as: Any) -> None:
    make_score(world.alice_customer, updated_by="realtime", pattern="rise",
               pattern_probability=0.9, next_best_offer="junk")
    text = client_as("alice").get(f"/customers/{world.alice_customer.pk}/").content.decode()
    assert "updated in real time" in text and "Buying more than expected" in text


def test_panel_empty_states(world: Any, client_as: Any, purchases: Any) -> None:
    client = client_as("alice")
    ada = client.get(f"/customers/{world.alice_customer.pk}/").content.decode()
    assert "Analytics has not run" in ada  # she has bought, nothing scored yet
    niels = client.get(f"/customers/{world.north_customer.pk}/").content.decode()
    assert "No purchases yet" in niels
    make_run()
    ada = client.get(f"/customers/{world.alice_customer.pk}/").content.decode()
    assert "Not scored yet" in ada


def test_csv_export_page_is_scoped_filtered_and_audited(world: Any, client_as: Any) -> None:
    score_world(world)
    response = client_as("alice").get("/analytics/scores.csv", {"churn_band": "high"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="accord-scores-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["customer_name"] for r in rows] == ["Niels Bohr"]
    entry = AuditEntry.objects.get(action="analytics.exported")
    assert entry.actor_id == world.alice.pk and entry.after["churn_band"] == "high"


def test_parquet_export_page(world: Any, client_as: Any) -> None:
    score_world(world)
    response = client_as("analyst").get("/analytics/scores.parquet")
    assert response.status_code == 200
    table = pq.read_table(io.BytesIO(b"".join(response.streaming_content)))
    assert table.num_rows == 4


def test_a_bad_export_filter_is_a_400_page(world: Any, client_as: Any) -> None:
    response = client_as("alice").get("/analytics/scores.csv", {"segment": "whales"})
    assert response.status_code == 400 and "segment" in response.content.decode()
    assert not AuditEntry.objects.filter(action="analytics.exported").exists()


def test_pages_need_a_sign_in(world: Any, client: Any) -> None:
    for url in ("/analytics/", "/analytics/scores.csv", "/analytics/runs/1/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_nav_links_to_the_company_view(world: Any, client_as: Any) -> None:
    text = client_as("bob").get("/").content.decode()
    assert 'href="/analytics/"' in text
    current = client_as("bob").get("/analytics/").content.decode()
    assert re.search(r'href="/analytics/"\s+aria-current="page"', current)


@pytest.mark.django_db(transaction=True)
def test_pages_read_what_a_real_run_writes(settings: Any, tmp_path: Any) -> None:
    """The run pipeline's own output (not factory rows) drives every page and export."""
    from django.test import Client

    from accord.accounts.services import create_user
    from accord.analytics.services.runs import run_analytics
    from accord.platform.actors import SYSTEM
    from tests.analytics.buyers import AS_OF, make_buyers

    settings.ANALYTICS_WAREHOUSE = str(tmp_path / "warehouse.duckdb")
    base = make_buyers(120)
    run = run_analytics(actor=SYSTEM, as_of=AS_OF)
    client = Client()
    client.force_login(create_user(actor=None, username="boss", password="x" * 12,
                                   role="admin", teams=[]))
    company = client.get("/analytics/")
    assert company.status_code == 200
    data = chart_data(company)
    assert sum(data["segments"]["counts"]) == run.customers
    assert data["calibration"]["labels"] and "BG/NBD" in company.content.decode()
    assert client.get(f"/analytics/runs/{run.pk}/").status_code == 200
    view = client.get(f"/customers/{base.customers[0]}/").content.decode()
    assert 'id="value-panel"' in view and "Lifetime value" in view
    export = client.get("/analytics/scores.parquet")
    assert pq.read_table(io.BytesIO(b"".join(export.streaming_content))).num_rows == \
        run.customers
