"""Brands and segments: one metric for every scope over a period or a grid,
which pairs of brands differ beyond their intervals, the filters and what
they do not reach, and every scope's values side by side."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from .. import catalog, formatting
from ..catalog import Metric
from ..metrics.dataset import UNKNOWN, UNKNOWN_LABEL, Dataset, Filters
from ..periods import Period, Periods, add_months, month_start
from .common import TREND_STEPS, dashboard_kpis, scope_names, scopes


@dataclass(frozen=True)
class ComparisonWindow:
    """The period brands are compared over, the trend grid around it, and
    the period of the same length just before it (what "vs" compares with).

    `key` names the period in file names; `trend_to` names the trend's last
    week or month ("2026-W25", "June 2026"); `compared` says what
    `previous` is ("previous 13 weeks", "previous month")."""

    period: Periods
    trend: Periods
    label: str
    monthly: bool
    previous: Periods | None = None
    previous_label: str = ""
    compared: str = ""
    key: str = ""
    trend_to: str = ""


def comparison_window(week: str, span_weeks: int, metric: Metric) -> ComparisonWindow:
    """`span_weeks` whole weeks ending with `week`; for a monthly metric the
    whole months ending by the week's end (a week never holds a month)."""
    end_week = Periods.week(week)
    key = f"{week}_{span_weeks}w"
    if metric.monthly:
        months = max(1, round(span_weeks * 7 / 30.44))
        end = month_start(end_week.end)
        start = add_months(end, -months)
        before = add_months(start, -months)
        return ComparisonWindow(
            Periods(start, end),
            Periods.trend(end, max(months, TREND_STEPS), "month"),
            _months_label(start, months),
            monthly=True,
            previous=Periods(before, start),
            previous_label=_months_label(before, months),
            compared=f"previous {months} month{'s' if months > 1 else ''}",
            key=key,
            trend_to=formatting.month_name(add_months(end, -1)),
        )
    start = end_week.end - dt.timedelta(days=7 * span_weeks)
    before = start - dt.timedelta(days=7 * span_weeks)
    cal = end_week.calendar  # the week's own calendar (ISO or fiscal)
    return ComparisonWindow(
        Periods(start, end_week.end, cal=end_week.cal),
        Periods.trend(end_week.end, max(span_weeks, TREND_STEPS), "week", end_week.cal),
        _weeks_label(start, end_week.end, span_weeks, cal),
        monthly=False,
        previous=Periods(before, start, cal=end_week.cal),
        previous_label=_weeks_label(before, start, span_weeks, cal),
        compared="previous week" if span_weeks == 1 else f"previous {span_weeks} weeks",
        key=key,
        trend_to=week,
    )


def _months_label(start: dt.date, months: int) -> str:
    """'3 whole months: December 2025 – February 2026'."""
    first, last = formatting.month_name(start), formatting.month_name(add_months(start, months - 1))
    span = first if months == 1 else f"{first} – {last}"
    return f"{months} whole month{'s' if months > 1 else ''}: {span}"


def _weeks_label(start: dt.date, end: dt.date, span_weeks: int, cal) -> str:
    """'13 weeks 2026-W13 – 2026-W25 (23 Mar – 21 Jun 2026)' (weeks named by
    `cal`, a calendars.Calendar: FY2026-W08 on the retail calendar)."""
    first = cal.week_label(start)
    if span_weeks == 1:
        label = f"week {first}"
    else:
        label = f"{span_weeks} weeks {first} – {cal.week_label(cal.week_start(end - dt.timedelta(days=1)))}"
    return f"{label} ({formatting.week_range(start, end)})"


