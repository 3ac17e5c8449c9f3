"""The analytics API end to end with real tokens: scores, exports and model runs."""

from __future__ import annotations

import csv
import io
from typing import Any

import pyarrow.parquet as pq
import pytest

from accord.platform.models import AuditEntry
from tests.analytics.factories import make_run, score_world
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def content(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_scores_list_is_scoped_and_paged(world: Any, api_as: Any) -> None:
    score_world(world)
    alice = api_as("alice").get("/analytics/scores")
    assert alice.status_code == 200
    items = alice.json()["items"]
    assert [i["customer_name"] for i in items] == ["Ada Lovelace", "Niels Bohr"]
    assert items[0]["next_best_offer"] == [{"sku": "TEA-AS", "name": "Assam 250g", "lift": 3.2}]
    admin = api_as("admin")
    first = admin.get("/analytics/scores", limit=3).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = admin.get("/analytics/scores", limit=3, cursor=first["next_cursor"]).json()
    assert [i["customer_name"] for i in rest["items"]] == ["Niels Bohr"]
    assert rest["next_cursor"] is None


def test_scores_filters(world: Any, api_as: Any) -> None:
    score_world(world)
    api = api_as("analyst")
    names = lambda **q: sorted(i["customer_name"] for i in  # noqa: E731
                               api.get("/analytics/scores", **q).json()["items"])
    assert names(segment="at risk") == ["Niels Bohr"]
    assert names(churn_band="high") == ["Niels Bohr", "Orphan Ltd"]
    assert names(pattern="rise") == ["Bea Baker"]


@pytest.mark.parametrize(("query", "field"), [({"segment": "vips"}, "segment"),
                                              ({"pattern": "up"}, "pattern"),
                                              ({"limit": 0}, "limit"),
                                              ({"limit": "many"}, "limit"),
                                              ({"cursor": "nope"}, "cursor")])
def test_bad_queries_answer_the_one_error_shape(world: Any, api_as: Any, query: dict[str, Any],
                                                field: str) -> None:
    response = api_as("admin").get("/analytics/scores", **query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and error["field"] == field


def test_one_customers_scores_and_404_when_not_yours(world: Any, api_as: Any) -> None:
    score_world(world)
    api = api_as("alice")
    ada = api.get(f"/analytics/scores/{world.alice_customer.pk}")
    assert ada.status_code == 200
    body = ada.json()
    assert body["segment"] == "champions" and body["probability_alive"] == 0.97
    assert body["customer_id"] == world.alice_customer.pk
    hidden = api.get(f"/analytics/scores/{world.bob_customer.pk}")
    missing = api.get("/analytics/scores/987654")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"]["code"] == "not_found"
    assert hidden.json()["error"]["message"].replace(str(world.bob_customer.pk), "X") == \
        missing.json()["error"]["message"].replace("987654", "X")


def test_a_customer_not_scored_yet_is_404(world: Any, api_as: Any) -> None:
    response = api_as("alice").get(f"/analytics/scores/{world.alice_customer.pk}")
    assert response.status_code == 404 and "no scores yet" in response.json()["error"]["message"]


def test_csv_export_over_the_api_is_scoped_and_audited(world: Any, api_as: Any) -> None:
    score_world(world)
    response = api_as("manager").get("/analytics/scores.csv", segment="champions")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(content(response).decode())))
    assert [r["customer_name"] for r in rows] == ["Ada Lovelace"]
    entry = AuditEntry.objects.get(action="analytics.exported")
    assert entry.actor_id == world.manager.pk and entry.after["segment"] == "champions"


def test_parquet_export_over_the_api(world: Any, api_as: Any) -> None:
    score_world(world)
    response = api_as("bob").get("/analytics/scores.parquet")
    assert response.status_code == 200 and response["X-Accord-Rows"] == "1"
    table = pq.read_table(io.BytesIO(content(response)))
    assert table.to_pydict()["customer_name"] == ["Bea Baker"]


def test_a_bad_export_filter_is_400_and_not_audited(world: Any, api_as: Any) -> None:
    response = api_as("admin").get("/analytics/scores.csv", pattern="sideways")
    assert response.status_code == 400 and response.json()["error"]["field"] == "pattern"
    assert not AuditEntry.objects.filter(action="analytics.exported").exists()


def test_runs_latest_one_and_list(world: Any, api_as: Any) -> None:
    api = api_as("bob")
    assert api.get("/analytics/runs/latest").status_code == 404
    run = make_run()
    make_run(status="failed", error="fit did not converge", finished_at=None, parameters={},
             timings={"sync": 0.3, "fit": "n/a"})
    latest = api.get("/analytics/runs/latest").json()
    assert latest["id"] == run.pk and latest["parameters"]["bgnbd"]["r"] == 0.243
    assert latest["timings"]["fit"] == 1.5 and latest["run_settings"]["horizon_days"] == 365
    listed = api.get("/analytics/runs", limit=1).json()
    assert listed["items"][0]["status"] == "failed" and listed["next_cursor"]
    assert listed["items"][0]["timings"] == {"sync": 0.3}
    rest = api.get("/analytics/runs", limit=1, cursor=listed["next_cursor"]).json()
    assert rest["items"][0]["id"] == run.pk
    assert api.get(f"/analytics/runs/{run.pk}").json()["customers"] == 4
    missing = api.get("/analytics/runs/987654")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_everything_needs_authentication(world: Any) -> None:
    anonymous = ApiClient(None)
    for path in ("/analytics/scores", "/analytics/runs", "/analytics/runs/latest",
                 "/analytics/scores.csv", f"/analytics/scores/{world.alice_customer.pk}"):
        response = anonymous.get(path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "unauthenticated"


def test_the_openapi_document_lists_the_endpoints(world: Any, api_as: Any) -> None:
    paths = api_as("admin").get("/openapi.json").json()["paths"]
    for path in ("/api/v1/analytics/scores", "/api/v1/analytics/scores/{customer_id}",
                 "/api/v1/analytics/scores.csv", "/api/v1/analytics/scores.parquet",
                 "/api/v1/analytics/runs", "/api/v1/analytics/runs/latest",
                 "/api/v1/analytics/runs/{run_id}"):
        assert path in paths
