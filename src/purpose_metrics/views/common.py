"""What every page shares: the dashboard's pillars, scopes and their names,
the KPIs as the dashboard may show them, and the metric definitions.

Every number here comes from `metrics.kpi_frame` (one definition, one
number); views/ only chooses the periods, shapes the rows a page shows and
says what they mean. No Streamlit: the ui/ package caches these and pages
render them.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from .. import catalog, privacy
from ..catalog import Metric
from ..metrics.dataset import Dataset, Filters
from ..metrics.engine import kpi_frame
from ..periods import Periods

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

TREND_STEPS = 12  # weeks (or months) on a card's sparkline, and the least a trend shows
COMPANY_LABEL = "Company"
SPANS: dict[str, int] = {"1 week": 1, "4 weeks": 4, "13 weeks": 13, "26 weeks": 26, "52 weeks": 52}


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


def has_values(frame: pl.DataFrame) -> bool:
    """Whether any row has a value to plot."""
    return frame.height > 0 and frame.get_column("value").is_not_null().any()


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
