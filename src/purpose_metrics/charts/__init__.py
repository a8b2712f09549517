"""Plotly chart builders: (rows, metric, colours, title) -> Figure.

Styling lives in `theme` (one template, fixed brand colours); builders only
choose what goes where.
"""

from .cohorts import cohort_heatmap
from .compare import interval_chart
from .drivers import driver_chart
from .segments import segment_chart
from .theme import scope_colours
from .trends import small_multiples, trend_chart

__all__ = [
    "cohort_heatmap",
    "driver_chart",
    "interval_chart",
    "scope_colours",
    "segment_chart",
    "small_multiples",
    "trend_chart",
]
