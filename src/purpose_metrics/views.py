"""Page-level computations of the dashboard: pure functions over a Dataset.

Every number here comes from `metrics.kpi_frame` (one definition, one
number); this module only chooses the periods, shapes the rows a page shows
and says what they mean (needs attention, differs beyond intervals). No
Streamlit: the ui/ package caches these and pages render them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from . import catalog, formatting, privacy
from .catalog import Metric
from .metrics.cohorts import cohorts
from .metrics.dataset import Dataset, Filters
from .metrics.engine import kpi_frame
from .periods import Periods, add_months, latest_complete_week, month_start, week_label, week_start

# The dashboard groups metrics into four pillars (the catalog has five, finer
# ones): NPS is how customers judge our serving them; cause and donations sit
# with the planet and community metrics they fund.
DASHBOARD_PILLARS: dict[str, tuple[str, ...]] = {
    "Loyalty": tuple(m.id for m in catalog.METRICS if m.pillar == "Loyalty"),
    "Customer purpose": (*(m.id for m in catalog.METRICS if m.pillar == "Customer purpose"), "nps"),
    "People": tuple(m.id for m in catalog.METRICS if m.pillar == "People"),
    "Planet and community": (
        "cause_participation_rate",
        "customer_donations",
        *(m.id for m in catalog.METRICS if m.pillar == "Impact"),
    ),
}
PILLAR_OF: dict[str, str] = {mid: p for p, ids in DASHBOARD_PILLARS.items() for mid in ids}
METRIC_ORDER: tuple[str, ...] = tuple(mid for ids in DASHBOARD_PILLARS.values() for mid in ids)

TREND_STEPS = 12  # weeks (or months) on a card's sparkline and the home trend
COMPANY_LABEL = "Company"
SPANS: dict[str, int] = {"1 week": 1, "4 weeks": 4, "13 weeks": 13, "26 weeks": 26, "52 weeks": 52}
# Needs attention: how far below target, as a share of |target|; a target of
# 0 (an NPS of 0, say) has no size, so points and percentages are measured
# against their 0-100 scale instead and other units against 1.
_ZERO_TARGET_SCALE = {"pct": 100.0, "points": 100.0}
_STATUS_RANK = {"red": 0, "amber": 1, "green": 2}


# --- scopes, names and purposes ------------------------------------------------------


def scopes(data: Dataset) -> list[str]:
    """'company' then every brand by brand_id (the engine's order)."""
    return ["company", *data.brand_ids]


def scope_names(data: Dataset) -> dict[str, str]:
    brands = data["brands"].select("brand_id", "name").collect()
    return {"company": COMPANY_LABEL, **dict(zip(brands["brand_id"], brands["name"], strict=True))}


def company_info(data: Dataset) -> dict:
    """The company row (name, purpose_statement, currency ...); {} when absent."""
    rows = data["company"].collect()
    return rows.row(0, named=True) if rows.height else {}


def currency(data: Dataset) -> str:
    return company_info(data).get("currency") or ""


def purposes(data: Dataset, scope: str) -> tuple[str | None, str | None]:
    """(Big-P of the company, Medium-P of the brand — None for the company)."""
    big = company_info(data).get("purpose_statement")
    if scope == "company":
        return big, None
    row = data["brands"].filter(pl.col("brand_id") == scope).select("purpose_statement").collect()
    return big, (row.item() if row.height else None)


def has_data(data: Dataset) -> bool:
    """Whether there is any order to anchor weeks on."""
    return data.as_of is not None


def dashboard_kpis(
    data: Dataset,
    periods: Periods,
    scope_ids: Sequence[str],
    metric_ids: Sequence[str],
    filters: Filters = Filters(),
) -> pl.DataFrame:
    """`kpi_frame` as the dashboard may show it: employee-survey values that
    would let a group below the anonymity minimum be recovered by
    subtraction are withheld too (privacy.protect). Same grain and columns."""
    rows = kpi_frame(data, periods, scope_ids, metric_ids, filters)
    if not set(metric_ids) & set(privacy.EMPLOYEE_ITEMS):
        return rows
    return privacy.protect(rows, data["employee_surveys"], data.brand_ids)


# --- weeks ---------------------------------------------------------------------------


def default_week(data: Dataset) -> str:
    """The latest complete ISO week before the as-of instant."""
    start, _ = latest_complete_week(data.as_of)
    return week_label(start)


def available_weeks(data: Dataset) -> list[str]:
    """Every ISO week from the first order's to the latest complete one, latest first."""
    if data.as_of is None:
        return []
    first = data.first_order_at  # the frames may hold only a range of orders
    if first is None:
        first = data["orders"].select(pl.col("ordered_at").min()).collect().item()
    last_start, _ = latest_complete_week(data.as_of)
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


# --- the week's KPIs -------------------------------------------------------------------


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


LONG_TREND_WEEKS = 52  # the home page's trend chart: a year of weeks
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
    return scope_trends(data, metric_id, grid, scope_ids=scope_ids)


def period_label(grain: str, start: dt.date) -> str:
    """'week 2026-W10' or 'February 2026 (latest whole month)'."""
    if grain == "month":
        return f"{formatting.month_name(start)} (latest whole month)"
    return f"week {week_label(start)}"


def _severity() -> tuple[pl.Expr, pl.Expr]:
    """How far below target, as a share of |target| (see _ZERO_TARGET_SCALE)."""
    up = pl.col("direction") == "up"
    shortfall = (
        pl.when(up).then(pl.col("target") - pl.col("value")).otherwise(pl.col("value") - pl.col("target"))
    )
    zero_scale = pl.col("fmt").replace_strict(_ZERO_TARGET_SCALE, default=1.0, return_dtype=pl.Float64)
    size = pl.when(pl.col("target").abs() > 0).then(pl.col("target").abs()).otherwise(zero_scale)
    return (shortfall / size).alias("severity"), shortfall.alias("shortfall")


def attention(kpis: pl.DataFrame, scope_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """The KPIs that are red or amber, worst first.

    Grain: one row per (scope, metric_id) off or near target. Worst first:
    red before amber, then by `severity` (shortfall ÷ |target|).
    """
    rows = kpis if scope_ids is None else kpis.filter(pl.col("scope").is_in(list(scope_ids)))
    severity, shortfall = _severity()
    return (
        rows.filter(pl.col("status").is_in(["red", "amber"]))
        .with_columns(
            severity, shortfall, _rank=pl.col("status").replace_strict(_STATUS_RANK, return_dtype=pl.UInt8)
        )
        .sort("_rank", "severity", descending=[False, True])
        .drop("_rank")
    )


def scope_summary(kpis: pl.DataFrame, scope_ids: Sequence[str]) -> pl.DataFrame:
    """Per scope: how many KPIs are red, amber, green, and the worst one.

    Grain: one row per scope in `scope_ids` order (scopes with no target
    have zeros and no worst KPI).
    """
    counts = (
        kpis.filter(pl.col("scope").is_in(list(scope_ids)))
        .group_by("scope")
        .agg(
            (pl.col("status") == "red").sum().alias("red"),
            (pl.col("status") == "amber").sum().alias("amber"),
            (pl.col("status") == "green").sum().alias("green"),
        )
    )
    worst = (
        attention(kpis, scope_ids)
        .group_by("scope", maintain_order=True)
        .first()
        .select(
            "scope",
            pl.col("metric_id").alias("worst_metric"),
            pl.col("value").alias("worst_value"),
            pl.col("target").alias("worst_target"),
            pl.col("status").alias("worst_status"),
            pl.col("severity").alias("worst_severity"),
        )
    )
    base = pl.DataFrame({"scope": list(scope_ids), "_order": list(range(len(scope_ids)))})
    return (
        base.join(counts, on="scope", how="left")
        .join(worst, on="scope", how="left")
        .with_columns(pl.col("red", "amber", "green").fill_null(0))
        .sort("_order")
        .drop("_order")
    )


def furthest_below(kpis: pl.DataFrame, scope_ids: Sequence[str]) -> dict | None:
    """The single worst KPI among `scope_ids` (a row as a dict), or None."""
    rows = attention(kpis, scope_ids)
    return rows.row(0, named=True) if rows.height else None


def headline_kpi(kpis: pl.DataFrame, scope: str, scope_ids: Sequence[str]) -> dict | None:
    """The KPI the home page leads with: for the company view, the worst of
    any brand (the company's own when no brand is off target); for a brand,
    its worst."""
    if scope != "company":
        return furthest_below(kpis, [scope])
    brands = [s for s in scope_ids if s != "company"]
    return furthest_below(kpis, brands) or furthest_below(kpis, ["company"])


# --- initiatives ---------------------------------------------------------------------


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


# --- brands and segments -------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonWindow:
    """The period brands are compared over, and the trend grid around it."""

    period: Periods
    trend: Periods
    label: str
    monthly: bool


def comparison_window(week: str, span_weeks: int, metric: Metric) -> ComparisonWindow:
    """`span_weeks` whole weeks ending with `week`; for a monthly metric the
    whole months ending by the week's end (a week never holds a month)."""
    end_week = Periods.week(week)
    if metric.monthly:
        months = max(1, round(span_weeks * 7 / 30.44))
        end = month_start(end_week.end)
        start = add_months(end, -months)
        first, last = formatting.month_name(start), formatting.month_name(add_months(end, -1))
        span = first if months == 1 else f"{first} – {last}"
        return ComparisonWindow(
            Periods(start, end),
            Periods.trend(end, max(months, TREND_STEPS), "month"),
            f"{months} whole month{'s' if months > 1 else ''}: {span}",
            monthly=True,
        )
    start = end_week.end - dt.timedelta(days=7 * span_weeks)
    weeks = "week" if span_weeks == 1 else f"{span_weeks} weeks"
    first = week_label(start)
    label = f"{weeks} {first}" if span_weeks == 1 else f"{weeks} {first} – {week}"
    return ComparisonWindow(
        Periods(start, end_week.end),
        Periods.trend(end_week.end, max(span_weeks, TREND_STEPS), "week"),
        f"{label} ({formatting.week_range(start, end_week.end)})",
        monthly=False,
    )


def compare_scopes(
    data: Dataset,
    metric_id: str,
    period: Periods,
    filters: Filters = Filters(),
    scope_ids: Sequence[str] | None = None,
) -> pl.DataFrame:
    """The metric for every scope over one period, with its 95 % interval.

    Grain: one row per scope (company first, then brands), with `name`.
    """
    scope_ids = list(scope_ids) if scope_ids is not None else scopes(data)
    names = scope_names(data)
    return dashboard_kpis(data, period, scope_ids, [metric_id], filters).with_columns(
        name=pl.col("scope").replace_strict(names, default=pl.col("scope"), return_dtype=pl.String)
    )


def scope_trends(
    data: Dataset,
    metric_id: str,
    grid: Periods,
    filters: Filters = Filters(),
    scope_ids: Sequence[str] | None = None,
) -> pl.DataFrame:
    """The metric on a weekly or monthly grid. Grain: one row per (scope, period_start)."""
    scope_ids = list(scope_ids) if scope_ids is not None else scopes(data)
    names = scope_names(data)
    return dashboard_kpis(data, grid, scope_ids, [metric_id], filters).with_columns(
        name=pl.col("scope").replace_strict(names, default=pl.col("scope"), return_dtype=pl.String)
    )


def has_values(frame: pl.DataFrame) -> bool:
    """Whether any row has a value to plot."""
    return frame.height > 0 and frame.get_column("value").is_not_null().any()


def _unusable(row: dict, metric: Metric, currency_code: str) -> str | None:
    if row["value"] is None or row["suppressed"] or row["immature"]:
        return formatting.value_text(
            metric,
            row["value"],
            currency_code,
            n=row["n"],
            suppressed=row["suppressed"],
            immature=row["immature"],
        )
    return None


def pairwise(comparison: pl.DataFrame, metric: Metric, currency_code: str = "") -> pl.DataFrame:
    """Every pair of brands: do they differ beyond their 95 % intervals?

    Grain: one row per unordered pair of brands (the company is left out: it
    contains them). `verdict` is one of "differs", "overlap" (the intervals
    overlap: no clear difference), "no interval" (the metric has none) or
    "cannot compare" (a value is missing, suppressed or immature); `note`
    says it in words. Differing pairs first, largest gap first.
    """
    brands = comparison.filter(pl.col("scope") != "company").to_dicts()
    out = []
    for a, b in itertools.combinations(brands, 2):
        if a["value"] is not None and b["value"] is not None and b["value"] > a["value"]:
            a, b = b, a  # the higher first: A − B reads as a gap, not a sign puzzle
        why = _unusable(a, metric, currency_code) or _unusable(b, metric, currency_code)
        diff = None if why else a["value"] - b["value"]
        if why:
            missing = a if _unusable(a, metric, currency_code) else b
            verdict, note = (
                "cannot compare",
                f"{missing['name']}: {_unusable(missing, metric, currency_code)}",
            )
        elif metric.interval is None or None in (a["ci_low"], a["ci_high"], b["ci_low"], b["ci_high"]):
            verdict, note = "no interval", "this metric has no interval: the gap may be noise"
        elif a["ci_low"] > b["ci_high"] or b["ci_low"] > a["ci_high"]:
            hi, lo = (a, b) if diff > 0 else (b, a)
            verdict, note = "differs", f"{hi['name']} higher, beyond both 95 % intervals"
        else:
            verdict, note = "overlap", "the 95 % intervals overlap"
        out.append(
            {
                "brand_a": a["name"], "brand_b": b["name"],
                "value_a": a["value"], "value_b": b["value"],
                "low_a": a["ci_low"], "high_a": a["ci_high"], "low_b": b["ci_low"], "high_b": b["ci_high"],
                "difference": diff, "verdict": verdict, "note": note,
            }
        )  # fmt: skip
    schema = {
        "brand_a": pl.String, "brand_b": pl.String, "value_a": pl.Float64, "value_b": pl.Float64,
        "low_a": pl.Float64, "high_a": pl.Float64, "low_b": pl.Float64, "high_b": pl.Float64,
        "difference": pl.Float64, "verdict": pl.String, "note": pl.String,
    }  # fmt: skip
    order = {"differs": 0, "overlap": 1, "no interval": 2, "cannot compare": 3}
    return (
        pl.DataFrame(out, schema=schema)
        .with_columns(_rank=pl.col("verdict").replace_strict(order, return_dtype=pl.UInt8))
        .sort("_rank", pl.col("difference").abs(), descending=[False, True], nulls_last=True)
        .drop("_rank")
    )


def pairwise_display(pairs: pl.DataFrame, metric: Metric, currency_code: str) -> pl.DataFrame:
    """The pairs as a person reads them: each brand's value with its
    interval, the gap, and the verdict in words."""

    def shown(value: float | None, low: float | None, high: float | None) -> str:
        if value is None:
            return "—"
        ci = formatting.interval_text(metric, low, high, currency_code)
        text = formatting.value_text(metric, value, currency_code)
        return f"{text}  [{ci}]" if ci else text

    verdict_words = {
        "differs": "✔ differs: ",
        "overlap": "≈ no clear difference: ",
        "no interval": "? ",
        "cannot compare": "— cannot compare: ",
    }
    rows = [
        {
            "Brand A": r["brand_a"],
            "A [95 % interval]": shown(r["value_a"], r["low_a"], r["high_a"]),
            "Brand B": r["brand_b"],
            "B [95 % interval]": shown(r["value_b"], r["low_b"], r["high_b"]),
            "A − B": formatting.change_text(metric, r["difference"], currency_code) or "",
            "Verdict": verdict_words[r["verdict"]] + r["note"],
        }
        for r in pairs.iter_rows(named=True)
    ]
    columns = ["Brand A", "A [95 % interval]", "Brand B", "B [95 % interval]", "A − B", "Verdict"]
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String))


