"""The period the Brands and segments page compares brands over.

The home page's kinds (ui/page.period_and_scope): Week, Month, Quarter,
Year to date, Custom, with the same pickers and links (?period=, ?month=,
?quarter=, ?year=, ?from=&to=). A brand comparison needs more than one
week of answers for intervals that can tell brands apart, so here Week
keeps its span: 1, 4, 13 (the default), 26 or 52 weeks ending with the
chosen week (?week=&span=, as before). Every period is compared with the
one of the same length just before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from .. import views
from ..catalog import Metric
from . import filters, state

if TYPE_CHECKING:
    from .page import PageContext


@dataclass(frozen=True)
class Chosen:
    """The window shown, the kind chosen, and whether the period is still open."""

    window: views.ComparisonWindow
    kind: str
    partial: str | None


def choose(ctx: PageContext, metric: Metric, *, kind_container: DeltaGenerator) -> Chosen:
    """The period kind (in `kind_container`) and its pickers below it."""
    kind = filters.period_kind_picker(container=kind_container)
    if kind == "week":
        first, second, _ = st.columns([3, 2, 5], vertical_alignment="bottom")
        week = filters.week_picker(ctx.weeks, ctx.latest, container=first)
        filters.week_steps(ctx.weeks, week, container=second)
        span = filters.span_picker(label="Weeks")  # a row of its own: all five within reach
        return Chosen(views.comparison_window(week, span, metric), kind, state.partial_note(week))
    options = state.period_options()
    first, second, _ = st.columns([5, 5, 10] if kind == "custom" else [5, 4, 11], vertical_alignment="bottom")
    if kind == "month":
        period = filters.month_picker(options.months, container=first)
    elif kind == "quarter":
        period = filters.quarter_picker(options.quarters, container=first)
    elif kind == "ytd":
        period = state.year_to_date(filters.year_picker(options.years, container=first))
    else:
        period = filters.custom_range(options.first, options.last, containers=(first, second))
    return Chosen(views.period_window(period, metric), kind, state.open_note(period))
