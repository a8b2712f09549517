"""Finish metrics from facts: values, suppression, maturity, intervals, targets.

`kpi_frame` is the one entry point the CLI, the dashboard and the exports
use. Grain of its result: one row per (scope, period_start, metric_id), in
the catalog's order within a scope and period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from .. import catalog
from ..calendars import instant
from ..catalog import Metric
from ..constants import AMBER_BAND, REPURCHASE_WINDOW_DAYS, Z95
from ..periods import Periods
from .dataset import Dataset, Filters
from .facts import compute_facts

KPI_COLUMNS = [
    "metric_id",
    "scope",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "n",
    "suppressed",
    "immature",
    "ci_low",
    "ci_high",
    "target",
    "status",
]

# Monthly metrics are NULL for a scope without rows in the period (empty
# sets: docs/metrics.md); every sum over orders is 0 when nothing qualifies.
_MONTHLY_ROWS = {"workforce": "workforce_rows", "ledger": "ledger_rows"}


def _metric_rows(facts: pl.LazyFrame, m: Metric, order: int, as_of: dt.datetime | None) -> pl.LazyFrame:
    num = pl.col(m.numerator).cast(pl.Float64)
    den = pl.col(m.denominator).cast(pl.Float64) if m.denominator else pl.lit(None, pl.Float64)
    rows_fact = _MONTHLY_ROWS.get(m.source)
    if rows_fact:  # a sum of a monthly measure over no rows is NULL, not 0
        has_rows = pl.col(rows_fact) > 0
        num = pl.when(has_rows).then(num)
        den = pl.when(has_rows).then(den)
    n = pl.col(m.n).cast(pl.Int64)
    suppressed = (n < m.survey_min) if m.survey_min else pl.lit(False)
    if m.id == "repurchase_90d":
        # The period ends at local midnight; 90 days on is an instant (90 × 24 h).
        window_end = pl.col("_period_end_at") + pl.duration(days=REPURCHASE_WINDOW_DAYS)
        immature = pl.lit(True) if as_of is None else window_end > pl.lit(as_of)
    else:
        immature = pl.lit(False)
    hidden = suppressed | immature
    num = pl.when(~hidden).then(num)
    den = pl.when(~hidden).then(den)
    cols = [
        pl.lit(m.id).alias("metric_id"),
        pl.lit(order, pl.UInt32).alias("_order"),
        "scope",
        "period_start",
        "period_end",
        num.alias("numerator"),
        den.alias("denominator"),
        n.alias("n"),
        suppressed.alias("suppressed"),
        immature.alias("immature"),
    ]
    if m.interval == "nps":
        answers = pl.col(m.denominator).cast(pl.Float64)
        prefix = m.numerator.removesuffix("_net")
        cols += [
            (pl.col(f"{prefix}_promoters") / answers).alias("_p"),
            (pl.col(f"{prefix}_detractors") / answers).alias("_d"),
        ]
    return facts.select(cols)


def _value(kind: str) -> pl.Expr:
    num, den = pl.col("numerator"), pl.col("denominator")
    ratio = pl.when(den != 0).then(num / den)
    return {
        "count": num,
        "sum": num,
        "ratio": ratio,
        "mean": ratio,
        "percent": 100 * ratio,
        "nps": 100 * ratio,
        "index": 100 * (ratio - 1) / 4,
    }[kind]


def _wilson() -> tuple[pl.Expr, pl.Expr]:
    """95 % Wilson score interval of numerator/denominator, in percent."""
    n, z = pl.col("denominator"), Z95
    p = pl.col("numerator") / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    adj = z * (p * (1 - p) / n + z * z / (4 * n * n)).sqrt()
    ok = n > 0
    return (
        pl.when(ok).then((centre - adj) / denom * 100),
        pl.when(ok).then((centre + adj) / denom * 100),
    )


def _nps_interval() -> tuple[pl.Expr, pl.Expr]:
    p, d, n = pl.col("_p"), pl.col("_d"), pl.col("denominator")
    half = Z95 * 100 * ((p + d - (p - d) ** 2) / n).sqrt()
    ok = (n > 0) & pl.col("value").is_not_null()
    return (
        pl.when(ok).then((pl.col("value") - half).clip(-100, 100)),
        pl.when(ok).then((pl.col("value") + half).clip(-100, 100)),
    )


def finish(
    facts: pl.DataFrame, metrics: Sequence[Metric], as_of: dt.datetime | None, zone: str | None = None
) -> pl.DataFrame:
    """Facts (one row per scope × period) -> metric rows, without targets.
    `zone`: where the periods' dates are local (None: UTC)."""
    ends = {d: instant(d, zone) for d in facts.get_column("period_end").unique().to_list()}
    lf = facts.lazy().with_columns(
        _period_end_at=pl.col("period_end").replace_strict(ends, return_dtype=pl.Datetime("us"))
    )
    frames = []
    for order, m in enumerate(metrics):
        rows = _metric_rows(lf, m, order, as_of).with_columns(_value(m.kind).alias("value"))
        if m.interval == "wilson":
            low, high = _wilson()
        elif m.interval == "nps":
            low, high = _nps_interval()
        else:
            low = high = pl.lit(None, pl.Float64)
        rows = rows.with_columns(low.alias("ci_low"), high.alias("ci_high"))
        frames.append(rows.drop("_p", "_d", "_period_end_at", strict=False))
    return pl.concat(frames, how="vertical_relaxed").collect()


