"""Segments side by side: one metric for every brand × value of a dimension
(channel, region, customer segment or customer purpose), with 95 %
intervals, and which values differ within each brand.

Every number is `kpi_frame` with one segment filter (metrics/dataset.py
Filters): the same definition as everywhere. A cell from fewer than
SEGMENT_MIN records (the metric's `n`) is suppressed, whatever the metric:
a segment of a brand is a small group.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from .. import catalog, formatting
from ..catalog import Metric
from ..metrics.dataset import Dataset, Filters
from ..periods import Periods
from .common import dashboard_kpis, scope_names
from .compare import pairwise

# The dimensions a comparison can run across: (label, Filters field, where its values come from).
DIMENSIONS: dict[str, tuple[str, str, str]] = {
    "channel": ("Channel", "orders", "channel"),
    "region": ("Region", "customers", "region"),
    "segment": ("Customer segment", "customers", "segment"),
    "customer_purpose": ("Customer purpose", "customer_surveys", "customer_purpose"),
}
SEGMENT_MIN = 10
MATRIX_COLUMNS = [
    "scope",
    "name",
    "dimension",
    "segment",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "suppressed",
    "immature",
]


def can_split(metric: Metric, dimension: str) -> bool:
    """Whether a filter on `dimension` narrows this metric's rows at all."""
    if metric.source in ("employees", "workforce", "ledger"):
        return False
    if dimension == "channel":
        return metric.source in ("orders", "customers")
    if dimension == "customer_purpose":
        return metric.source == "surveys"
    return True


def segment_values(data: Dataset, dimension: str) -> list[str]:
    _, table, column = DIMENSIONS[dimension]
    return data.distinct(table, column)


def segment_matrix(
    data: Dataset, metric_id: str, period: Periods, dimension: str, scope_ids: list[str]
) -> pl.DataFrame:
    """One row per (scope, segment value): the metric over `period` for that
    scope's rows of that value, its interval and `n`; a cell from fewer than
    SEGMENT_MIN records is suppressed (value and interval NULL)."""
    names = scope_names(data)
    frames = []
    for value in segment_values(data, dimension):
        filters = replace(Filters(), **{dimension: (value,)})
        rows = dashboard_kpis(data, period, scope_ids, [metric_id], filters)
        frames.append(rows.with_columns(segment=pl.lit(value)))
    if not frames:
        return pl.DataFrame(schema={c: pl.String for c in MATRIX_COLUMNS})
    small = pl.col("n") < SEGMENT_MIN
    return (
        pl.concat(frames, how="vertical_relaxed")
        .with_columns(
            name=pl.col("scope").replace_strict(names, default=pl.col("scope"), return_dtype=pl.String),
            dimension=pl.lit(dimension),
            suppressed=pl.col("suppressed") | small,
            value=pl.when(small).then(None).otherwise(pl.col("value")),
            ci_low=pl.when(small).then(None).otherwise(pl.col("ci_low")),
            ci_high=pl.when(small).then(None).otherwise(pl.col("ci_high")),
        )
        .select(MATRIX_COLUMNS)
    )


def _cell(metric: Metric, r: dict, currency: str) -> str:
    if r["value"] is None:
        if r["n"] is not None and r["n"] < SEGMENT_MIN:
            return f"fewer than {SEGMENT_MIN} (n = {r['n']:,})"
        return formatting.kpi_text(metric, r, currency)
    text = formatting.value_text(metric, r["value"], currency)
    ci = formatting.interval_text(metric, r["ci_low"], r["ci_high"], currency)
    return f"{text}  [{ci}]" if ci else text


def matrix_display(matrix: pl.DataFrame, metric_id: str, currency: str) -> pl.DataFrame:
    """The matrix as a person reads it: one row per segment value, one
    column per scope ("41.2 %  [38.0–44.5 %]", or why there is no value)."""
    metric = catalog.get(metric_id)
    scopes = list(dict.fromkeys(matrix.get_column("name").to_list()))
    out = []
    for value in dict.fromkeys(matrix.get_column("segment").to_list()):
        row = {"Segment": formatting.plain(value.replace("_", " ").capitalize())}
        for r in matrix.filter(pl.col("segment") == value).iter_rows(named=True):
            row[r["name"]] = _cell(metric, r, currency)
        out.append(row)
    return pl.DataFrame(out, schema={"Segment": pl.String, **{s: pl.String for s in scopes}})


def segment_pairs(matrix: pl.DataFrame, metric_id: str, currency: str) -> pl.DataFrame:
    """Within each brand (and the company), every pair of segment values:
    do they differ beyond their 95 % intervals (the brands page's rule)?
    One row per (scope, pair); differing pairs first."""
    metric = catalog.get(metric_id)
    frames = []
    for (scope, name), part in matrix.group_by("scope", "name", maintain_order=True):
        # pairwise compares rows by `name`, skipping a "company" scope: give it segments.
        rows = part.with_columns(
            scope=pl.col("segment"),
            name=pl.col("segment").str.replace_all("_", " "),
            target=pl.lit(None, pl.Float64),
        )
        pairs = pairwise(rows, metric, currency)
        if pairs.height:
            frames.append(pairs.with_columns(scope=pl.lit(scope), scope_name=pl.lit(name)))
    if not frames:
        return pl.DataFrame()
    return pl.concat(frames)


def pairs_display(pairs: pl.DataFrame, metric_id: str, currency: str) -> pl.DataFrame:
    """The differing pairs as a person reads them, brand by brand."""
    metric = catalog.get(metric_id)
    if pairs.height == 0:
        return pl.DataFrame(
            schema={"Brand": pl.String, "Higher": pl.String, "Lower": pl.String, "Gap": pl.String}
        )
    shown = pairs.filter(pl.col("verdict") == "differs")
    return pl.DataFrame(
        [
            {
                "Brand": r["scope_name"],
                "Higher": f"{r['brand_a'].capitalize()}: {formatting.value_text(metric, r['value_a'], currency)}",
                "Lower": f"{r['brand_b'].capitalize()}: {formatting.value_text(metric, r['value_b'], currency)}",
                "Gap": formatting.change_text(metric, r["difference"], currency) or "",
            }
            for r in shown.iter_rows(named=True)
        ],
        schema={"Brand": pl.String, "Higher": pl.String, "Lower": pl.String, "Gap": pl.String},
    )
