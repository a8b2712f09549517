"""The week on screen: which weeks there are, the week's window (its trend
grid and its latest whole month), the week's KPI cards, a year of one KPI,
and the initiatives on those trends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from .. import catalog, formatting
from ..calendars import to_local
from ..metrics.dataset import Dataset
from ..periods import Periods, add_months, latest_complete_week, month_start, week_label, week_start
from .common import METRIC_ORDER, PILLAR_OF, TREND_STEPS, dashboard_kpis, scope_names, scopes
from .compare import by_scope


def default_week(data: Dataset) -> str:
    """The latest complete ISO week before the as-of instant."""
    start, _ = latest_complete_week(data.as_of)
    return week_label(start)


def latest_week(data: Dataset) -> str:
    """The latest ISO week with data: the one holding the as-of instant (the
    dashboard's default; it may still be open, see `partial_note`)."""
    return week_label(week_start(data.as_of.date())) if data.as_of is not None else default_week(data)


def partial_note(data: Dataset, label: str) -> str | None:
    """'partial: data to Sun 22 Nov, 22:48 UTC' when the week is still open
    at the as-of instant (its numbers will grow); None for a whole week."""
    if data.as_of is None:
        return None
    week = Periods.week(label)
    end = dt.datetime.combine(week.end, dt.time())
    if not (dt.datetime.combine(week.start, dt.time()) <= data.as_of < end):
        return None
    zone = data.timezone or "UTC"
    local = to_local(data.as_of, zone)
    return f"partial: data to {local:%a} {formatting.day_month(local.date())}, {local:%H:%M} {zone}"


def available_weeks(data: Dataset, *, with_open: bool = False) -> list[str]:
    """Every ISO week from the first order's to the latest complete one
    (`with_open`: to the latest with data, which may still be open), latest first."""
    if data.as_of is None:
        return []
    first = data.first_order_at  # the frames may hold only a range of orders
    if first is None:
        first = data["orders"].select(pl.col("ordered_at").min()).collect().item()
    last_start, _ = latest_complete_week(data.as_of)
    if with_open:
        last_start = week_start(data.as_of.date())
    day = week_start(first.date()) if first is not None else last_start
    out = []
    while day <= last_start:
        out.append(week_label(day))
        day += dt.timedelta(days=7)
    return out[::-1] or [week_label(last_start)]


@dataclass(frozen=True)
class WeekWindow:
    """What the home page computes for one ISO week.

    `weeks` is the trend grid ending with the week; monthly metrics use
    `month`, the latest whole month ending on or before the week's end, and
    the `months` grid ending with it.
    """

    label: str
    week: Periods
    weeks: Periods
    month: Periods
    months: Periods


def week_window(label: str, steps: int = TREND_STEPS) -> WeekWindow:
    """Raises periods.PeriodError for a malformed week."""
    week = Periods.week(label)
    month_end = month_start(week.end)  # a whole month must end by the week's end
    month = Periods(add_months(month_end, -1), month_end)
    return WeekWindow(
        label=label,
        week=week,
        weeks=Periods.trend(week.end, steps, "week"),
        month=month,
        months=Periods.trend(month_end, steps, "month"),
    )


def _metric_columns() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "metric_id": list(METRIC_ORDER),
            "label": [catalog.get(m).label for m in METRIC_ORDER],
            "pillar": [PILLAR_OF[m] for m in METRIC_ORDER],
            "direction": [catalog.get(m).direction for m in METRIC_ORDER],
            "fmt": [catalog.get(m).fmt for m in METRIC_ORDER],
            "_metric_order": list(range(len(METRIC_ORDER))),
        }
    )