def no_values_reason(rows: pl.DataFrame, metric: Metric) -> str:
    """Why nothing can be plotted, in words (rows hold no value)."""
    if rows.height == 0:
        return "there is no data"
    where = "the period" if rows.get_column("period_start").n_unique() == 1 else "every week or month shown"
    if rows.get_column("suppressed").all():
        return f"{where} has fewer than {metric.survey_min} answers, so the value is suppressed"
    if rows.get_column("immature").all():
        return "no value is measurable yet (the 90 days after these weeks have not passed)"
    if (rows.get_column("suppressed") | rows.get_column("immature")).any():
        return "the values that exist are suppressed or not yet measurable"
    return "there is no data"


def filter_options(data: Dataset) -> dict[str, list[str]]:
    """The values each segment filter can take, from the data."""

    return {
        "channel": data.distinct("orders", "channel"),
        "region": data.distinct("customers", "region"),
        "segment": data.distinct("customers", "segment"),
    }


# Ledger metrics divided by orders: a filter narrows the orders, not the ledger.
_PER_ORDER_LEDGER = {"ghg_intensity", "energy_intensity"}


def filter_note(metric: Metric, filters: Filters) -> str | None:
    """Which of the chosen filters cannot apply to this metric, in words."""
    if filters.is_empty():
        return None
    if metric.id in _PER_ORDER_LEDGER:
        return f"Filters narrow the orders {metric.label} is divided by, not the ledger's totals."
    if metric.source in ("employees", "workforce", "ledger"):
        source = _SOURCE_WORDS[metric.source]
        return f"Segment filters do not apply to {metric.label}: it comes from {source}."
    if filters.channel and metric.source in ("surveys", "tickets", "messages"):
        return f"The channel filter applies to orders only, not to {_SOURCE_WORDS[metric.source]}."
    return None


