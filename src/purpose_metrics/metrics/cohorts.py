"""Cohort retention (docs/metrics.md#cohorts).

A customer's cohort is the ISO week (or calendar month) of their first
completed order in scope. Cell (c, k) is the share of cohort c with at least
one completed order in the k-th week (month) after c. k = 0 is always
emitted; later cells only once their period has ended by the as-of instant.

Two steps: the cells (customers per scope, cohort and period) and the cohort
sizes, then `finish_cohorts` (the grid of period indexes, zeros, retention,
labels and order). The Dataset's FactSource makes the first step: in memory
`cohort_cells` below, from the order history; pushed down, the database
(`sql/facts/cohorts.sql`); from the fact store, its customer sets. All
hand theirs to the same `finish_cohorts`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from ..periods import Grain

if TYPE_CHECKING:
    from .dataset import Dataset

COHORT_COLUMNS = ["scope", "cohort", "period_index", "cohort_size", "customers", "retention"]
COHORT_SCHEMA = {
    "scope": pl.String,
    "cohort": pl.String,
    "period_index": pl.Int64,
    "cohort_size": pl.Int64,
    "customers": pl.Int64,
    "retention": pl.Float64,
}


def period_start(column: str | pl.Expr, grain: Grain) -> pl.Expr:
    """The start (a Date) of the ISO week (Monday) or month holding a timestamp."""
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.dt.truncate("1w" if grain == "week" else "1mo").cast(pl.Date)


def period_index(start: str | pl.Expr, first: str | pl.Expr, grain: Grain) -> pl.Expr:
    """How many weeks (months) the period starting at `start` lies after the
    cohort starting at `first` (both period starts, Dates)."""
    start = pl.col(start) if isinstance(start, str) else start
    first = pl.col(first) if isinstance(first, str) else first
    if grain == "week":
        return ((start - first).dt.total_days() // 7).cast(pl.Int64)
    return ((start.dt.year() - first.dt.year()) * 12 + (start.dt.month() - first.dt.month())).cast(pl.Int64)


def cohort_cells(
    history: pl.LazyFrame, grain: Grain, scopes: Sequence[str]
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(cells, sizes) from the order history (metrics/history.py).

    cells: one row per (scope, first_start, period_index) with at least one
    customer back: `customers`. sizes: one row per (scope, first_start):
    `cohort_size`. first_start is the cohort's period start (a Date).
    """
    hist = history.filter(pl.col("customer_id").is_not_null())
    cells, sizes = [], []
    for scope in dict.fromkeys(scopes):
        # Brand scope: that brand's orders, so the first order is the brand's first.
        orders = hist if scope == "company" else hist.filter(pl.col("brand_id") == scope)
        seq = pl.col("seq_c" if scope == "company" else "seq_b")
        # The cohort is the period of the customer's first order in scope (seq 1
        # in the materialised history), so a data set holding only recent orders
        # still gives exact cohorts for every cohort that starts inside it.
        orders = orders.with_columns(period=period_start("ordered_at", grain))
        firsts = orders.filter(seq == 1).select("customer_id", first_start=pl.col("period"))
        orders = orders.join(firsts, on="customer_id", how="inner")
        cells.append(
            orders.with_columns(period_index=period_index("period", "first_start", grain))
            .group_by("first_start", "period_index")
            .agg(pl.col("customer_id").n_unique().alias("customers"))
            .with_columns(scope=pl.lit(scope))
        )
        sizes.append(
            orders.group_by("first_start")
            .agg(pl.col("customer_id").n_unique().alias("cohort_size"))
            .with_columns(scope=pl.lit(scope))
        )
    if not cells:
        return _empty_cells(), _empty_sizes()
    return pl.concat(cells, how="vertical_relaxed"), pl.concat(sizes, how="vertical_relaxed")


def _empty_cells() -> pl.LazyFrame:
    return pl.LazyFrame(
        schema={"scope": pl.String, "first_start": pl.Date, "period_index": pl.Int64, "customers": pl.Int64}
    )


def _empty_sizes() -> pl.LazyFrame:
    return pl.LazyFrame(schema={"scope": pl.String, "first_start": pl.Date, "cohort_size": pl.Int64})


def finish_cohorts(
    cells: pl.LazyFrame | pl.DataFrame,
    sizes: pl.LazyFrame | pl.DataFrame,
    scopes: Sequence[str],
    grain: Grain,
    as_of: dt.datetime | None,
) -> pl.DataFrame:
    """The cohort grid from cells and sizes (see `cohort_cells`): every k from
    0 up to the last period ended by the as-of instant, zeros filled in,
    retention = 100 × customers ÷ cohort size; scopes in the order given,
    then cohorts and k ascending.

    Grain of the result: one row per (scope, cohort, period_index).
    """
    order = {s: i for i, s in enumerate(dict.fromkeys(scopes))}
    cells = cells.lazy().select(
        pl.col("scope").cast(pl.String),
        pl.col("first_start").cast(pl.Date),
        pl.col("period_index").cast(pl.Int64),
        pl.col("customers").cast(pl.Int64),
    )
    sizes = (
        sizes.lazy()
        .select(
            pl.col("scope").cast(pl.String),
            pl.col("first_start").cast(pl.Date),
            pl.col("cohort_size").cast(pl.Int64),
        )
        .filter(pl.col("scope").is_in(list(order)))
    )
    # Every k from 0 up to the last period ended by the as-of instant (k = 0 always).
    grid = (
        sizes.with_columns(last_index=_last_complete_index(grain, as_of))
        .with_columns(
            period_index=pl.int_ranges(0, pl.max_horizontal(pl.col("last_index"), 0) + 1, dtype=pl.Int64)
        )
        .explode("period_index")
    )
    out = (
        grid.join(cells, on=["scope", "first_start", "period_index"], how="left")
        .with_columns(
            pl.col("customers").fill_null(0),
            retention=100 * pl.col("customers").fill_null(0) / pl.col("cohort_size"),
            _s=pl.col("scope").replace_strict(order, return_dtype=pl.UInt32),
        )
        .sort("_s", "first_start", "period_index")
        .collect()
    )
    if out.height == 0:
        return pl.DataFrame(schema=COHORT_SCHEMA)
    label = (
        pl.col("first_start").dt.strftime("%G-W%V")
        if grain == "week"
        else pl.col("first_start").dt.strftime("%Y-%m")
    )
    return out.with_columns(cohort=label).select(COHORT_COLUMNS).cast(COHORT_SCHEMA)  # type: ignore[arg-type]


def cohorts(
    data: Dataset, grain: Grain, scopes: Sequence[str] | None = None, since: dt.date | None = None
) -> pl.DataFrame:
    """Grain of the result: one row per (scope, cohort, period_index), for the
    cohorts starting on or after `since` (all when None); the cells come
    from the Dataset's FactSource."""
    scopes = list(scopes) if scopes is not None else ["company", *data.brand_ids]
    cells, sizes = data.source.cohort_cells(grain, scopes, since)
    return finish_cohorts(cells, sizes, scopes, grain, data.as_of)


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