def week_kpis(data: Dataset, window: WeekWindow, scope_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """The week's cards for every scope.

    Grain: one row per (scope, metric_id), in scope order then the dashboard's
    pillar order. Weekly metrics come from ONE kpi_frame call over the trend
    grid (this week = its last step, previous = the one before); monthly
    metrics from one call over the monthly grid. Columns: the kpi_frame
    columns of the current period, plus `grain`, `previous`, `change`
    (value − previous, in the metric's unit: percentage points for a
    percent), `trend` and `trend_starts` (the grid's values, NULL where
    there is none).
    """
    scope_ids = list(scope_ids) if scope_ids is not None else scopes(data)
    weekly_ids = [m for m in METRIC_ORDER if not catalog.get(m).monthly]
    monthly_ids = [m for m in METRIC_ORDER if catalog.get(m).monthly]
    frames = [
        dashboard_kpis(data, window.weeks, scope_ids, weekly_ids).with_columns(grain=pl.lit("week")),
        dashboard_kpis(data, window.months, scope_ids, monthly_ids).with_columns(grain=pl.lit("month")),
    ]
    rows = pl.concat(frames, how="vertical_relaxed")
    scope_order = {s: i for i, s in enumerate(scope_ids)}
    return (
        rows.sort("scope", "metric_id", "period_start")
        .group_by("scope", "metric_id", maintain_order=True)
        .agg(
            pl.all().exclude("period_start").last(),
            pl.col("period_start").last(),
            pl.col("value").alias("trend"),
            pl.col("period_start").alias("trend_starts"),
            pl.col("value").get(-2, null_on_oob=True).alias("previous"),
        )
        .with_columns(change=pl.col("value") - pl.col("previous"))
        .join(_metric_columns(), on="metric_id", how="left")
        .with_columns(_scope_order=pl.col("scope").replace_strict(scope_order, return_dtype=pl.UInt32))
        .sort("_scope_order", "_metric_order")
        .drop("_scope_order", "_metric_order")
    )


LONG_TREND_WEEKS = 52  # a KPI's trend on its pillar page: a year of weeks
LONG_TREND_MONTHS = 12


def metric_trend(data: Dataset, metric_id: str, window: WeekWindow, scope_ids: Sequence[str]) -> pl.DataFrame:
    """A year of one metric up to the window's week: weekly, or monthly up to
    its latest whole month for a monthly metric. Grain: one row per (scope,
    period_start), with `name`."""
    metric = catalog.get(metric_id)
    if metric.monthly:
        grid = Periods.trend(window.month.end, LONG_TREND_MONTHS, "month")
    else:
        grid = Periods.trend(window.week.end, LONG_TREND_WEEKS, "week")
    return by_scope(data, metric_id, grid, scope_ids=scope_ids)


def period_label(grain: str, start: dt.date) -> str:
    """'week 2026-W10' or 'February 2026 (latest whole month)'."""
    if grain == "month":
        return f"{formatting.month_name(start)} (latest whole month)"
    return f"week {week_label(start)}"


def initiative_markers(
    data: Dataset,
    start: dt.date,
    end: dt.date,
    metric_ids: Sequence[str] | None = None,
    scope_ids: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Initiatives launched in [start, end), placed on the trends they target.

    Grain: one row per (initiative, scope it is shown on). A brand's
    initiative shows on that brand and on the company; a company-wide one
    (brand_id NULL) on the company and every brand. Columns: scope,
    metric_id, launched_at, name, label (with the brand's name when it is a
    brand's), expected_change.
    """
    scope_ids = list(scope_ids) if scope_ids is not None else scopes(data)
    names = scope_names(data)
    rows = data["initiatives"].filter(
        (pl.col("launched_at") >= start) & (pl.col("launched_at") < end) & pl.col("metric_id").is_not_null()
    )
    if metric_ids is not None:
        rows = rows.filter(pl.col("metric_id").is_in(list(metric_ids)))
    shown = pl.DataFrame({"scope": scope_ids})
    return (
        rows.collect()
        .join(shown, how="cross")
        .filter(
            pl.col("brand_id").is_null()
            | (pl.col("brand_id") == pl.col("scope"))
            | (pl.col("scope") == "company")
        )
        .with_columns(
            label=pl.when(pl.col("brand_id").is_null())
            .then(pl.col("name"))
            .otherwise(
                pl.col("name")
                + " ("
                + pl.col("brand_id").replace_strict(names, default=pl.col("brand_id"), return_dtype=pl.String)
                + ")"
            )
        )
        .sort("launched_at", "initiative_id")
        .select("scope", "metric_id", "launched_at", "name", "label", "expected_change")
    )
