"""The workloads the benchmark times, written against the project's API."""

from __future__ import annotations

import datetime as dt

import polars as pl

from purpose_metrics import catalog, data, db, pushdown, views
from purpose_metrics.metrics import Dataset, Filters, kpi_frame
from purpose_metrics.periods import Periods, add_months, latest_complete_week, month_start

WEEKS = 13  # the week, the one before it, and a 12-week sparkline


def monday_periods(as_of: dt.datetime) -> tuple[Periods, Periods]:
    """The home page's periods: 13 weeks to the latest complete week, and the
    latest whole month ending before that week's end (monthly metrics)."""
    _, week_end = latest_complete_week(as_of)
    weeks = Periods.trend(week_end, WEEKS, "week")
    last_month = add_months(month_start(week_end - dt.timedelta(days=1)), -1)
    if add_months(last_month, 1) > week_end:
        last_month = add_months(last_month, -1)
    return weeks, Periods(last_month, add_months(last_month, 1))


MONTHLY = [m.id for m in catalog.METRICS if m.monthly]
WEEKLY = [m.id for m in catalog.METRICS if not m.monthly]


def monday_view(ds: Dataset, filters: Filters = Filters()) -> pl.DataFrame:
    weeks, month = monday_periods(ds.as_of)
    return pl.concat(
        [
            kpi_frame(ds, weeks, metric_ids=WEEKLY, filters=filters),
            kpi_frame(ds, month, metric_ids=MONTHLY, filters=filters),
        ]
    )


def monday_view_pushdown(engine, filters: Filters = Filters()) -> pl.DataFrame:
    weeks, month = monday_periods(data.as_of(engine))
    return pl.concat(
        [
            pushdown.kpi_frame_pushdown(engine, weeks, metric_ids=WEEKLY, filters=filters),
            pushdown.kpi_frame_pushdown(engine, month, metric_ids=MONTHLY, filters=filters),
        ]
    )


def monday_dataset(engine) -> Dataset:
    """What the Monday view reads in memory mode: the 13 weeks it shows
    (monthly tables whole). Memory mode explicitly: `auto` would push a
    large PostgreSQL database down."""
    weeks, _ = monday_periods(data.as_of(engine))
    return data.load_dataset(engine, start=weeks.start, end=weeks.range_end, mode="memory")


def cold_monday(url: str) -> pl.DataFrame:
    """Everything from a fresh process: engine, load, compute."""
    return monday_view(monday_dataset(db.make_engine(url)))


def home_page(engine, mode: str) -> pl.DataFrame:
    """What the dashboard's home page computes on a first visit, in a mode:
    the read (ui/state.py: every table in memory mode, the small ones in
    pushdown mode), then the week's cards with their 12-week and 12-month
    grids (views.week_kpis)."""
    ds = data.load_dataset(engine, mode=mode)
    return views.week_kpis(ds, views.week_window(views.default_week(ds)))
