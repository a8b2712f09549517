"""A period on screen other than a week: which months, quarters and years
there are, the year to date, whether a period is still open, and its KPI
cards against the previous period of the same kind.

Every number comes from `kpi_frame` over the period's [start, end) — the
same as `purpose-metrics kpis --from START --to END`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from .. import catalog, formatting
from ..calendars import fiscal_year_of, instant, to_local
from ..metrics.dataset import Dataset
from ..periods import Period, Periods
from .common import METRIC_ORDER, TREND_STEPS, dashboard_kpis, scopes
from .week import _metric_columns, with_last_year


def data_days(data: Dataset) -> tuple[dt.date, dt.date] | None:
    """(the first day, the last day) with orders, local to the company; None without data."""
    if data.as_of is None:
        return None
    first = data.first_order_at
    if first is None:
        first = data["orders"].select(pl.col("ordered_at").min()).collect().item()
    return to_local(first, data.timezone).date(), to_local(data.as_of, data.timezone).date()


def available_months(data: Dataset) -> list[str]:
    """Every month of the company's calendar (calendar or fiscal) from the
    first order's to the latest with data (it may be open), latest first."""
    days = data_days(data)
    if days is None:
        return []
    cal = data.calendar
    return [cal.month_label(m) for m in cal.period_starts("month", *days)][::-1]


def available_quarters(data: Dataset) -> list[str]:
    """Every quarter (calendar or fiscal) from the first order's to the latest with data, latest first."""
    days = data_days(data)
    if days is None:
        return []
    cal = data.calendar
    labels = [cal.quarter_label(m) for m in cal.period_starts("month", *days)]
    return list(dict.fromkeys(labels))[::-1]


def available_years(data: Dataset) -> list[str]:
    """Every year (calendar, or fiscal: FY2025) with data, latest first."""
    days = data_days(data)
    if days is None:
        return []
    if data.calendar.nrf:
        first, last = fiscal_year_of(days[0]), fiscal_year_of(days[1])
        return [f"FY{y}" for y in range(last, first - 1, -1)]
    return [str(y) for y in range(days[1].year, days[0].year - 1, -1)]


def year_to_date(data: Dataset, year: str) -> Period:
    """The year's (fiscal year's) first day to the latest day with data (the
    whole year for an earlier year). Raises PeriodError for a malformed year."""
    days = data_days(data)
    last = days[1] if days else dt.date.today()
    return Period.year_to_date(year, last + dt.timedelta(days=1), data.calendar.name)


def open_note(data: Dataset, start: dt.date, end: dt.date) -> str | None:
    """'partial: data to Sun 22 Nov, 22:48 UTC' when [start, end) is still
    open at the as-of instant (its numbers will grow); None when it has ended."""
    if data.as_of is None:
        return None
    zone = data.timezone or "UTC"
    if not (instant(start, data.timezone) <= data.as_of < instant(end, data.timezone)):
        return None
    local = to_local(data.as_of, zone)
    return f"partial: data to {local:%a} {formatting.day_month(local.date())}, {local:%H:%M} {zone}"


def period_kpis(data: Dataset, period: Period, scope_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """The period's cards for every scope, in `views.week_kpis`' shape.

    Grain: one row per (scope, metric_id). Every metric (monthly ones too:
    the whole months inside the period) over [start, end); `previous` is the
    value over `period.previous()`, `change` value − previous. `trend` is
    the TREND_STEPS weeks or months (`period.trend_grain`; months for a
    monthly metric) ending with the period's last. `grain` is "period";
    `compared` names the comparison and `when` the period, in words. Year
    over year (`views.week.with_last_year`) over `period.comparable()`, named
    by `compared_year` (NULL for a year to date, which needs none).
    """
    scope_ids = list(scope_ids) if scope_ids is not None else scopes(data)
    scope_order = {s: i for i, s in enumerate(scope_ids)}
    ids = list(METRIC_ORDER)
    current = dashboard_kpis(data, period.periods, scope_ids, ids)
    before = dashboard_kpis(data, period.previous().periods, scope_ids, ids).select(
        "scope", "metric_id", pl.col("value").alias("previous")
    )
    weekly = [m for m in ids if not catalog.get(m).monthly]
    monthly = [m for m in ids if catalog.get(m).monthly]
    grids = [dashboard_kpis(data, period.trend(TREND_STEPS), scope_ids, weekly)]
    if monthly:
        grids.append(
            dashboard_kpis(data, Periods.trend(period.end, TREND_STEPS, "month"), scope_ids, monthly)
        )
    comparable = period.comparable()
    last_year = [] if comparable is None else [dashboard_kpis(data, comparable.periods, scope_ids, ids)]
    trends = (
        pl.concat(grids, how="vertical_relaxed")
        .sort("scope", "metric_id", "period_start")
        .group_by("scope", "metric_id")
        .agg(pl.col("value").alias("trend"), pl.col("period_start").alias("trend_starts"))
    )
    rows = current.join(before, on=["scope", "metric_id"], how="left").join(
        trends, on=["scope", "metric_id"], how="left"
    )
    return (
        with_last_year(rows, last_year)
        .with_columns(
            change=pl.col("value") - pl.col("previous"),
            grain=pl.lit("period"),
            compared=pl.lit(period.compared),
            # A year to date is compared with last year's same days already: no second line.
            compared_year=pl.lit(None if period.kind == "ytd" else period.compared_year, pl.String),
            when=pl.lit(period.label),
        )
        .join(_metric_columns(), on="metric_id", how="left")
        .with_columns(_scope_order=pl.col("scope").replace_strict(scope_order, return_dtype=pl.UInt32))
        .sort("_scope_order", "_metric_order")
        .drop("_scope_order", "_metric_order")
    )
