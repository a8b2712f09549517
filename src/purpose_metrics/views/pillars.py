"""The pillar pages' own views: purpose achieved by what customers came to
do, employee surveys per team, the sales-lift inputs, the cohort grid."""

from __future__ import annotations

import datetime as dt

import polars as pl

from .. import catalog, formatting, privacy
from ..metrics.cohorts import cohorts
from ..metrics.dataset import Dataset, Filters
from ..metrics.engine import kpi_frame
from ..periods import Periods
from .compare import by_scope


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
        return by_scope(data, "purpose_achieved_rate", period, scope_ids=[scope]).head(0)
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
            cells[metric.label] = formatting.kpi_text(metric, r, "")
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
    """Retention of the cohorts of the COHORTS_SHOWN weeks (months) of the
    company's calendar ending with the last whole one by `end` (a week's end).

    Grain: one row per (cohort, period_index) with period_index
    0…COHORT_STEPS (docs/metrics.md#cohorts); cells past the data's as-of
    instant are left out by the engine.
    """
    cal = data.calendar  # the company's weeks and (calendar or fiscal) months
    if grain == "week":
        last = cal.week_start(end - dt.timedelta(days=1))
        since = last - dt.timedelta(days=7 * (COHORTS_SHOWN - 1))
    else:  # the latest month that is whole by `end`
        last = cal.month_start(cal.month_start(end) - dt.timedelta(days=1))
        since = last
        for _ in range(COHORTS_SHOWN - 1):
            since = cal.month_start(since - dt.timedelta(days=1))
    end_label = cal.label(grain, last)
    grid = cohorts(data, grain, [scope], since=since, cal=cal)  # type: ignore[arg-type]
    return grid.filter((pl.col("cohort") <= end_label) & (pl.col("period_index") <= COHORT_STEPS))
