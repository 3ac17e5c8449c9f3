"""CSV and Parquet exports: scoped, filtered, typed, streamed in chunks, and audited."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pyarrow.parquet as pq
import pytest

from accord.analytics import exports, selectors
from accord.platform.models import AuditEntry
from tests.analytics.factories import make_score, score_world

pytestmark = pytest.mark.django_db


def body(export: exports.Export) -> bytes:
    return b"".join(export.chunks)


def test_csv_has_the_visible_customers_only_and_an_audit_entry(world: Any) -> None:
    score_world(world)
    export = exports.export_scores(world.alice, selectors.ScoreFilters(), "csv")
    rows = list(csv.DictReader(io.StringIO(body(export).decode())))
    assert export.rows == 2 and export.filename.endswith(".csv")
    assert [r["customer_name"] for r in rows] == ["Ada Lovelace", "Niels Bohr"]
    niels = rows[1]
    assert niels["segment"] == "at risk" and niels["pattern"] == "drop"
    assert niels["as_of"] == "2024-06-30" and float(niels["lifetime_value"]) == 120.0
    assert niels["pattern_explanation"].startswith("usually buys every 3 weeks")
    entry = AuditEntry.objects.get(action="analytics.exported")
    assert entry.actor_id == world.alice.pk and entry.after == {"format": "csv", "rows": 2}


def test_filters_apply_and_are_audited(world: Any) -> None:
    score_world(world)
    export = exports.export_scores(world.admin, selectors.score_filters(churn_band="high"),
                                   "csv")
    names = [r["customer_name"] for r in csv.DictReader(io.StringIO(body(export).decode()))]
    assert sorted(names) == ["Niels Bohr", "Orphan Ltd"]
    assert AuditEntry.objects.get(action="analytics.exported").after == {
        "format": "csv", "rows": 2, "churn_band": "high"}


def test_parquet_is_typed_and_reads_back(world: Any) -> None:
    score_world(world)
    export = exports.export_scores(world.admin, selectors.ScoreFilters(), "parquet")
    table = pq.read_table(io.BytesIO(body(export)))
    assert table.num_rows == 4 and table.column_names == list(exports.HEADER)
    data = table.to_pydict()
    assert data["customer_id"] == sorted(data["customer_id"])
    assert data["as_of"][0] == date(2024, 6, 30)
    assert str(table.schema.field("lifetime_value").type) == "double"
    assert str(table.schema.field("updated_at").type) == "timestamp[us, tz=UTC]"
    assert set(data["segment"]) == {"champions", "at risk", "loyal", "lost"}


def test_parquet_streams_in_several_chunks_and_stays_valid(world: Any,
                                                           monkeypatch: Any) -> None:
    monkeypatch.setattr(exports, "PARQUET_BATCH", 2)
    score_world(world)
    chunks = list(exports.export_scores(world.admin, selectors.ScoreFilters(),
                                        "parquet").chunks)
    assert len(chunks) >= 3  # one per batch, then the footer
    table = pq.read_table(io.BytesIO(b"".join(chunks)))
    assert table.num_rows == 4 and pq.ParquetFile(io.BytesIO(b"".join(chunks))) \
        .metadata.num_row_groups == 2


def test_csv_chunks_and_empty_export(world: Any) -> None:
    chunks = list(exports.csv_chunks(iter([]), lines_per_chunk=2))
    assert b"".join(chunks).decode().strip() == ",".join(exports.HEADER)
    export = exports.export_scores(world.bob, selectors.ScoreFilters(), "parquet")
    assert pq.read_table(io.BytesIO(body(export))).num_rows == 0


def test_formula_like_names_are_defused_in_csv(world: Any) -> None:
    from accord.customers.services import create_customer
    from accord.platform.actors import SYSTEM

    sly = create_customer(actor=SYSTEM, display_name="=HYPERLINK(\"http://x\")")
    make_score(sly, pattern_explanation="-5 purchases")
    rows = list(csv.DictReader(io.StringIO(body(exports.export_scores(
        world.admin, selectors.ScoreFilters(), "csv")).decode())))
    assert rows[0]["customer_name"].startswith("'=")
    assert rows[0]["pattern_explanation"] == "'-5 purchases"


def test_nullable_columns_export_empty(world: Any) -> None:
    make_score(world.alice_customer, next_purchase_on=None, roi=None, run=None)
    row = next(csv.DictReader(io.StringIO(body(exports.export_scores(
        world.alice, selectors.ScoreFilters(), "csv")).decode())))
    assert (row["next_purchase_on"], row["roi"], row["run_id"]) == ("", "", "")
    table = pq.read_table(io.BytesIO(body(exports.export_scores(
        world.alice, selectors.ScoreFilters(), "parquet"))))
    assert table.to_pydict()["roi"] == [None]