_SOURCE_WORDS = {
    "employees": "employee surveys",
    "workforce": "workforce snapshots",
    "ledger": "the monthly impact ledger",
    "surveys": "customer surveys",
    "tickets": "support tickets",
    "messages": "marketing messages",
}


# --- pillar pages -------------------------------------------------------------------------

STATUS_MARKS = {"green": "✔", "amber": "△", "red": "✖"}  # a shape for each status, not colour alone


def scope_matrix(
    kpis: pl.DataFrame,
    metric_ids: Sequence[str],
    scope_ids: Sequence[str],
    names: dict[str, str],
    currency_code: str,
) -> pl.DataFrame:
    """Every scope's value of each metric, side by side, as text.

    Grain: one row per metric (in `metric_ids` order), one column per scope;
    a value carries its status mark (✔ on, △ near, ✖ off target).
    """
    out = []
    for metric_id in metric_ids:
        metric = catalog.get(metric_id)
        cells = {"Metric": formatting.card_label(metric)}
        rows = {r["scope"]: r for r in kpis.filter(pl.col("metric_id") == metric_id).iter_rows(named=True)}
        for scope in scope_ids:
            r = rows.get(scope)
            if r is None:
                cells[names.get(scope, scope)] = formatting.NO_DATA
                continue
            text = formatting.value_text(
                metric,
                r["value"],
                currency_code,
                n=r["n"],
                suppressed=r["suppressed"],
                immature=r["immature"],
                with_unit=False,  # the unit is in the row's label
            )
            mark = STATUS_MARKS.get(r["status"] or "")
            cells[names.get(scope, scope)] = f"{text} {mark}" if mark else text
        out.append(cells)
    columns = ["Metric", *(names.get(s, s) for s in scope_ids)]
    return pl.DataFrame(out, schema=dict.fromkeys(columns, pl.String))


