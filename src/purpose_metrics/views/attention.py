"""What needs attention: the KPIs off or near target, worst first, and each
scope's count of red, amber and green."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

# Needs attention: how far below target, as a share of |target|; a target of
# 0 (an NPS of 0, say) has no size, so points and percentages are measured
# against their 0-100 scale instead and other units against 1.
_ZERO_TARGET_SCALE = {"pct": 100.0, "points": 100.0}
_STATUS_RANK = {"red": 0, "amber": 1, "green": 2}


def _severity() -> tuple[pl.Expr, pl.Expr]:
    """How far below target, as a share of |target| (see _ZERO_TARGET_SCALE)."""
    up = pl.col("direction") == "up"
    shortfall = (
        pl.when(up).then(pl.col("target") - pl.col("value")).otherwise(pl.col("value") - pl.col("target"))
    )
    zero_scale = pl.col("fmt").replace_strict(_ZERO_TARGET_SCALE, default=1.0, return_dtype=pl.Float64)
    size = pl.when(pl.col("target").abs() > 0).then(pl.col("target").abs()).otherwise(zero_scale)
    return (shortfall / size).alias("severity"), shortfall.alias("shortfall")


def attention(kpis: pl.DataFrame, scope_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """The KPIs that are red or amber, worst first.

    Grain: one row per (scope, metric_id) off or near target. Worst first:
    red before amber, then by `severity` (shortfall ÷ |target|). `noise`
    says whether the miss is "beyond noise" (the whole 95 % interval is on
    the wrong side of the target) or "within noise" (the interval reaches
    the target: the sample cannot tell); null for a metric without an
    interval (a sum or count is what it is).
    """
    rows = kpis if scope_ids is None else kpis.filter(pl.col("scope").is_in(list(scope_ids)))
    severity, shortfall = _severity()
    return (
        rows.filter(pl.col("status").is_in(["red", "amber"]))
        .with_columns(
            severity,
            shortfall,
            _noise(rows.columns),
            _rank=pl.col("status").replace_strict(_STATUS_RANK, return_dtype=pl.UInt8),
        )
        .sort("_rank", "severity", descending=[False, True])
        .drop("_rank")
    )


def _noise(columns: Sequence[str]) -> pl.Expr:
    if not {"ci_low", "ci_high"} <= set(columns):
        return pl.lit(None, pl.String).alias("noise")
    low, high, target = pl.col("ci_low"), pl.col("ci_high"), pl.col("target")
    beyond = pl.when(pl.col("direction") == "down").then(low > target).otherwise(high < target)
    return (
        pl.when(low.is_null() | high.is_null())
        .then(pl.lit(None, pl.String))
        .when(beyond)
        .then(pl.lit("beyond noise"))
        .otherwise(pl.lit("within noise"))
        .alias("noise")
    )


def scope_summary(kpis: pl.DataFrame, scope_ids: Sequence[str]) -> pl.DataFrame:
    """Per scope: how many KPIs are red, amber, green, and the worst one.

    Grain: one row per scope in `scope_ids` order (scopes with no target
    have zeros and no worst KPI).
    """
    counts = (
        kpis.filter(pl.col("scope").is_in(list(scope_ids)))
        .group_by("scope")
        .agg(
            (pl.col("status") == "red").sum().alias("red"),
            (pl.col("status") == "amber").sum().alias("amber"),
            (pl.col("status") == "green").sum().alias("green"),
        )
    )
    misses = attention(kpis, scope_ids)
    # The worst KPI's sample size (the home page says when it is small), when the rows carry it.
    n = [pl.col("n").alias("worst_n")] if "n" in misses.columns else []
    worst = (
        misses.group_by("scope", maintain_order=True)
        .first()
        .select(
            "scope",
            pl.col("metric_id").alias("worst_metric"),
            pl.col("value").alias("worst_value"),
            pl.col("target").alias("worst_target"),
            pl.col("status").alias("worst_status"),
            pl.col("severity").alias("worst_severity"),
            *n,
        )
    )
    base = pl.DataFrame({"scope": list(scope_ids), "_order": list(range(len(scope_ids)))})
    return (
        base.join(counts, on="scope", how="left")
        .join(worst, on="scope", how="left")
        .with_columns(pl.col("red", "amber", "green").fill_null(0))
        .sort("_order")
        .drop("_order")
    )


def furthest_below(kpis: pl.DataFrame, scope_ids: Sequence[str]) -> dict | None:
    """The single worst KPI among `scope_ids` (a row as a dict), or None."""
    rows = attention(kpis, scope_ids)
    return rows.row(0, named=True) if rows.height else None


def headline_kpi(kpis: pl.DataFrame, scope: str, scope_ids: Sequence[str]) -> dict | None:
    """The KPI the home page leads with: for the company view, the worst of
    any brand (the company's own when no brand is off target); for a brand,
    its worst."""
    if scope != "company":
        return furthest_below(kpis, [scope])
    brands = [s for s in scope_ids if s != "company"]
    return furthest_below(kpis, brands) or furthest_below(kpis, ["company"])
