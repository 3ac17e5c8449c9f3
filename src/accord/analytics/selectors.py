"""Reads over the analytics tables, through record-level access.

Scores belong to customers: every score read filters through ``customer_scope`` and a
customer the actor may not see answers the same NotFound as one that does not exist.
Model runs describe the whole customer base (fitted parameters, timings, counts), hold
no one's personal data, and are readable by every signed-in role.

Run JSON (parameters, settings, timings) comes from runs of every age, including
failed ones: every key may be missing or hold the wrong type, so the readers here turn
it into plain shapes and never fail on it."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from accord.accounts.access import customer_scope, ensure_authenticated
from accord.analytics.domain.rfm import SEGMENTS
from accord.analytics.models import CustomerScore, ModelRun
from accord.customers import selectors as customer_selectors
from accord.platform.errors import InvalidInput, NotFound
from accord.platform.pagination import decode_cursor, encode_cursor

MAX_PAGE = 500
SEGMENT_NAMES: tuple[str, ...] = (*(name for name, _, _ in SEGMENTS), "others")
PATTERNS = ("drop", "rise", "none")  # "none": no significant change flagged
EXPORT_CHUNK = 2000


@dataclass(frozen=True)
class ScoreFilters:
    """What a scores list or export is narrowed to; empty strings mean "any"."""

    segment: str = ""
    churn_band: str = ""
    pattern: str = ""

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("segment", self.segment), ("churn_band", self.churn_band),
                                  ("pattern", self.pattern)) if v}


@dataclass(frozen=True)
class ScorePage:
    items: list[CustomerScore]
    next_cursor: str | None


@dataclass(frozen=True)
class RunPage:
    items: list[ModelRun]
    next_cursor: str | None


def score_filters(*, segment: str | None = None, churn_band: str | None = None,
                  pattern: str | None = None) -> ScoreFilters:
    """Checked filters: an unknown segment or pattern is bad input naming the field."""
    segment = (segment or "").strip().lower()
    churn_band = (churn_band or "").strip().lower()
    pattern = (pattern or "").strip().lower()
    if segment and segment not in SEGMENT_NAMES:
        raise InvalidInput(f"segment must be one of: {', '.join(SEGMENT_NAMES)}.",
                           field="segment")
    if churn_band and not re.fullmatch(r"[a-z_]{1,10}", churn_band):
        raise InvalidInput("churn_band is not a risk band.", field="churn_band")
    if pattern and pattern not in PATTERNS:
        raise InvalidInput(f"pattern must be one of: {', '.join(PATTERNS)}.", field="pattern")
    return ScoreFilters(segment, churn_band, pattern)


def visible_scores(actor: Any, filters: ScoreFilters | None = None) -> QuerySet[CustomerScore]:
    """Scores of the customers the actor may see (merged-away records left out)."""
    query = CustomerScore.objects.filter(customer_scope(actor, prefix="customer__"),
                                         customer__merged_into__isnull=True)
    if filters is None:
        return query
    if filters.segment:
        query = query.filter(segment=filters.segment)
    if filters.churn_band:
        query = query.filter(churn_band=filters.churn_band)
    if filters.pattern:
        query = query.filter(pattern="" if filters.pattern == "none" else filters.pattern)
    return query


def scores_of(actor: Any, customer_id: int, *, customer: Any = None) -> CustomerScore | None:
    """A customer's scores, or None when it has none yet (never bought, or analytics has
    not run). NotFound when the customer is missing or not the actor's to see."""
    customer = customer_selectors.resolve_customer(actor, customer_id, customer)
    found = list(CustomerScore.objects.filter(customer_id=customer.pk)
                 .select_related("customer")[:1])
    return found[0] if found else None


@dataclass(frozen=True)
class ValuePanel:
    """What the Customer View's value-and-risk panel shows: the scores (None when there
    are none), their offers cleaned, the horizon of ``expected_purchases``, and whether
    analytics has ever run (so "no scores" can say why)."""

    score: CustomerScore | None
    offers: list[dict[str, Any]]
    horizon_days: float | None
    analytics_ran: bool


def value_panel(actor: Any, customer_id: int, *, customer: Any = None) -> ValuePanel:
    """The Customer View's panel data for a customer the actor may see."""
    customer = customer_selectors.resolve_customer(actor, customer_id, customer)
    found = list(CustomerScore.objects.filter(customer_id=customer.pk)
                 .select_related("run")[:1])
    if not found:
        ran = ModelRun.objects.filter(status=ModelRun.Status.SUCCEEDED).exists()
        return ValuePanel(None, [], None, ran)
    score = found[0]
    run_settings = score.run.run_settings if score.run is not None else {}
    horizon = number(run_settings.get("horizon_days")) if isinstance(run_settings, dict) \
        else None
    return ValuePanel(score, offers_of(score), horizon, True)


