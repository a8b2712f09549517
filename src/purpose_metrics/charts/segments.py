"""Segments side by side: for one metric, a dot per brand and segment value
with its 95 % interval, segment values down the side, brands in their
colours side by side within each value.

Input rows are `views.segment_matrix` rows (one per scope × segment value).
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from .. import formatting
from ..catalog import Metric
from . import theme


def _x_range(rows: pl.DataFrame) -> list[float]:
    """Every value and interval end in view, with a margin (not from zero)."""
    values = pl.concat(
        [rows.get_column(c).drop_nulls().cast(pl.Float64) for c in ("value", "ci_low", "ci_high")]
    )
    low, high = float(values.min()), float(values.max())
    pad = (high - low) * 0.06 or max(abs(high) * 0.1, 1.0)
    return [low - pad, high + pad]


def segment_chart(
    rows: pl.DataFrame,
    metric: Metric,
    colours: dict[str, str],
    title: str,
    currency: str = "",
    subtitle: str = "",
) -> go.Figure:
    """A grouped horizontal dot plot; a cell without a value is left out
    (the matrix beside it says why). `rows` must hold at least one value."""
    segments = list(dict.fromkeys(rows.get_column("segment").to_list()))
    labels = {s: formatting.chart_text(s.replace("_", " ").capitalize()) for s in segments}
    fig = go.Figure()
    # Grouped bars of a horizontal plot stack the first trace lowest: add the
    # scopes last-first, so the company sits on top (the legend reverses back).
    groups = list(rows.group_by("scope", "name", maintain_order=True))[::-1]
    for (scope, name), part in groups:
        shown = part.filter(pl.col("value").is_not_null())
        colour = colours.get(scope, theme.MUTED)
        has_ci = shown.get_column("ci_low").is_not_null().all() and shown.height > 0
        fig.add_trace(
            go.Scatter(
                x=shown.get_column("value").to_list(),
                y=[labels[s] for s in shown.get_column("segment")],
                mode="markers", name=formatting.chart_text(name), orientation="h",
                marker=dict(size=11, color=colour, line=dict(color="white", width=1)),
                error_x=dict(
                    type="data", symmetric=False,
                    array=(shown["ci_high"] - shown["value"]).to_list() if has_ci else None,
                    arrayminus=(shown["value"] - shown["ci_low"]).to_list() if has_ci else None,
                    color=colour, thickness=2, width=5, visible=has_ci,
                ),
                hovertext=[
                    f"<b>{formatting.chart_text(name)} · {labels[r['segment']]}</b><br>"
                    f"{formatting.value_text(metric, r['value'], currency)}"
                    + (f"<br>95 % interval {formatting.interval_text(metric, r['ci_low'], r['ci_high'], currency)}"
                       if r["ci_low"] is not None else "")
                    + f"<br>n = {r['n']:,}"
                    for r in shown.iter_rows(named=True)
                ],
                hoverinfo="text",
            )
        )  # fmt: skip
    unit = currency if metric.fmt == "currency" else metric.unit
    fig.update_layout(
        template=theme.TEMPLATE,
        title=dict(text=formatting.chart_text(title), subtitle=dict(text=formatting.chart_text(subtitle))),
        scattermode="group",
        height=max(320, 28 * len(segments) * rows.get_column("scope").n_unique() + 160),
        scattergap=0.35,
        yaxis=dict(categoryorder="array", categoryarray=[labels[s] for s in segments][::-1], ticksuffix="  "),
        xaxis=dict(title=f"{metric.label} ({unit}) — dot: value, bar: 95 % interval", range=_x_range(rows)),
        legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom", traceorder="reversed"),
    )
    return fig
