"""Page-level computations of the dashboard: pure functions over a Dataset,
by page concern (common, week, attention, compare, pillars, drivers). Every number
comes from `metrics.kpi_frame`; these only choose periods, shape the rows a
page shows and say what they mean. No Streamlit: ui/ caches them and pages
render them. Everything is importable from `views` itself.
"""

from .attention import attention, furthest_below, headline_kpi, scope_summary
from .common import (
    COMPANY_LABEL,
    DASHBOARD_PILLARS,
    METRIC_ORDER,
    PILLAR_OF,
    SPANS,
    TREND_STEPS,
    company_info,
    currency,
    dashboard_kpis,
    definitions,
    has_data,
    has_values,
    no_values_reason,
    purposes,
    scope_names,
    scopes,
)
from .compare import (
    STATUS_MARKS,
    ComparisonWindow,
    by_scope,
    comparison_window,
    filter_note,
    filter_options,
    pairwise,
    pairwise_display,
    period_window,
    scope_matrix,
    scope_rows,
    versus_display,
    versus_previous,
)
from .drivers import (
    LIFT_WEEKS,
    DriverWindow,
    brand_gaps,
    driver_table,
    driver_window,
    headline,
    largest_at_stake,
    lift_start,
    mature_weeks,
    verdict,
)
from .period import (
    available_months,
    available_quarters,
    available_years,
    data_days,
    open_note,
    period_kpis,
    year_to_date,
)
from .pillars import (
    COHORT_STEPS,
    COHORTS_SHOWN,
    COMPANY_WIDE_LABEL,
    TEAM_METRICS,
    cohort_grid,
    purpose_by_category,
    sales_lift_inputs,
    team_kpis,
    team_matrix,
)
from .segments import (
    DIMENSIONS,
    SEGMENT_MIN,
    can_split,
    matrix_display,
    pairs_display,
    segment_matrix,
    segment_pairs,
)
from .week import (
    LONG_TREND_MONTHS,
    LONG_TREND_WEEKS,
    WeekWindow,
    available_weeks,
    default_week,
    initiative_markers,
    latest_week,
    metric_trend,
    metric_trend_last_year,
    partial_note,
    period_label,
    week_kpis,
    week_window,
)

__all__ = [
    "COHORTS_SHOWN", "COHORT_STEPS", "COMPANY_LABEL", "COMPANY_WIDE_LABEL", "DASHBOARD_PILLARS", "LONG_TREND_MONTHS",
    "LONG_TREND_WEEKS", "METRIC_ORDER", "PILLAR_OF", "SPANS", "STATUS_MARKS", "TEAM_METRICS", "TREND_STEPS",
    "ComparisonWindow", "WeekWindow", "attention", "available_weeks", "latest_week", "partial_note", "by_scope", "cohort_grid", "company_info",
    "comparison_window", "currency", "dashboard_kpis", "default_week", "definitions", "filter_note", "filter_options",
    "furthest_below", "has_data", "has_values", "headline_kpi", "initiative_markers", "metric_trend", "metric_trend_last_year",
    "no_values_reason", "pairwise", "pairwise_display", "period_label", "purpose_by_category", "purposes",
    "sales_lift_inputs", "scope_matrix", "scope_rows", "scope_names", "scope_summary", "scopes", "team_kpis", "team_matrix",
    "week_kpis", "week_window",
    "DriverWindow", "brand_gaps", "driver_table", "driver_window", "headline", "largest_at_stake", "LIFT_WEEKS", "lift_start", "mature_weeks",
    "available_months", "available_quarters", "available_years", "data_days", "open_note", "period_kpis", "year_to_date",
    "period_window", "versus_display", "versus_previous",
    "verdict", "DIMENSIONS", "SEGMENT_MIN", "can_split", "matrix_display", "pairs_display", "segment_matrix", "segment_pairs",
]  # fmt: skip