def attach_targets(kpis: pl.DataFrame, targets: pl.LazyFrame) -> pl.DataFrame:
    """Add `target` (the window holding the period's start, company and brand
    targets apart) and `status` (green / amber / red)."""
    t = targets.select(
        "metric_id",
        pl.col("brand_id").fill_null("company").alias("scope"),
        "valid_from",
        "valid_to",
        pl.col("target_value").cast(pl.Float64),
    ).collect()
    matched = (
        kpis.select("metric_id", "scope", "period_start")
        .unique()
        .join(t, on=["metric_id", "scope"], how="inner")
        .filter(
            (pl.col("period_start") >= pl.col("valid_from"))
            & (pl.col("valid_to").is_null() | (pl.col("period_start") < pl.col("valid_to")))
        )
        .group_by("metric_id", "scope", "period_start")
        .agg(pl.col("target_value").first().alias("target"))
    )
    out = kpis.join(matched, on=["metric_id", "scope", "period_start"], how="left")
    up = pl.col("metric_id").replace_strict(
        {m.id: m.direction == "up" for m in catalog.METRICS}, return_dtype=pl.Boolean
    )
    v, tv = pl.col("value"), pl.col("target")
    band = AMBER_BAND * tv.abs()
    status = (
        pl.when(v.is_null() | tv.is_null())
        .then(None)
        .when(pl.when(up).then(v >= tv).otherwise(v <= tv))
        .then(pl.lit("green"))
        .when(pl.when(up).then(v >= tv - band).otherwise(v <= tv + band))
        .then(pl.lit("amber"))
        .otherwise(pl.lit("red"))
    )
    return out.with_columns(status.alias("status"))


def kpi_frame(
    data: Dataset,
    periods: Periods,
    scopes: Sequence[str] | None = None,
    metric_ids: Sequence[str] | None = None,
    filters: Filters = Filters(),
) -> pl.DataFrame:
    """Every requested metric for every scope and period, in one pass.

    `scopes` defaults to the company then every brand by brand_id. Grain:
    one row per (scope, period_start, metric_id), ordered by scope (as
    given), period, then the catalog.

    The facts of the large tables come from the Dataset's FactSource
    (sources/: frames in memory, SQL pushdown, or the fact store); whichever
    it is, this function finishes them the same way.
    """
    scopes = list(scopes) if scopes is not None else ["company", *data.brand_ids]
    metrics = [catalog.get(i) for i in metric_ids] if metric_ids else list(catalog.METRICS)
    periods = periods.in_zone(data.timezone)  # dates are the company's local dates
    facts = compute_facts(data, periods, scopes, filters, metrics)
    rows = attach_targets(finish(facts, metrics, data.as_of, periods.zone), data["targets"])
    scope_order = {s: i for i, s in enumerate(scopes)}
    return (
        rows.with_columns(
            pl.col("scope").replace_strict(scope_order, return_dtype=pl.UInt32).alias("_scope_order")
        )
        .sort("_scope_order", "period_start", "_order")
        .select(KPI_COLUMNS)
    )


def compute_kpis(data: Dataset, start: dt.date, end: dt.date, **kw) -> pl.DataFrame:
    """The KPIs of one period [start, end)."""
    return kpi_frame(data, Periods(start, end), **kw)
