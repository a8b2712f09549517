"""Cached report computations of the pillar pages (see purpose_metrics.reports).

As in ui/state.py (`state.of_the_data`): each is cached per database,
generation of reads and arguments, so two databases never share entries,
nothing outlives the cache's time to live, and "Refresh data" clears them
with the rest.
"""

from __future__ import annotations

import polars as pl

from .. import catalog, reports, views
from ..metrics.dataset import Dataset
from ..periods import Periods
from . import state


def indicator_months(week: str) -> Periods:
    """The whole months of the Impact page's indicators: the 12 ending
    before the week's end."""
    return Periods.trend(views.week_window(week).month.end, reports.INDICATOR_MONTHS, "month")


@state.of_the_data("Computing the indicators…")
def impact_indicators(data: Dataset, week: str, scope: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the indicators month by month, the GRI content index of those months)."""
    months = indicator_months(week)
    return reports.monthly_indicators(data, months, scope), reports.gri_content_index(data, months, scope)


@state.of_the_data("Comparing service scores…")
def service_scores(data: Dataset, week: str, span: int) -> tuple[str, pl.DataFrame]:
    """(the period in words, NPS / CSAT / effort per scope)."""
    window = views.comparison_window(week, span, catalog.get("nps"))
    return window.label, reports.service_scores(data, window.period)


@state.of_the_data()
def message_relevance(
    data: Dataset, week: str, span: int, scope: str
) -> tuple[str, pl.DataFrame, pl.DataFrame]:
    """(the period in words, clicks and unsubscribes per scope, the scope's
    weekly click and unsubscribe rates over at least 12 weeks to the week)."""
    window = views.comparison_window(week, span, catalog.get("message_click_rate"))
    return (
        window.label,
        reports.message_relevance(data, window.period),
        reports.relevance_trend(data, window.trend, scope),
    )