def get_scores(actor: Any, customer_id: int) -> CustomerScore:
    """A customer's scores; NotFound when missing, not visible, or not scored yet."""
    score = scores_of(actor, customer_id)
    if score is None:
        raise NotFound(f"Customer {customer_id} has no scores yet.", field="customer_id")
    return score


def _decode_value_cursor(cursor: str) -> tuple[float, int]:
    value, last_id = decode_cursor(cursor, arity=2)
    if (not isinstance(value, int | float) or isinstance(value, bool)
            or not math.isfinite(value) or not isinstance(last_id, int)
            or isinstance(last_id, bool) or not 0 <= last_id < 2**63):
        raise InvalidInput("The cursor is not one this server issued.", field="cursor")
    return float(value), last_id


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}.", field="limit")


def list_scores(actor: Any, *, filters: ScoreFilters | None = None, cursor: str | None = None,
                limit: int = 50) -> ScorePage:
    """Scores of the visible customers, most valuable first (then by customer id)."""
    _check_limit(limit)
    query = visible_scores(actor, filters)
    if cursor:
        value, last_id = _decode_value_cursor(cursor)
        query = query.filter(Q(lifetime_value__lt=value)
                             | Q(lifetime_value=value, customer_id__gt=last_id))
    rows = list(query.select_related("customer")
                .order_by("-lifetime_value", "customer_id")[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].lifetime_value, rows[-1].customer_id)
    return ScorePage(rows, next_cursor)


EXPORT_COLUMNS: tuple[str, ...] = (
    "customer_id", "customer__display_name", "as_of", "run_id", "frequency", "recency", "age",
    "monetary", "first_purchase", "last_purchase", "probability_alive", "expected_purchases",
    "lifetime_value", "rfm_recency", "rfm_frequency", "rfm_monetary", "segment", "churn_risk",
    "churn_band", "pattern", "pattern_probability", "pattern_explanation", "next_purchase_on",
    "gross_margin", "cost_to_serve", "roi", "updated_at", "updated_by")


def export_count(actor: Any, filters: ScoreFilters) -> int:
    return visible_scores(actor, filters).count()


def export_rows(actor: Any, filters: ScoreFilters) -> Iterator[tuple[Any, ...]]:
    """Every visible score as a tuple in ``EXPORT_COLUMNS`` order, streamed in chunks
    (a server-side cursor on PostgreSQL) so an export of a million rows stays small."""
    query = visible_scores(actor, filters).order_by("customer_id").values_list(*EXPORT_COLUMNS)
    yield from query.iterator(chunk_size=EXPORT_CHUNK)


# --- model runs ------------------------------------------------------------------------

def latest_run(actor: Any) -> ModelRun | None:
    """The newest successful run, or None before the first one."""
    ensure_authenticated(actor)
    return (ModelRun.objects.filter(status=ModelRun.Status.SUCCEEDED)
            .order_by("-finished_at", "-id").first())


def get_latest_run(actor: Any) -> ModelRun:
    run = latest_run(actor)
    if run is None:
        raise NotFound("Analytics has not run successfully yet.")
    return run


def get_run(actor: Any, run_id: int) -> ModelRun:
    ensure_authenticated(actor)
    run = ModelRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"Model run {run_id} not found.", field="run_id")
    return run


def list_runs(actor: Any, *, cursor: str | None = None, limit: int = 20) -> RunPage:
    """Every run, failed and running ones too, newest first."""
    ensure_authenticated(actor)
    _check_limit(limit)
    query = ModelRun.objects.all()
    if cursor:
        (last_id,) = decode_cursor(cursor, arity=1)
        if not isinstance(last_id, int) or isinstance(last_id, bool) or not 0 <= last_id < 2**63:
            raise InvalidInput("The cursor is not one this server issued.", field="cursor")
        query = query.filter(id__lt=last_id)
    rows = list(query.order_by("-id")[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].pk)
    return RunPage(rows, next_cursor)


