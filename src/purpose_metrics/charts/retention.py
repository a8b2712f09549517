"""Retention curves: the share of a cohort back in each period after its
first order, one line per recent cohort and their pooled average.

Input rows are `reports.retention_curves` rows (one per curve ×
period_index).
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from .. import formatting
from . import theme

_COHORT_LINE = "#9ECAE1"  # light blue: the cohorts recede, the average stands out
_AVERAGE_LINE = "#08306B"  # the heatmap's darkest blue


def retention_chart(rows: pl.DataFrame, title: str, grain: str) -> go.Figure:
    """x: periods after the first order (0 is 100 % by definition); y: % of
    the cohort back. Period 0 (100 % by definition) is left out so the
    later periods keep their scale; periods not yet measurable are absent,
    so a young cohort's line is short."""
    rows = rows.filter(pl.col("period_index") >= 1)
    fig = go.Figure()
    curves = rows.get_column("curve").unique(maintain_order=True).to_list()
    cohorts = [c for c in curves if c != "average"]
    for i, curve in enumerate(cohorts):
        part = rows.filter(pl.col("curve") == curve).sort("period_index")
        size = part.get_column("cohort_size")[0]
        # Older cohorts lighter, the latest darker: age reads without a legend of colours.
        alpha = 0.35 + 0.55 * (i + 1) / len(cohorts)
        fig.add_trace(
            go.Scatter(
                x=part.get_column("period_index").to_list(),
                y=part.get_column("retention").to_list(),
                mode="lines+markers",
                line=dict(color=theme.translucent("#4292C6", alpha), width=1.5),
                marker=dict(size=5, color=theme.translucent("#4292C6", alpha)),
                name=f"{curve} (n = {size:,})",
                hovertext=[
                    f"<b>cohort {curve}</b> ({size:,} customers)<br>{grain} +{k}: {c:,} back ({v:.1f} %)"
                    for k, c, v in part.select("period_index", "customers", "retention").iter_rows()
                ],
                hoverinfo="text",
            )
        )
    average = rows.filter(pl.col("curve") == "average").sort("period_index")
    if average.height:
        fig.add_trace(
            go.Scatter(
                x=average.get_column("period_index").to_list(),
                y=average.get_column("retention").to_list(),
                mode="lines+markers+text",
                line=dict(color=_AVERAGE_LINE, width=3.5),
                marker=dict(size=8, color=_AVERAGE_LINE),
                text=[f"{v:.0f} %" for v in average.get_column("retention")],
                textposition="top right",
                textfont=dict(color=_AVERAGE_LINE, size=12),
                name=f"all {len(cohorts)} cohorts together",
                hovertext=[
                    f"<b>all cohorts together</b><br>{grain} +{k}: {c:,} of {s:,} back ({v:.1f} %)"
                    f"<br>from {n} cohort{'s' if n > 1 else ''}"
                    for k, v, c, s, n in average.select(
                        "period_index", "retention", "customers", "cohort_size", "cohorts"
                    ).iter_rows()
                ],
                hoverinfo="text",
            )
        )
    steps = rows.get_column("period_index").max() or 0
    fig.update_layout(
        template=theme.TEMPLATE,
        title=dict(text=formatting.chart_text(title)),
        height=theme.SCREEN_HEIGHT + 80,
        xaxis=dict(
            title=f"{grain}s after the first order", dtick=1, tickprefix="+", range=[0.7, steps + 0.5]
        ),
        yaxis=dict(title="% of the cohort back", ticksuffix=" %", rangemode="tozero"),
        legend=dict(orientation="v", x=1.01, y=1, yanchor="top", xanchor="left"),
    )
    return fig
