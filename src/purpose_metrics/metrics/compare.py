"""Year over year (SPEC section 7): a period beside its comparable period of
the previous year.

The comparable period of a week is the same week number of the previous
year of its calendar (ISO year or NRF fiscal year); a week 53 has none. A
period given by dates (`--from/--to`) that is not one week compares with
the same dates a year earlier (iso: 29 February becomes 28 February) or,
on the nrf calendar, the same days 52 weeks earlier (so weekdays line up).
`change` is value − comparable value (percentage points for a percent),
NULL when either side is NULL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from ..calendars import Calendar
from ..periods import Periods
from .dataset import Dataset
from .engine import kpi_frame

COMPARE_COLUMNS = ["comparable_start", "comparable_end", "comparable_value", "change"]


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def comparable_period(period: Periods, cal: Calendar, week: bool) -> Periods | None:
    """The previous year's period to compare `period` with (None: a week 53).
    `week`: the period was asked for as a week of the calendar."""
    one_week = (period.end - period.start).days == 7 and cal.week_start(period.start) == period.start
    if week or one_week:
        found = cal.comparable_week(period.start)
        return Periods(*found) if found else None
    if cal.nrf:
        back = dt.timedelta(weeks=52)
        return Periods(period.start - back, period.end - back)
    return Periods(_year_earlier(period.start), _year_earlier(period.end))


def with_comparable(
    frame: pl.DataFrame, data: Dataset, comparable: Periods | None, scopes: Sequence[str] | None
) -> pl.DataFrame:
    """kpi_frame rows of one period with the comparable period's value and
    the change: the KPI columns, then COMPARE_COLUMNS."""
    if comparable is None:
        return frame.with_columns(
            pl.lit(None, pl.Date).alias("comparable_start"),
            pl.lit(None, pl.Date).alias("comparable_end"),
            pl.lit(None, pl.Float64).alias("comparable_value"),
            pl.lit(None, pl.Float64).alias("change"),
        )
    before = kpi_frame(data, comparable, scopes=scopes).select(
        "metric_id", "scope", pl.col("value").alias("comparable_value")
    )
    return (
        frame.join(before, on=["metric_id", "scope"], how="left", maintain_order="left")
        .with_columns(
            pl.lit(comparable.start, pl.Date).alias("comparable_start"),
            pl.lit(comparable.end, pl.Date).alias("comparable_end"),
            (pl.col("value") - pl.col("comparable_value")).alias("change"),
        )
        .select(*frame.columns, *COMPARE_COLUMNS)
    )