def period_window(period: Period, metric: Metric) -> ComparisonWindow:
    """A month, quarter, year to date or custom range (`periods.Period`):
    brands over exactly its days — `purpose-metrics kpis --from START --to
    END` — and against `period.previous()`. A monthly metric counts the
    whole months inside the days (none in a short range). The trend runs
    in months for a month, quarter, year or a monthly metric, else in
    weeks: at least TREND_STEPS of them, and as many as the period holds."""
    monthly = metric.monthly or period.trend_grain == "month"
    grid = Periods(period.start, period.end, cal=period.cal)
    cal = period.calendar  # the period's own calendar (ISO or fiscal)
    if monthly:
        steps = len(Periods(cal.month_start(period.start), period.end, "month", cal=period.cal).starts())
        trend = Periods.trend(period.end, max(steps, TREND_STEPS), "month", period.cal)
        last = trend.starts()[-1]
        trend_to = cal.month_label(last) if cal.nrf else formatting.month_name(last)
    else:
        steps = len(Periods(cal.week_start(period.start), period.end, "week", cal=period.cal).starts())
        trend = Periods.trend(period.end, max(steps, TREND_STEPS), "week", period.cal)
        trend_to = cal.week_label(trend.starts()[-1])
    previous = period.previous()
    return ComparisonWindow(
        grid,
        trend,
        period.label,
        monthly=monthly,
        previous=previous.periods,
        previous_label=previous.label,
        compared=period.compared,
        key=period.key.replace("..", "_"),
        trend_to=trend_to,
    )


def by_scope(
    data: Dataset,
    metric_id: str,
    periods: Periods,
    filters: Filters = Filters(),
    scope_ids: Sequence[str] | None = None,
) -> pl.DataFrame:
    """One metric for every scope (company first, then brands) over one
    period or a weekly or monthly grid, with its 95 % interval and the
    scope's `name`. Grain: one row per (scope, period_start)."""
    scope_ids = list(scope_ids) if scope_ids is not None else scopes(data)
    names = scope_names(data)
    return dashboard_kpis(data, periods, scope_ids, [metric_id], filters).with_columns(
        name=pl.col("scope").replace_strict(names, default=pl.col("scope"), return_dtype=pl.String)
    )


def _unusable(row: dict, metric: Metric, currency_code: str) -> str | None:
    if row["value"] is None or row["suppressed"] or row["immature"]:
        return formatting.kpi_text(metric, row, currency_code)
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


VERSUS_COLUMNS = {
    "scope": pl.String, "name": pl.String, "value": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64,
    "n": pl.Int64, "previous": pl.Float64, "previous_low": pl.Float64, "previous_high": pl.Float64,
    "previous_n": pl.Int64, "change": pl.Float64, "verdict": pl.String, "note": pl.String,
}  # fmt: skip


def versus_previous(
    now: pl.DataFrame, before: pl.DataFrame, metric: Metric, currency_code: str = ""
) -> pl.DataFrame:
    """Each scope against itself over the previous period (`by_scope` rows of
    both). Grain: one row per scope, in `now`'s order. `verdict`: "moved"
    (the two 95 % intervals do not overlap: the change is not noise),
    "within noise" (they overlap), "no interval" (the metric has none) or
    "cannot compare" (a value is missing, suppressed or immature); `note`
    says it in words."""
    earlier = {r["scope"]: r for r in before.iter_rows(named=True)}
    out = []
    for r in now.iter_rows(named=True):
        b = earlier.get(r["scope"])
        why = _unusable(r, metric, currency_code)
        why_before = _unusable(b, metric, currency_code) if b is not None else "no data"
        if why or why_before:
            verdict = "cannot compare"
            note = f"this period: {why}" if why else f"the previous period: {why_before}"
        elif metric.interval is None or None in (r["ci_low"], r["ci_high"], b["ci_low"], b["ci_high"]):
            verdict, note = "no interval", "this metric has no interval: the change may be noise"
        elif r["ci_low"] > b["ci_high"] or b["ci_low"] > r["ci_high"]:
            verdict, note = (
                "moved",
                f"{'up' if r['value'] > b['value'] else 'down'}, beyond both 95 % intervals",
            )
        else:
            verdict, note = "within noise", "the 95 % intervals overlap"
        usable = not (why or why_before)
        out.append(
            {
                "scope": r["scope"], "name": r["name"], "value": r["value"], "ci_low": r["ci_low"],
                "ci_high": r["ci_high"], "n": r["n"],
                "previous": b["value"] if b else None, "previous_low": b["ci_low"] if b else None,
                "previous_high": b["ci_high"] if b else None, "previous_n": b["n"] if b else None,
                "change": r["value"] - b["value"] if usable else None, "verdict": verdict, "note": note,
            }
        )  # fmt: skip
    return pl.DataFrame(out, schema=VERSUS_COLUMNS)


