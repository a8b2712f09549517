"""Report-shaped computations of the pillar pages: pure functions over a
Dataset (or over frames the dashboard already holds).

- Impact: the SDG/GRI-style indicators month by month, and a GRI-style
  content index of the period (aggregates only) for a CSV download.
- Customer purpose: NPS, CSAT and effort per scope with their intervals;
  message relevance (clicks against unsubscribes) per scope and by week.
- Loyalty: retention curves of the latest cohorts.

Every number comes from `metrics.kpi_frame` or `metrics.cohorts` (one
definition, one number); this module only picks periods and shapes rows.
No Streamlit: ui/reports.py caches these.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from . import catalog, formatting, views
from .export.downloads import csv_bytes
from .metrics.dataset import Dataset
from .metrics.engine import kpi_frame
from .periods import Periods

# --- Impact: indicators by month and the GRI content index --------------------------

# The indicators of the Impact page: the catalog's Impact pillar, then the
# cause metrics the dashboard shows next to it.
IMPACT_INDICATORS: tuple[str, ...] = (
    *(m.id for m in catalog.METRICS if m.pillar == "Impact"),
    "cause_participation_rate",
    "customer_donations",
)
INDICATOR_MONTHS = 12

# GRI Standards' disclosure titles, for every disclosure the catalog cites.
GRI_TITLES: dict[str, str] = {
    "201-1": "Direct economic value generated and distributed",
    "204-1": "Proportion of spending on local suppliers",
    "301-2": "Recycled input materials used",
    "302-1": "Energy consumption within the organization",
    "302-3": "Energy intensity",
    "305-3": "Other indirect (Scope 3) GHG emissions",
    "305-4": "GHG emissions intensity",
    "306-4": "Waste diverted from disposal",
    "401-1": "New employee hires and employee turnover",
    "404-1": "Average hours of training per year per employee",
    "418-1": "Substantiated complaints concerning breaches of customer privacy and losses of customer data",
}
SDG_NOTE = (
    "SDG indicators are national statistics; the metric contributes to the target, it does not report it"
)

CONTENT_INDEX_SCHEMA: dict[str, pl.DataType] = {
    "gri_disclosure": pl.String(),
    "disclosure_title": pl.String(),
    "metric_id": pl.String(),
    "metric": pl.String(),
    "unit": pl.String(),
    "value": pl.Float64(),
    "n": pl.Int64(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    "scope": pl.String(),
    "sdg_target": pl.String(),
    "note": pl.String(),
}


def _disclosure(metric: catalog.Metric) -> str | None:
    """'GRI 305-4' -> '305-4'."""
    return metric.gri.removeprefix("GRI ").strip() if metric.gri else None


def monthly_indicators(
    data: Dataset, months: Periods, scope: str, metric_ids: Sequence[str] = IMPACT_INDICATORS
) -> pl.DataFrame:
    """The indicators of one scope on a monthly grid.

    Grain: one row per (metric_id, period_start), metrics in `metric_ids`
    order, months ascending; the kpi_frame columns plus `gri` and `sdg`.
    """
    order = {m: i for i, m in enumerate(metric_ids)}
    return (
        kpi_frame(data, months, [scope], list(metric_ids))
        .with_columns(
            gri=pl.col("metric_id").replace_strict(
                {m: catalog.get(m).gri for m in metric_ids}, return_dtype=pl.String
            ),
            sdg=pl.col("metric_id").replace_strict(
                {m: catalog.get(m).sdg for m in metric_ids}, return_dtype=pl.String
            ),
            _order=pl.col("metric_id").replace_strict(order, return_dtype=pl.UInt32),
        )
        .sort("_order", "period_start")
        .drop("_order")
    )


def indicator_table(rows: pl.DataFrame, currency: str) -> pl.DataFrame:
    """monthly_indicators as a person reads it.

    Grain: one row per metric. Columns: Metric (with its unit), GRI
    disclosure, SDG target, Trend (the monthly values, for a sparkline),
    Change (last month against the first, with better/worse), then one
    text column per month ('Jul 2025'), newest first (what a reader wants
    sits on screen without scrolling), each value in the metric's unit.
    """
    months = rows.get_column("period_start").unique().sort().to_list()
    newest_first = months[::-1]
    month_columns = [f"{m:%b %Y}" for m in newest_first]
    out = []
    for (metric_id,), part in rows.group_by("metric_id", maintain_order=True):
        metric = catalog.get(metric_id)
        by_month = {r["period_start"]: r for r in part.iter_rows(named=True)}
        values = [by_month[m]["value"] if m in by_month else None for m in months]
        known = [v for v in values if v is not None]
        change = known[-1] - known[0] if len(known) >= 2 else None
        text = formatting.change_text(metric, change, currency)
        if text and not formatting.is_zero_change(metric, change):
            better = (change > 0) == (metric.direction == "up")
            text = f"{'▲' if change > 0 else '▼'} {text} {'better' if better else 'worse'}"
        cells = {
            "Metric": formatting.card_label(metric),
            "GRI disclosure": metric.gri or "—",
            "SDG target": metric.sdg or "—",
            "Trend": values,
            "Change": text or "—",
        }
        for month, column in zip(newest_first, month_columns, strict=True):
            r = by_month.get(month)
            cells[column] = (
                formatting.kpi_text(metric, r, currency, with_unit=False) if r else formatting.NO_DATA
            )
        out.append(cells)
    schema: dict[str, pl.DataType] = {
        "Metric": pl.String(),
        "GRI disclosure": pl.String(),
        "SDG target": pl.String(),
        "Trend": pl.List(pl.Float64()),
        "Change": pl.String(),
        **{c: pl.String() for c in month_columns},
    }
    return pl.DataFrame(out, schema=schema)


def gri_content_index(
    data: Dataset, months: Periods, scope: str, metric_ids: Sequence[str] = IMPACT_INDICATORS
) -> pl.DataFrame:
    """A GRI-style content index of one scope over the whole months of
    `months` (aggregates only: one value per disclosure, computed over the
    period as a whole, never summed from the months).

    Grain: one row per metric with a GRI disclosure, by disclosure number.
    Columns: CONTENT_INDEX_SCHEMA. `note` carries the SDG caveat, and says
    why a value is missing.
    """
    cited = [m for m in metric_ids if catalog.get(m).gri]
    if not cited:
        return pl.DataFrame(schema=CONTENT_INDEX_SCHEMA)
    period = Periods(months.start, months.range_end)
    out = []
    for r in kpi_frame(data, period, [scope], cited).iter_rows(named=True):
        metric = catalog.get(r["metric_id"])
        code = _disclosure(metric)
        note = SDG_NOTE if metric.sdg else ""
        if r["value"] is None:
            why = formatting.kpi_text(metric, r, "")
            note = f"{why} for this scope in the period" + (f"; {note}" if note else "")
        out.append(
            {
                "gri_disclosure": f"GRI {code}",
                "disclosure_title": f"{code} {GRI_TITLES.get(code, '')}".strip(),
                "metric_id": metric.id,
                "metric": metric.label,
                "unit": metric.unit,
                "value": r["value"],
                "n": r["n"],
                "period_start": r["period_start"],
                "period_end": r["period_end"],
                "scope": scope,
                "sdg_target": metric.sdg,
                "note": note,
            }
        )
    key = {d: tuple(int(p) for p in d.split("-")) for d in {_disclosure(catalog.get(m)) for m in cited}}
    return (
        pl.DataFrame(out, schema=CONTENT_INDEX_SCHEMA)
        .with_columns(
            _key=pl.col("gri_disclosure")
            .str.strip_prefix("GRI ")
            .replace_strict({d: k[0] * 1000 + k[1] for d, k in key.items()}, return_dtype=pl.Int64)
        )
        .sort("_key", "metric_id")
        .drop("_key")
    )


def content_index_csv(index: pl.DataFrame) -> bytes:
    """The content index as UTF-8 CSV (dates ISO, missing values empty; a
    text cell that a spreadsheet would run as a formula, such as a brand id
    "=HYPERLINK(…)", starts with a quote)."""
    return csv_bytes(index)


# --- Customer purpose: service scores and message relevance ---------------------------

SERVICE_METRICS: tuple[str, ...] = ("nps", "csat", "customer_effort")
RELEVANCE_METRICS: tuple[str, ...] = ("message_click_rate", "unsubscribe_rate")


def service_scores(data: Dataset, period: Periods, scope_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """NPS, CSAT and customer effort per scope over one period, with their
    95 % intervals (effort has none).

    Grain: one row per (metric_id, scope), metrics in SERVICE_METRICS
    order, company first; the kpi_frame columns plus `name`.
    """
    scope_ids = list(scope_ids) if scope_ids is not None else views.scopes(data)
    names = views.scope_names(data)
    order = {m: i for i, m in enumerate(SERVICE_METRICS)}
    return (
        kpi_frame(data, period, scope_ids, list(SERVICE_METRICS))
        .with_columns(
            name=pl.col("scope").replace_strict(names, default=pl.col("scope"), return_dtype=pl.String),
            _order=pl.col("metric_id").replace_strict(order, return_dtype=pl.UInt32),
        )
        .sort("_order", maintain_order=True)
        .drop("_order")
    )


def message_relevance(data: Dataset, period: Periods, scope_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """Clicks against unsubscribes per scope over one period.

    Grain: one row per scope (company first, then brands). Columns: scope,
    name, messages (sent in the period), click_rate, click_low, click_high,
    unsubscribe_rate, unsubscribe_low, unsubscribe_high (percent, 95 %
    Wilson intervals; NULL without a message).
    """
    scope_ids = list(scope_ids) if scope_ids is not None else views.scopes(data)
    names = views.scope_names(data)
    rows = kpi_frame(data, period, scope_ids, list(RELEVANCE_METRICS))

    def part(metric_id: str, prefix: str) -> pl.DataFrame:
        return rows.filter(pl.col("metric_id") == metric_id).select(
            "scope",
            pl.col("n").alias("messages"),
            pl.col("value").alias(f"{prefix}_rate"),
            pl.col("ci_low").alias(f"{prefix}_low"),
            pl.col("ci_high").alias(f"{prefix}_high"),
        )

    return (
        pl.DataFrame({"scope": scope_ids})
        .with_columns(
            name=pl.col("scope").replace_strict(names, default=pl.col("scope"), return_dtype=pl.String)
        )
        .join(part("message_click_rate", "click"), on="scope", how="left", maintain_order="left")
        .join(
            part("unsubscribe_rate", "unsubscribe").drop("messages"),
            on="scope",
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.col("messages").fill_null(0))
    )


def relevance_trend(data: Dataset, weeks: Periods, scope: str) -> pl.DataFrame:
    """Click and unsubscribe rates of one scope by week.

    Grain: one row per (metric_id, period_start): the kpi_frame columns.
    """
    return kpi_frame(data, weeks, [scope], list(RELEVANCE_METRICS))


# --- Loyalty: retention curves ---------------------------------------------------------

CURVE_COHORTS = {"month": 6, "week": 12}  # the latest cohorts drawn as curves


def retention_curves(grid: pl.DataFrame, cohorts_shown: int) -> pl.DataFrame:
    """The latest `cohorts_shown` cohorts of a cohort grid that have at
    least one measurable period after their first, as curves, and their
    pooled average.

    `grid` holds `views.cohort_grid` rows (one per cohort × period_index;
    cells not yet measurable are absent). Grain of the result: one row per
    (curve, period_index); `curve` is a cohort label, or "average" for all
    shown cohorts together: customers back ÷ customers in the cohorts that
    have reached that period (so later points rest on fewer cohorts).
    Columns: curve, period_index, retention (%), customers, cohort_size,
    cohorts (how many cohorts the point rests on), is_average.
    """
    # A cohort with no whole period after its first yet has no curve to draw.
    grown = grid.filter(pl.col("period_index") >= 1).get_column("cohort").unique()
    latest = grown.sort().tail(cohorts_shown).to_list()
    shown = grid.filter(pl.col("cohort").is_in(latest))
    per_cohort = shown.select(
        pl.col("cohort").alias("curve"),
        pl.col("period_index").cast(pl.Int64),
        pl.col("retention").cast(pl.Float64),
        pl.col("customers").cast(pl.Int64),
        pl.col("cohort_size").cast(pl.Int64),
        pl.lit(1, pl.Int64).alias("cohorts"),
        pl.lit(False).alias("is_average"),
    ).sort("curve", "period_index")
    average = (
        per_cohort.group_by("period_index")
        .agg(pl.col("customers").sum(), pl.col("cohort_size").sum(), pl.len().cast(pl.Int64).alias("cohorts"))
        .select(
            pl.lit("average").alias("curve"),
            "period_index",
            (100 * pl.col("customers") / pl.col("cohort_size")).alias("retention"),
            "customers",
            "cohort_size",
            "cohorts",
            pl.lit(True).alias("is_average"),
        )
        .sort("period_index")
    )
    return pl.concat([per_cohort, average])
