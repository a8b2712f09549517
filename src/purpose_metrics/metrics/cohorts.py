"""Cohort retention (SPEC section 4, Cohorts).

A customer's cohort is the ISO week (or calendar month) of their first
completed order in scope. Cell (c, k) is the share of cohort c with at least
one completed order in the k-th week (month) after c. k = 0 is always
emitted; later cells only once their period has ended by the as-of instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from ..periods import Grain
from .dataset import Dataset

COHORT_COLUMNS = ["scope", "cohort", "period_index", "cohort_size", "customers", "retention"]


def _index(grain: Grain) -> tuple[pl.Expr, pl.Expr]:
    """(cohort start, index of an order's period after it) expressions."""
    if grain == "week":
        start = pl.col("ordered_at").dt.truncate("1w").cast(pl.Date)
        first = pl.col("first_start")
        index = ((start - first).dt.total_days() // 7).cast(pl.Int64)
    else:
        start = pl.col("ordered_at").dt.truncate("1mo").cast(pl.Date)
        first = pl.col("first_start")
        index = (
            (start.dt.year() - first.dt.year()) * 12 + (start.dt.month() - first.dt.month())
        ).cast(pl.Int64)
    return start, index


def cohorts(data: Dataset, grain: Grain, scopes: Sequence[str] | None = None) -> pl.DataFrame:
    """Grain of the result: one row per (scope, cohort, period_index)."""
    scopes = list(scopes) if scopes is not None else ["company", *data.brand_ids]
    hist = data.order_history().lazy().filter(pl.col("customer_id").is_not_null())
    start, index = _index(grain)
    as_of = data.as_of
    frames = []
    for scope in scopes:
        # Brand scope: that brand's orders, so the first order is the brand's first.
        orders = hist if scope == "company" else hist.filter(pl.col("brand_id") == scope)
        seq = pl.col("seq_c" if scope == "company" else "seq_b")
        # The cohort is the period of the customer's first order in scope (seq 1
        # in the materialised history), so a data set holding only recent orders
        # still gives exact cohorts for every cohort that starts inside it.
        orders = orders.with_columns(period=start)
        firsts = orders.filter(seq == 1).select("customer_id", first_start=pl.col("period"))
        orders = orders.join(firsts, on="customer_id", how="inner")
        cells = (
            orders.with_columns(period_index=index)
            .group_by("first_start", "period_index")
            .agg(pl.col("customer_id").n_unique().alias("customers"))
        )
        sizes = orders.group_by("first_start").agg(pl.col("customer_id").n_unique().alias("cohort_size"))
        # Every k from 0 up to the last period ended by the as-of instant (k = 0 always).
        grid = sizes.with_columns(
            last_index=_last_complete_index(grain, as_of)
        ).with_columns(
            period_index=pl.int_ranges(0, pl.max_horizontal(pl.col("last_index"), 0) + 1)
        ).explode("period_index")
        frame = (
            grid.join(cells, on=["first_start", "period_index"], how="left")
            .with_columns(
                pl.col("customers").fill_null(0).cast(pl.Int64),
                pl.col("cohort_size").cast(pl.Int64),
                scope=pl.lit(scope),
            )
            .with_columns(retention=100 * pl.col("customers") / pl.col("cohort_size"))
            .sort("first_start", "period_index")
        )
        frames.append(frame)
    out = pl.concat(frames).collect() if frames else pl.DataFrame()
    if out.height == 0:
        return pl.DataFrame(schema={
            "scope": pl.String, "cohort": pl.String, "period_index": pl.Int64,
            "cohort_size": pl.Int64, "customers": pl.Int64, "retention": pl.Float64,
        })
    label = (
        pl.col("first_start").dt.strftime("%G-W%V")
        if grain == "week"
        else pl.col("first_start").dt.strftime("%Y-%m")
    )
    return out.with_columns(cohort=label).select(COHORT_COLUMNS)


def _last_complete_index(grain: Grain, as_of: dt.datetime | None) -> pl.Expr:
    """The largest k whose period (c + k) ends on or before the as-of instant."""
    if as_of is None:
        return pl.lit(0, pl.Int64)
    as_of_date = as_of.date()
    if grain == "week":
        # period k ends at first_start + 7(k+1) days 00:00; it must be <= as_of.
        days = (pl.lit(as_of_date) - pl.col("first_start")).dt.total_days()
        # A midnight is <= as_of exactly when it is <= as_of's date, so whole days suffice.
        return (days // 7 - 1).cast(pl.Int64)
    months = (as_of_date.year * 12 + as_of_date.month - 1) - (
        pl.col("first_start").dt.year() * 12 + pl.col("first_start").dt.month() - 1
    )
    # period k ends at the start of month (c + k + 1); it must be <= as_of.
    return (months - 1).cast(pl.Int64)