def versus_display(rows: pl.DataFrame, metric: Metric, currency_code: str, compared: str) -> pl.DataFrame:
    """`versus_previous` as a person reads it: each scope now and over the
    previous period (`compared`: "previous 13 weeks"), with intervals and n
    (for an estimate),
    the change, and the verdict in words."""

    def shown(value: float | None, low: float | None, high: float | None, n: int | None) -> str:
        if value is None:
            return "—"
        ci = formatting.interval_text(metric, low, high, currency_code)
        text = formatting.value_text(metric, value, currency_code)
        # An estimate's sample size says how far to trust it (a count is its own n).
        sized = metric.interval is not None and n is not None
        return (f"{text}  [{ci}]" if ci else text) + (f" · n = {n:,}" if sized else "")

    words = {"moved": "✔ moved: ", "within noise": "≈ within noise: ", "no interval": "? ",
             "cannot compare": "— cannot compare: "}  # fmt: skip
    before = compared[:1].upper() + compared[1:]
    columns = [
        "Company or brand",
        "This period [95 % interval]",
        f"{before} [95 % interval]",
        "Change",
        "Verdict",
    ]
    return pl.DataFrame(
        [
            dict(
                zip(
                    columns,
                    (
                        r["name"],
                        shown(r["value"], r["ci_low"], r["ci_high"], r["n"]),
                        shown(r["previous"], r["previous_low"], r["previous_high"], r["previous_n"]),
                        formatting.change_text(metric, r["change"], currency_code) or "",
                        words[r["verdict"]] + r["note"],
                    ),
                    strict=True,
                )
            )  # fmt: skip
            for r in rows.iter_rows(named=True)
        ],
        schema=dict.fromkeys(columns, pl.String),
    )


def filter_options(data: Dataset) -> dict[str, list[str | None]]:
    """The values each segment filter can take, from the data. Region,
    segment and customer purpose end with UNKNOWN ("Unknown / guest": guests,
    customers without the attribute, responses stating no purpose), so that
    every value selected keeps every row; a filter with no value in the data
    offers nothing."""

    def with_unknown(values: list[str]) -> list[str | None]:
        return [*values, UNKNOWN] if values else []

    return {
        "channel": data.distinct("orders", "channel"),
        "region": with_unknown(data.distinct("customers", "region")),
        "segment": with_unknown(data.distinct("customers", "segment")),
        "customer_purpose": with_unknown(data.distinct("customer_surveys", "customer_purpose")),
    }


# Ledger metrics divided by orders: a filter narrows the orders, not the ledger.
_PER_ORDER_LEDGER = {"ghg_intensity", "energy_intensity"}


def filter_note(metric: Metric, filters: Filters) -> str | None:
    """Which of the chosen filters cannot apply to this metric, and which
    rows a filter leaving out "Unknown / guest" leaves out, in words."""
    if filters.is_empty():
        return None
    notes = []
    if metric.id in _PER_ORDER_LEDGER:
        notes.append(f"Filters narrow the orders {metric.label} is divided by, not the ledger's totals.")
    elif metric.source in ("employees", "workforce", "ledger"):
        source = _SOURCE_WORDS[metric.source]
        return f"Segment filters do not apply to {metric.label}: it comes from {source}."
    if filters.channel and metric.source in ("surveys", "tickets", "messages"):
        notes.append(f"The channel filter applies to orders only, not to {_SOURCE_WORDS[metric.source]}.")
    if filters.customer_purpose is not None and metric.source != "surveys":
        rows = "orders" if metric.id in _PER_ORDER_LEDGER else _SOURCE_WORDS[metric.source]
        notes.append(f"The customer purpose filter applies to customer surveys only, not to {rows}.")
    notes += _left_out(metric, filters)
    return " ".join(notes) or None