def purpose_by_category(data: Dataset, period: Periods, scope: str) -> pl.DataFrame:
    """`purpose_achieved_rate` split by what customers came to do.

    Grain: one row per customer_purpose category (answers without a
    category count in the overall value only); each category is suppressed
    on its own below the survey minimum. `name` is the category in words.
    """
    categories = data.distinct("customer_surveys", "customer_purpose")
    frames = [
        kpi_frame(
            data, period, [scope], ["purpose_achieved_rate"], Filters(customer_purpose=(category,))
        ).with_columns(name=pl.lit(category.replace("_", " ").capitalize()))
        for category in categories
    ]
    if not frames:
        return compare_scopes(data, "purpose_achieved_rate", period, scope_ids=[scope]).head(0)
    return pl.concat(frames)


TEAM_METRICS: tuple[str, ...] = tuple(privacy.EMPLOYEE_ITEMS)  # the survey metrics shown per team
COMPANY_WIDE_LABEL = "Company-wide"


def team_kpis(data: Dataset, period: Periods, scope: str) -> pl.DataFrame:
    """Employee-survey metrics per team of the scope (for the company: every
    brand's teams and the company-wide functions'), over one period.

    Grain: one row per (team, metric_id) with the kpi_frame columns plus
    `brand_id` and `team`; teams with an answer in the period, by brand then
    team. Each team is computed by the engine as a scope of its own, then
    what would reveal a small group is withheld (privacy.protect).
    """
    responses = data["employee_surveys"]
    mine = responses if scope == "company" else responses.filter(pl.col("brand_id") == scope)
    start, end = (
        dt.datetime.combine(period.start, dt.time()),
        dt.datetime.combine(period.range_end, dt.time()),
    )
    teams = (
        mine.filter((pl.col("submitted_at") >= start) & (pl.col("submitted_at") < end))
        .select("brand_id", "team")
        .unique()
        .sort("brand_id", "team", nulls_last=True)
        .collect()
        .with_row_index("_i")
        .with_columns(_key=pl.format("team-{}", pl.col("_i")))
    )
    columns = {"brand_id": pl.String, "team": pl.String}
    if teams.height == 0:
        return (
            kpi_frame(data, period, [scope], TEAM_METRICS)
            .head(0)
            .with_columns(pl.lit(None, pl.String).alias(c) for c in columns)
        )
    # Each team becomes a "brand" of its own: one engine pass for all of them.
    relabeled = (
        mine.join(teams.lazy().select("brand_id", "team", "_key"), on=["brand_id", "team"], nulls_equal=True)
        .with_columns(brand_id=pl.col("_key"))
        .drop("_key")
    )
    keys = teams.get_column("_key").to_list()
    team_data = Dataset(
        {
            "employee_surveys": relabeled,
            "brands": pl.LazyFrame({"brand_id": keys}).with_columns(
                name=pl.col("brand_id"), purpose_statement=pl.lit(None, pl.String)
            ),
        },
        as_of=data.as_of,
    )
    rows = kpi_frame(team_data, period, keys, TEAM_METRICS)
    groups = {k: privacy.team_key(b, t) for k, b, t in teams.select("_key", "brand_id", "team").iter_rows()}
    rows = privacy.protect(rows, responses, data.brand_ids, scope_keys=groups)
    return rows.join(
        teams.select("_key", *columns), left_on="scope", right_on="_key", how="left", maintain_order="left"
    )


