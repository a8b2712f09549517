"""Cohort retention (docs/metrics.md#cohorts).

A customer's cohort is the week (or month) holding the local date of their
first completed order in scope: ISO weeks and calendar months, or the NRF
calendar's weeks and fiscal months (calendars.py). Cell (c, k) is the share of cohort c with at least
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

from ..calendars import ISO, NRF, Calendar, fiscal_year_of, is_utc, local_date, to_local
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


def period_index(start: str | pl.Expr, first: str | pl.Expr, grain: Grain) -> pl.Expr:
    """How many weeks (months) the period starting at `start` lies after the
    cohort starting at `first` (both period starts, Dates)."""
    start = pl.col(start) if isinstance(start, str) else start
    first = pl.col(first) if isinstance(first, str) else first
    if grain == "week":
        return ((start - first).dt.total_days() // 7).cast(pl.Int64)
    return ((start.dt.year() - first.dt.year()) * 12 + (start.dt.month() - first.dt.month())).cast(pl.Int64)


def _fiscal_months(first: dt.date, last: dt.date) -> pl.DataFrame:
    """Every NRF fiscal month from the one holding `first` to the one holding
    `last`: month_start (a Date) and ordinal (12 × fiscal year + month − 1)."""
    starts = NRF.period_starts("month", first, last)
    ordinals = [fiscal_year_of(m) * 12 + int(NRF.month_label(m)[-2:]) - 1 for m in starts]
    return pl.DataFrame(
        {"month_start": starts, "ordinal": ordinals}, schema={"month_start": pl.Date, "ordinal": pl.Int64}
    )


def _bucketed(orders: pl.LazyFrame, grain: Grain, zone: str | None, cal: Calendar) -> pl.LazyFrame:
    """Each order with the start of its local week (month) in the calendar,
    `period`, and that period's ordinal (consecutive periods differ by 1)."""
    day = local_date(pl.col("ordered_at"), zone)
    if grain == "week":
        if cal.nrf:  # Sunday to Saturday
            start = (day + pl.duration(days=1)).dt.truncate("1w") - pl.duration(days=1)
        else:
            start = day.dt.truncate("1w")
        return orders.with_columns(period=start).with_columns(
            _ordinal=((pl.col("period") - pl.lit(dt.date(1970, 1, 4))).dt.total_days() // 7).cast(pl.Int64)
        )
    if not cal.nrf:
        return orders.with_columns(period=day.dt.truncate("1mo")).with_columns(
            _ordinal=(pl.col("period").dt.year().cast(pl.Int64) * 12 + pl.col("period").dt.month() - 1)
        )
    span = orders.select(day.min().alias("a"), day.max().alias("b")).collect()
    if span.height == 0 or span.item(0, "a") is None:
        return orders.with_columns(period=day, _ordinal=pl.lit(0, pl.Int64)).clear()
    months = _fiscal_months(span.item(0, "a"), span.item(0, "b")).lazy()
    return (
        orders.with_columns(_day=day)
        .sort("_day")
        .join_asof(months, left_on="_day", right_on="month_start", strategy="backward")
        .rename({"month_start": "period", "ordinal": "_ordinal"})
        .drop("_day")
    )


def cohort_cells(
    history: pl.LazyFrame,
    grain: Grain,
    scopes: Sequence[str],
    zone: str | None = None,
    cal: Calendar = ISO,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(cells, sizes) from the order history (metrics/history.py).

    cells: one row per (scope, first_start, period_index) with at least one
    customer back: `customers`. sizes: one row per (scope, first_start):
    `cohort_size`. first_start is the cohort's period start (a Date): the
    local week (month) of the calendar `cal` in `zone`.
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
        orders = _bucketed(orders, grain, zone, cal)
        firsts = orders.filter(seq == 1).select(
            "customer_id", first_start=pl.col("period"), _first_ordinal=pl.col("_ordinal")
        )
        orders = orders.join(firsts, on="customer_id", how="inner")
        cells.append(
            orders.with_columns(period_index=(pl.col("_ordinal") - pl.col("_first_ordinal")).cast(pl.Int64))
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
    zone: str | None = None,
    cal: Calendar = ISO,
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
        sizes.with_columns(last_index=_last_complete_index(grain, as_of, zone, cal, sizes))
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
    if cal.nrf:
        starts = out.get_column("first_start").unique().to_list()
        label = pl.col("first_start").replace_strict(
            {d: cal.label(grain, d) for d in starts}, return_dtype=pl.String
        )
    else:
        label = (
            pl.col("first_start").dt.strftime("%G-W%V")
            if grain == "week"
            else pl.col("first_start").dt.strftime("%Y-%m")
        )
    return out.with_columns(cohort=label).select(COHORT_COLUMNS).cast(COHORT_SCHEMA)  # type: ignore[arg-type]


def cohorts(
    data: Dataset,
    grain: Grain,
    scopes: Sequence[str] | None = None,
    since: dt.date | None = None,
    cal: Calendar = ISO,
) -> pl.DataFrame:
    """Grain of the result: one row per (scope, cohort, period_index), for the
    cohorts starting on or after `since` (all when None); the cells come
    from the Dataset's FactSource. Weeks and months are local to the
    company's zone and cut by the calendar `cal` (docs/metrics.md#cohorts)."""
    scopes = list(scopes) if scopes is not None else ["company", *data.brand_ids]
    zone = data.timezone
    if is_utc(zone) and not cal.nrf:
        cells, sizes = data.source.cohort_cells(grain, scopes, since)
    else:  # local periods: the memory source cuts them (sources.choose keeps such data in memory)
        cells, sizes = data.source.local_cohort_cells(grain, scopes, since, zone, cal)
    return finish_cohorts(cells, sizes, scopes, grain, data.as_of, zone, cal)


def _last_complete_index(
    grain: Grain,
    as_of: dt.datetime | None,
    zone: str | None = None,
    cal: Calendar = ISO,
    sizes: pl.LazyFrame | None = None,
) -> pl.Expr:
    """The largest k whose period (c + k) ends on or before the as-of instant.

    A period ends at a local midnight, which is <= as_of exactly when its
    date is <= as_of's local date: whole local days suffice."""
    if as_of is None:
        return pl.lit(0, pl.Int64)
    as_of_date = to_local(as_of, zone).date()
    if grain == "week":
        # period k ends at first_start + 7(k+1) days 00:00; it must be <= as_of.
        days = (pl.lit(as_of_date) - pl.col("first_start")).dt.total_days()
        return (days // 7 - 1).cast(pl.Int64)
    if cal.nrf:
        # Fiscal months: ordinals from the months between the first cohort and as_of.
        assert sizes is not None
        first = sizes.select(pl.col("first_start").min()).collect().item()
        if first is None:
            return pl.lit(0, pl.Int64)
        months = _fiscal_months(min(first, as_of_date), as_of_date)
        ordinal = dict(zip(months.get_column("month_start"), months.get_column("ordinal"), strict=True))
        now = months.get_column("ordinal").max()
        return (now - pl.col("first_start").replace_strict(ordinal, return_dtype=pl.Int64) - 1).cast(pl.Int64)
    months = (as_of_date.year * 12 + as_of_date.month - 1) - (
        pl.col("first_start").dt.year() * 12 + pl.col("first_start").dt.month() - 1
    )
    # period k ends at the start of month (c + k + 1); it must be <= as_of.
    return (months - 1).cast(pl.Int64)
