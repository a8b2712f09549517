"""Comparing two KPI frames the way the spec does: numbers to a relative 1e-9."""

from __future__ import annotations

import polars as pl

FLOATS = ["value", "numerator", "denominator", "ci_low", "ci_high", "target"]
EXACT = ["n", "suppressed", "immature", "status"]


def kpi_mismatches(a: pl.DataFrame, b: pl.DataFrame) -> list[tuple]:
    """Rows (by metric, scope, period) whose fields differ; [] when they agree."""
    j = a.join(b, on=["metric_id", "scope", "period_start"], suffix="_b", how="full", coalesce=True)
    out = []
    for c in FLOATS:
        x, y = pl.col(c), pl.col(f"{c}_b")
        same = (x.is_null() & y.is_null()) | ((x - y).abs() <= 1e-9 * x.abs() + 1e-12)
        out += (
            j.filter(~same.fill_null(False)).select("metric_id", "scope", "period_start", c, f"{c}_b").rows()
        )
    for c in EXACT:
        out += (
            j.filter(pl.col(c).ne_missing(pl.col(f"{c}_b"))).select("metric_id", "scope", c, f"{c}_b").rows()
        )
    return out
