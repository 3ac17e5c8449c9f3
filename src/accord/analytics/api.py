"""Analytics API: customer scores (list, one, CSV/Parquet export) and model runs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router, Schema

from accord.analytics import exports, selectors
from accord.analytics.schemas import RunOut, RunPageOut, ScoreOut, ScorePageOut

router = Router(tags=["analytics"])


class ScoreFilterParams(Schema):
    segment: str | None = None
    churn_band: str | None = None
    pattern: str | None = None

    def checked(self) -> selectors.ScoreFilters:
        return selectors.score_filters(segment=self.segment, churn_band=self.churn_band,
                                       pattern=self.pattern)


class ScoreListParams(ScoreFilterParams):
    cursor: str | None = None
    limit: int = 50


class RunListParams(Schema):
    cursor: str | None = None
    limit: int = 20


@router.get("/scores", response=ScorePageOut,
            summary="Scores of the customers you can see, most valuable first")
def list_scores(request: HttpRequest, params: Query[ScoreListParams]) -> Any:
    return selectors.list_scores(request.auth, filters=params.checked(), cursor=params.cursor,
                                 limit=params.limit)


def _download(request: HttpRequest, params: ScoreFilterParams, fmt: str) -> Any:
    export = exports.export_scores(request.auth, params.checked(), fmt)
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Accord-Rows"] = str(export.rows)
    return response


@router.get("/scores.csv", summary="Export the scores you can see as CSV (audited)",
            response={200: None})
def export_csv(request: HttpRequest, params: Query[ScoreFilterParams]) -> Any:
    return _download(request, params, "csv")


@router.get("/scores.parquet", summary="Export the scores you can see as Parquet (audited)",
            response={200: None})
def export_parquet(request: HttpRequest, params: Query[ScoreFilterParams]) -> Any:
    return _download(request, params, "parquet")


@router.get("/scores/{int:customer_id}", response=ScoreOut,
            summary="One customer's scores (404 if not scored yet)")
def get_scores(request: HttpRequest, customer_id: int) -> Any:
    return selectors.get_scores(request.auth, customer_id)


@router.get("/runs", response=RunPageOut, summary="Model runs, newest first")
def list_runs(request: HttpRequest, params: Query[RunListParams]) -> Any:
    return selectors.list_runs(request.auth, cursor=params.cursor, limit=params.limit)


@router.get("/runs/latest", response=RunOut, summary="The latest successful model run")
def latest_run(request: HttpRequest) -> Any:
    return selectors.get_latest_run(request.auth)


@router.get("/runs/{int:run_id}", response=RunOut, summary="One model run")
def get_run(request: HttpRequest, run_id: int) -> Any:
    return selectors.get_run(request.auth, run_id)
