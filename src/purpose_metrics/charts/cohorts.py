"""Cohort retention as a grid: cohorts down, periods since the first order across.

Input rows are `views.cohort_grid` rows (one per cohort × period_index).
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from .. import formatting
from . import theme

# Sequential, colour-blind-safe: light to the company's dark blue.
RETENTION_SCALE = [[0.0, "#F3F6FA"], [0.25, "#C6DBEF"], [0.5, "#6BAED6"], [1.0, "#08306B"]]


def cohort_heatmap(rows: pl.DataFrame, title: str, grain: str = "month") -> go.Figure:
    """Retention (%) per cohort and period since the first order. Period 0
    is 100 % by definition and left out of the colour scale; cells not yet
    measurable are blank."""
    later = rows.filter(pl.col("period_index") >= 1)
    cohorts = rows.get_column("cohort").unique().sort().to_list()
    steps = sorted(later.get_column("period_index").unique().to_list())
    lookup = {(r["cohort"], r["period_index"]): r for r in later.iter_rows(named=True)}
    z = [[lookup[(c, k)]["retention"] if (c, k) in lookup else None for k in steps] for c in cohorts]
    text = [[f"{v:.0f} %" if v is not None else "" for v in row] for row in z]
    sizes = dict(rows.select("cohort", "cohort_size").unique().iter_rows())
    hover = [
        [
            f"cohort {c} ({sizes[c]:,} customers)<br>{grain} {k}: {lookup[(c, k)]['customers']:,} came back "
            f"({lookup[(c, k)]['retention']:.1f} %)"
            if (c, k) in lookup
            else f"cohort {c}: {grain} {k} not yet measurable"
            for k in steps
        ]
        for c in cohorts
    ]
    fig = go.Figure(
        go.Heatmap(
            x=[f"+{k}" for k in steps],
            y=[f"{c}  (n = {sizes[c]:,})" for c in cohorts],
            z=z,
            text=text,
            texttemplate="%{text}",
            hovertext=hover,
            hoverinfo="text",
            colorscale=RETENTION_SCALE,
            zmin=0,
            colorbar=dict(title="% back", ticksuffix=" %"),
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(
        template=theme.TEMPLATE,
        title=dict(text=formatting.chart_text(title)),
        height=max(theme.SCREEN_HEIGHT, 32 * len(cohorts) + 140),
        xaxis=dict(title=f"{grain}s after the first order", showgrid=False, side="top", type="category"),
        yaxis=dict(autorange="reversed", showgrid=False, title=None),
        margin=dict(t=90),
    )
    return fig