def team_matrix(rows: pl.DataFrame, names: dict[str, str], with_brand: bool) -> pl.DataFrame:
    """team_kpis as a person reads it. Grain: one row per team; a column per
    metric (value, or why it is not shown) and the answers behind it."""
    out = []
    for (brand_id, team), part in rows.group_by("brand_id", "team", maintain_order=True):
        label = team.replace("_", " ").capitalize()
        if with_brand:
            label = f"{names.get(brand_id, brand_id) if brand_id else COMPANY_WIDE_LABEL} · {label}"
        cells = {"Team": label}
        for r in part.iter_rows(named=True):
            metric = catalog.get(r["metric_id"])
            cells[metric.label] = formatting.value_text(
                metric, r["value"], "", n=r["n"], suppressed=r["suppressed"], immature=r["immature"]
            )
        cells["Answers"] = f"{int(part.get_column('n').max() or 0):,}"
        out.append(cells)
    columns = ["Team", *(catalog.get(m).label for m in TEAM_METRICS), "Answers"]
    return pl.DataFrame(out, schema=dict.fromkeys(columns, pl.String))


def sales_lift_inputs(kpis: pl.DataFrame, scope: str) -> tuple[int, float | None]:
    """(the week's active customers, its average unit retail) for a scope:
    the starting point of the sales-lift scenario."""
    rows = {
        r["metric_id"]: r["value"]
        for r in kpis.filter(
            (pl.col("scope") == scope) & pl.col("metric_id").is_in(["active_customers", "aur"])
        ).iter_rows(named=True)
    }
    return int(rows.get("active_customers") or 0), rows.get("aur")