# Who a region or segment filter without "Unknown / guest" leaves out, by source.
_GUEST_ROWS = {
    "orders": "Guest orders",
    "ledger": "Guest orders",
    "customers": "Guests",
    "surveys": "Guests' responses",
    "tickets": "Guests' tickets",
    "messages": "Messages to guests",
}


def _left_out(metric: Metric, filters: Filters) -> list[str]:
    """Sentences on the rows with no value that a filter's choice leaves out."""
    names = filters.leaving_out_unknown()
    unknown = f"“{UNKNOWN_LABEL}”"
    out = []
    attributes = [n for n in ("region", "segment") if n in names]
    if attributes:
        filters_word = "filters leave" if len(attributes) > 1 else "filter leaves"
        out.append(
            f"{_GUEST_ROWS[metric.source]} and customers without a {' or '.join(attributes)} are left out: "
            f"the {' and '.join(attributes)} {filters_word} out {unknown}."
        )
    if "customer_purpose" in names and metric.source == "surveys":
        out.append(
            "Responses that state no customer purpose are left out: "
            f"the customer purpose filter leaves out {unknown}."
        )
    return out


_SOURCE_WORDS = {
    "employees": "employee surveys",
    "workforce": "workforce snapshots",
    "ledger": "the monthly impact ledger",
    "surveys": "customer surveys",
    "tickets": "support tickets",
    "messages": "marketing messages",
    "orders": "orders",
    "customers": "customers",
}


STATUS_MARKS = {"green": "✔", "amber": "≈", "red": "✖"}  # a shape for each status, not colour alone


def scope_matrix(
    kpis: pl.DataFrame,
    metric_ids: Sequence[str],
    scope_ids: Sequence[str],
    names: dict[str, str],
    currency_code: str,
) -> pl.DataFrame:
    """Every scope's value of each metric, side by side, as text.

    Grain: one row per metric (in `metric_ids` order), one column per scope;
    a value carries its status mark (✔ on, ≈ near, ✖ off target).
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
            text = formatting.kpi_text(metric, r, currency_code, with_unit=False)
            mark = STATUS_MARKS.get(r["status"] or "")
            cells[names.get(scope, scope)] = f"{text} {mark}" if mark else text
        out.append(cells)
    columns = ["Metric", *(names.get(s, s) for s in scope_ids)]
    return pl.DataFrame(out, schema=dict.fromkeys(columns, pl.String))


SCOPE_ROW_COLUMNS = (
    "metric_id", "metric", "scope", "name", "grain", "period_start", "period_end", "value", "ci_low", "ci_high",
    "n", "suppressed", "immature", "target", "status", "previous", "change",
)  # fmt: skip


def scope_rows(
    kpis: pl.DataFrame, metric_ids: Sequence[str], scope_ids: Sequence[str], names: dict[str, str]
) -> pl.DataFrame:
    """The numbers behind `scope_matrix` (its CSV): one row per (metric,
    scope), in the matrix's order, with the metric's label and the scope's
    name; a scope without a row for a metric has none here either."""
    metric_rank = {m: i for i, m in enumerate(metric_ids)}
    scope_rank = {s: i for i, s in enumerate(scope_ids)}
    return (
        kpis.filter(pl.col("metric_id").is_in(list(metric_ids)) & pl.col("scope").is_in(list(scope_ids)))
        .with_columns(
            metric=pl.col("metric_id").replace_strict(
                {m: formatting.card_label(catalog.get(m)) for m in metric_ids}, return_dtype=pl.String
            ),
            name=pl.col("scope").replace_strict(names, default=pl.col("scope"), return_dtype=pl.String),
            _m=pl.col("metric_id").replace_strict(metric_rank, return_dtype=pl.Int32),
            _s=pl.col("scope").replace_strict(scope_rank, return_dtype=pl.Int32),
        )
        .sort("_m", "_s")
        .select(SCOPE_ROW_COLUMNS)
    )