def number(value: Any) -> float | None:
    """A finite number from run JSON, or None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def section(mapping: Any, key: str) -> dict[str, Any]:
    """``mapping[key]`` when both are dicts, else an empty dict."""
    if not isinstance(mapping, dict):
        return {}
    value = mapping.get(key)
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class ModelFit:
    """One fitted model of a run, as the Company View lists it."""

    key: str
    title: str
    parameters: list[tuple[str, float]]
    log_likelihood: float | None


@dataclass(frozen=True)
class RunReport:
    """A run's JSON made safe to show: every missing or malformed key simply absent."""

    run: ModelRun
    fits: list[ModelFit]
    churn_kind: str
    churn_auc: float | None
    timings: list[tuple[str, float]]
    total_seconds: float | None
    settings: list[tuple[str, str]]
    calibration: list[dict[str, float]] = field(default_factory=list)
    offers: list[dict[str, Any]] = field(default_factory=list)
    analysed: int | None = None  # transactions in the scores; None for older runs
    left_out: list[tuple[str, int]] = field(default_factory=list)  # (reason, transactions)


_FITS = (("bgnbd", "BG/NBD", ("r", "alpha", "a", "b")),
         ("pareto_nbd", "Pareto/NBD", ("r", "alpha", "s", "beta")),
         ("gamma_gamma", "Gamma-Gamma spend", ("p", "q", "gamma")))


def run_report(run: ModelRun) -> RunReport:
    """What the pages show of a run: fits, churn AUC, timings, settings, calibration."""
    params = run.parameters if isinstance(run.parameters, dict) else {}
    fits = []
    for key, title, names in _FITS:
        fit = section(params, key)
        values = [(n, v) for n in names if (v := number(fit.get(n))) is not None]
        if values:
            fits.append(ModelFit(key, title, values, number(fit.get("log_likelihood"))))
    churn = section(params, "churn")
    timings_raw = run.timings if isinstance(run.timings, dict) else {}
    timings = [(str(k), v) for k, raw in timings_raw.items() if (v := number(raw)) is not None]
    return RunReport(
        run=run, fits=fits,
        churn_kind=str(churn.get("kind") or ""), churn_auc=number(churn.get("auc")),
        timings=timings, total_seconds=sum(v for _, v in timings) if timings else None,
        settings=_settings_of(run.run_settings),
        calibration=calibration_rows(params), offers=offer_rules(params),
        **_coverage_of(section(params, "coverage")))


def _coverage_of(coverage: dict[str, Any]) -> dict[str, Any]:
    groups = coverage.get("left_out")
    left_out = [(str(g.get("reason", "")), int(n)) for g in groups
                if isinstance(g, dict) and (n := number(g.get("transactions"))) is not None
                ] if isinstance(groups, list) else []
    analysed = number(coverage.get("analysed"))
    return {"analysed": int(analysed) if analysed is not None else None,
            "left_out": left_out}


def _settings_of(raw: Any) -> list[tuple[str, str]]:
    if not isinstance(raw, dict):
        return []
    shown = []
    for key, value in raw.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        shown.append((str(key).replace("_", " "), str(value)))
    return shown


def calibration_rows(params: Any) -> list[dict[str, float]]:
    """Expected versus actual holdout purchases by calibration frequency (7 = 7+)."""
    rows = section(params, "calibration").get("rows")
    out = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        values = {k: number(row.get(k)) for k in ("frequency", "customers", "actual", "expected")}
        if values["frequency"] is None or values["actual"] is None \
                or values["expected"] is None:
            continue
        out.append({k: (v if v is not None else 0.0) for k, v in values.items()})
    return sorted(out, key=lambda r: r["frequency"])


def offer_rules(params: Any) -> list[dict[str, Any]]:
    """The strongest product co-occurrence rules of a run (at most 20)."""
    rules = section(params, "offers").get("rules")
    out: list[dict[str, Any]] = []
    for rule in rules if isinstance(rules, list) else []:
        if isinstance(rule, dict) and (lift := number(rule.get("lift"))) is not None:
            out.append({"from": str(rule.get("from_name") or rule.get("from_sku") or "?"),
                        "to": str(rule.get("to_name") or rule.get("to_sku") or "?"),
                        "lift": lift, "customers": number(rule.get("customers"))})
    return sorted(out, key=lambda r: -r["lift"])[:20]


def offers_of(score: CustomerScore) -> list[dict[str, Any]]:
    """A score's next best offers as clean {sku, name, lift} dicts (bad entries dropped)."""
    raw = score.next_best_offer if isinstance(score.next_best_offer, list) else []
    out = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        sku, name = item.get("sku"), item.get("name")
        if not sku and not name:
            continue
        out.append({"sku": str(sku or ""), "name": str(name or sku),
                    "lift": number(item.get("lift"))})
    return out