COHORTS_SHOWN = 12  # the latest cohorts on the retention grid
COHORT_STEPS = 12  # periods after the first order


def cohort_grid(data: Dataset, grain: str, scope: str, end: dt.date) -> pl.DataFrame:
    """Retention of the cohorts of the COHORTS_SHOWN weeks (months) ending
    with the last whole one by `end` (a week's end).

    Grain: one row per (cohort, period_index) with period_index
    0…COHORT_STEPS (docs/metrics.md#cohorts); cells past the data's as-of
    instant are left out by the engine.
    """
    if grain == "week":
        last = week_start(end - dt.timedelta(days=1))
        since = last - dt.timedelta(days=7 * (COHORTS_SHOWN - 1))
        end_label = week_label(last)
    else:  # the latest month that is whole by `end`
        last = add_months(month_start(end), -1)
        since = add_months(last, -(COHORTS_SHOWN - 1))
        end_label = f"{last:%Y-%m}"
    grid = cohorts(data, grain, [scope], since=since)  # type: ignore[arg-type]
    return grid.filter((pl.col("cohort") <= end_label) & (pl.col("period_index") <= COHORT_STEPS))


# --- definitions ------------------------------------------------------------------------


def definitions(pillar: str | None = None) -> pl.DataFrame:
    """The catalog as a person reads it, optionally one dashboard pillar.
    Grain: one row per metric, in the dashboard's order."""
    interval_words = {"wilson": "95 % Wilson", "nps": "95 % (NPS)", None: "none"}
    ids = DASHBOARD_PILLARS[pillar] if pillar else METRIC_ORDER
    rows = []
    for m in (catalog.get(mid) for mid in ids):
        standards = " · ".join(s for s in (m.gri, f"SDG {m.sdg}" if m.sdg else None) if s)
        rows.append(
            {
                "Pillar": PILLAR_OF[m.id],
                "Metric": m.label,
                "id": m.id,
                "Unit": m.unit,
                "Better": "higher" if m.direction == "up" else "lower",
                "Definition": m.definition
                + (" Monthly: a week shows the latest whole month." if m.monthly else ""),
                "n counts": m.population + (f" (suppressed below {m.survey_min})" if m.survey_min else ""),
                "Interval": interval_words[m.interval],
                "Standards": standards,
            }
        )
    return pl.DataFrame(rows)
