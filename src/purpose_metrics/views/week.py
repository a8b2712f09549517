"""The week on screen: which weeks there are, the week's window (its trend
grid and its latest whole month), the week's KPI cards, a year of one KPI,
and the initiatives on those trends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from .. import catalog, formatting
from ..calendars import ISO, Calendar, instant, to_local
from ..metrics.dataset import Dataset
from ..periods import Periods, add_months, latest_complete_week, month_start, week_label
from .common import METRIC_ORDER, PILLAR_OF, TREND_STEPS, dashboard_kpis, scope_names, scopes
from .compare import by_scope


def _calendar(data: Dataset, cal: Calendar | None) -> Calendar:
    return cal if cal is not None else data.calendar


def _as_of_day(data: Dataset) -> dt.date:
    """The local date of the as-of instant (the data has one)."""
    return to_local(data.as_of, data.timezone).date()  # type: ignore[arg-type]


def default_week(data: Dataset, cal: Calendar | None = None) -> str:
    """The latest complete week of the company's calendar (or `cal`) before
    the as-of instant."""
    cal = _calendar(data, cal)
    if cal.name == "iso" and data.timezone is None:
        start, _ = latest_complete_week(data.as_of)
        return week_label(start)
    today = _as_of_day(data) if data.as_of is not None else dt.date.today()
    return cal.week_label(cal.week_start(today) - dt.timedelta(days=7))


def latest_week(data: Dataset, cal: Calendar | None = None) -> str:
    """The latest week with data: the one holding the as-of instant (the
    dashboard's default; it may still be open, see `partial_note`)."""
    cal = _calendar(data, cal)
    if data.as_of is None:
        return default_week(data, cal)
    return cal.week_label(cal.week_start(_as_of_day(data)))


def partial_note(data: Dataset, label: str) -> str | None:
    """'partial: data to Sun 22 Nov, 22:48 UTC' when the week is still open
    at the as-of instant (its numbers will grow); None for a whole week."""
    if data.as_of is None:
        return None
    week = Periods.week(label)
    if not (instant(week.start, data.timezone) <= data.as_of < instant(week.end, data.timezone)):
        return None
    zone = data.timezone or "UTC"
    local = to_local(data.as_of, zone)
    return f"partial: data to {local:%a} {formatting.day_month(local.date())}, {local:%H:%M} {zone}"


def available_weeks(data: Dataset, *, with_open: bool = False, cal: Calendar | None = None) -> list[str]:
    """Every week of the company's calendar (or `cal`) from the first
    order's to the latest complete one (`with_open`: to the latest with
    data, which may still be open), latest first."""
    if data.as_of is None:
        return []
    cal = _calendar(data, cal)
    first = data.first_order_at  # the frames may hold only a range of orders
    if first is None:
        first = data["orders"].select(pl.col("ordered_at").min()).collect().item()
    latest = latest_week(data, cal) if with_open else default_week(data, cal)
    last_start, _ = cal.parse_week(latest)
    day = cal.week_start(to_local(first, data.timezone).date()) if first is not None else last_start
    out = []
    while day <= last_start:
        out.append(cal.week_label(day))
        day += dt.timedelta(days=7)
    return out[::-1] or [latest]


@dataclass(frozen=True)
class WeekWindow:
    """What the home page computes for one week (ISO or fiscal: its label
    says which calendar).

    `weeks` is the trend grid ending with the week; monthly metrics use
    `month`, the latest whole calendar month ending on or before the week's
    end (workforce and ledger rows are calendar months on either calendar),
    and the `months` grid ending with it. Year over year: `last_year` is the
    same week of the previous year of the calendar (None for a week 53,
    which has none), `month_last_year` the same month a year earlier.
    """

    label: str
    week: Periods
    weeks: Periods
    month: Periods
    months: Periods
    last_year: Periods | None = None
    month_last_year: Periods | None = None

    @property
    def calendar(self) -> Calendar:
        return self.week.calendar


def week_window(label: str, steps: int = TREND_STEPS) -> WeekWindow:
    """Raises periods.PeriodError for a malformed week."""
    week = Periods.week(label)
    cal = week.calendar
    month_end = month_start(week.end)  # a whole month must end by the week's end
    month = Periods(add_months(month_end, -1), month_end)
    found = cal.comparable_week(week.start)
    return WeekWindow(
        label=label,
        week=week,
        weeks=Periods.trend(week.end, steps, "week", cal.name),
        month=month,
        months=Periods.trend(month_end, steps, "month"),
        last_year=Periods(*found, cal=cal.name) if found else None,
        month_last_year=Periods(add_months(month.start, -12), add_months(month.end, -12)),
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
    there is none); year over year (`with_last_year`): `last_year`,
    `last_year_start`, `change_year`, and `compared_year` in words ("same
    week last year"; "same month last year" for a monthly metric); `when`
    names the period ("week FY2025-W07", "February 2026 (latest whole month)").
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
    last_year = [
        dashboard_kpis(data, window.month_last_year, scope_ids, monthly_ids)
        if window.month_last_year is not None
        else None,
        dashboard_kpis(data, window.last_year, scope_ids, weekly_ids)
        if window.last_year is not None
        else None,
    ]
    latest = (
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
    )
    latest = latest.with_columns(
        when=pl.Series(
            [
                period_label(g, d, window.calendar)
                for g, d in latest.select("grain", "period_start").iter_rows()
            ],
            dtype=pl.String,
        )
    )
    return (
        with_last_year(latest, [f for f in last_year if f is not None])
        .with_columns(
            compared_year=pl.when(pl.col("grain") == "month")
            .then(pl.lit("same month last year"))
            .otherwise(pl.lit("same week last year"))
        )
        .join(_metric_columns(), on="metric_id", how="left")
        .with_columns(_scope_order=pl.col("scope").replace_strict(scope_order, return_dtype=pl.UInt32))
        .sort("_scope_order", "_metric_order")
        .drop("_scope_order", "_metric_order")
    )


def with_last_year(rows: pl.DataFrame, before: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """`rows` (one per scope and metric) with year over year (SPEC 7):
    `last_year` (the comparable period's value), `last_year_start` (its
    first day; NULL when there is no comparable period, as for a week 53)
    and `change_year` (value − last_year, percentage points for a percent;
    NULL when either side is)."""
    schema = {"scope": pl.String, "metric_id": pl.String, "last_year": pl.Float64, "last_year_start": pl.Date}
    parts = [
        f.select(
            "scope",
            "metric_id",
            pl.col("value").alias("last_year"),
            pl.col("period_start").alias("last_year_start"),
        )
        for f in before
        if f.height
    ]
    comparable = pl.concat(parts, how="vertical_relaxed") if parts else pl.DataFrame(schema=schema)
    return rows.join(comparable, on=["scope", "metric_id"], how="left", maintain_order="left").with_columns(
        change_year=pl.col("value") - pl.col("last_year")
    )


LONG_TREND_WEEKS = 52  # a KPI's trend on its pillar page: a year of weeks
LONG_TREND_MONTHS = 12


def _trend_grid(metric_id: str, window: WeekWindow) -> Periods:
    if catalog.get(metric_id).monthly:  # calendar months on either calendar (workforce, ledger)
        return Periods.trend(window.month.end, LONG_TREND_MONTHS, "month")
    return Periods.trend(window.week.end, LONG_TREND_WEEKS, "week", window.week.cal)


def metric_trend(data: Dataset, metric_id: str, window: WeekWindow, scope_ids: Sequence[str]) -> pl.DataFrame:
    """A year of one metric up to the window's week: weekly (the weeks of
    the week's calendar), or monthly up to its latest whole month for a
    monthly metric. Grain: one row per (scope, period_start), with `name`;
    on a fiscal calendar's weeks also `period_label` (FY2026-W08), for the hover."""
    grid = _trend_grid(metric_id, window)
    rows = by_scope(data, metric_id, grid, scope_ids=scope_ids)
    if grid.grain == "week" and grid.cal != "iso":
        labels = {s: grid.calendar.week_label(s) for s in grid.starts()}
        rows = rows.with_columns(
            period_label=pl.col("period_start").replace_strict(labels, return_dtype=pl.String)
        )
    return rows


def metric_trend_last_year(
    data: Dataset, metric_id: str, window: WeekWindow, scope_ids: Sequence[str]
) -> pl.DataFrame:
    """Last year's line under `metric_trend`: for each of its periods, the
    comparable period of the previous year (the same week number of the
    previous ISO or fiscal year; the same month a year earlier), placed at
    this year's period (`period_start`) so the two lines share their x
    positions; `last_year_start` is when it really began. A week 53 has no
    comparable week: no row. Grain: one row per (scope, period_start)."""
    grid = _trend_grid(metric_id, window)
    if grid.grain == "week":
        cal = grid.calendar
        pairs = {s: found[0] for s in grid.starts() if (found := cal.comparable_week(s)) is not None}
        if not pairs:
            return (
                by_scope(data, metric_id, grid, scope_ids=scope_ids)
                .head(0)
                .with_columns(last_year_start=pl.col("period_start"))
            )
        first = min(pairs.values())
        before = Periods(first, max(pairs.values()) + dt.timedelta(days=7), "week", cal=cal.name)
    else:
        pairs = {s: add_months(s, -12) for s in grid.starts()}
        before = Periods(add_months(grid.start, -12), add_months(grid.range_end, -12), "month")
    rows = by_scope(data, metric_id, before, scope_ids=scope_ids)
    at = pl.DataFrame(
        {"period_start": list(pairs), "last_year_start": list(pairs.values())},
        schema={"period_start": pl.Date, "last_year_start": pl.Date},
    )
    return (
        rows.rename({"period_start": "last_year_start"})
        .join(at, on="last_year_start", how="inner")
        .sort("scope", "period_start")
    )


def period_label(grain: str, start: dt.date, cal: Calendar | None = None) -> str:
    """'week 2026-W10' (or 'week FY2025-W07') or 'February 2026 (latest whole month)'."""
    if grain == "month":
        return f"{formatting.month_name(start)} (latest whole month)"
    return f"week {(cal or ISO).week_label(start)}"


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
