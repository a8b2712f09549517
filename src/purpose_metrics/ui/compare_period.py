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

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from .. import catalog, views
from ..catalog import Metric
from . import filters, state
from .page import other_period

if TYPE_CHECKING:
    from .page import PageContext


@dataclass(frozen=True)
class Chosen:
    """The window shown, the kind chosen, whether the period is still open, and the metric."""

    window: views.ComparisonWindow
    kind: str
    partial: str | None
    metric: Metric


def choose(ctx: PageContext, metric_picker: Callable[[DeltaGenerator], str]) -> Chosen:
    """The period kind on a row of its own (five choices fit at 1024 px),
    then the metric (`metric_picker(container)`, which returns its id) and
    the period's pickers beside it."""
    kind = filters.period_kind_picker(nrf=ctx.calendar.nrf)
    first, second, third = st.columns([3, 2, 2], vertical_alignment="bottom")
    metric = catalog.get(metric_picker(first))
    if kind == "week":
        week = filters.week_picker(ctx.weeks, ctx.latest, container=second)
        filters.week_steps(ctx.weeks, week, container=third)
        span = filters.span_picker(label="Weeks")  # a row of its own: all five within reach at 1024 px
        return Chosen(views.comparison_window(week, span, metric), kind, state.partial_note(week), metric)
    period = other_period(ctx, kind, second, third)
    return Chosen(views.period_window(period, metric), kind, state.open_note(period), metric)
