"""Cached report computations of the pillar pages (see purpose_metrics.reports).

As in ui/state.py: each cached function takes the database URL and the
generation of reads first (`state.key()`), so two databases never share
entries, nothing outlives the cache's time to live, and "Refresh data"
clears them with the rest.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from .. import catalog, reports, views
from ..constants import CACHE_TTL_SECONDS
from ..periods import Periods
from . import state


def indicator_months(week: str) -> Periods:
    """The whole months of the Impact page's indicators: the 12 ending
    before the week's end."""
    return Periods.trend(views.week_window(week).month.end, reports.INDICATOR_MONTHS, "month")


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner="Computing the indicators…")
def _impact_indicators(
    url: str, generation: state.Generation, week: str, scope: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    data = state._dataset(url, generation)
    months = indicator_months(week)
    return reports.monthly_indicators(data, months, scope), reports.gri_content_index(data, months, scope)


def impact_indicators(week: str, scope: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the indicators month by month, the GRI content index of those months)."""
    return _impact_indicators(*state.key(), week, scope)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner="Comparing service scores…")
def _service_scores(url: str, generation: state.Generation, week: str, span: int) -> tuple[str, pl.DataFrame]:
    window = views.comparison_window(week, span, catalog.get("nps"))
    return window.label, reports.service_scores(state._dataset(url, generation), window.period)


def service_scores(week: str, span: int) -> tuple[str, pl.DataFrame]:
    """(the period in words, NPS / CSAT / effort per scope)."""
    return _service_scores(*state.key(), week, span)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _message_relevance(
    url: str, generation: state.Generation, week: str, span: int, scope: str
) -> tuple[str, pl.DataFrame, pl.DataFrame]:
    data = state._dataset(url, generation)
    window = views.comparison_window(week, span, catalog.get("message_click_rate"))
    points = reports.message_relevance(data, window.period)
    trend = reports.relevance_trend(data, window.trend, scope)
    return window.label, points, trend


def message_relevance(week: str, span: int, scope: str) -> tuple[str, pl.DataFrame, pl.DataFrame]:
    """(the period in words, clicks and unsubscribes per scope, the scope's
    weekly click and unsubscribe rates over at least 12 weeks to the week)."""
    return _message_relevance(*state.key(), week, span, scope)
