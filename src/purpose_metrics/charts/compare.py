"""Scopes side by side: one dot per scope with its 95 % interval.

Input rows are `views.by_scope` rows over one period (one per scope, with `name`).
Names and the title are plain text: they are shown as written
(`formatting.chart_text`), never read as Plotly's HTML-like markup.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from .. import formatting
from ..catalog import Metric
from . import theme


def _x_range(shown: pl.DataFrame) -> tuple[float, float]:
    """Every value, interval end and target in view, with room for labels."""
    values = pl.concat([shown.get_column(c).drop_nulls() for c in ("value", "ci_low", "ci_high", "target")])
    low, high = float(values.min()), float(values.max())
    pad = (high - low) * 0.08 or max(abs(high) * 0.1, 1.0)
    return low - pad, high + pad


def interval_chart(
    rows: pl.DataFrame,
    metric: Metric,
    colours: dict[str, str],
    title: str,
    currency: str = "",
) -> go.Figure:
    """A horizontal dot plot, company on top: value, 95 % interval as error
    bars, the target as a grey tick. A scope without a value keeps its row
    and says why in words (suppressed, not yet measurable, no data).
    `rows` must hold at least one value."""
    shown = rows.filter(pl.col("value").is_not_null())
    x_low, x_high = _x_range(shown)
    fig = go.Figure()
    for r in rows.iter_rows(named=True):
        colour = colours.get(r["scope"], theme.MUTED)
        name = formatting.chart_text(r["name"])
        if r["value"] is None:
            reason = formatting.kpi_text(metric, r, currency)
            fig.add_trace(
                go.Scatter(
                    x=[x_low], y=[name], mode="text", text=[f"  {reason}"], textposition="middle right",
                    textfont=dict(color=theme.MUTED, size=13), hoverinfo="skip", showlegend=False,
                )
            )  # fmt: skip
            continue
        text = formatting.value_text(metric, r["value"], currency)
        ci = formatting.interval_text(metric, r["ci_low"], r["ci_high"], currency)
        has_ci = r["ci_low"] is not None and r["ci_high"] is not None
        hover = f"<b>{name}</b><br>{text}" + (f"<br>95 % interval {ci}" if ci else "") + f"<br>n = {r['n']:,}"
        fig.add_trace(
            go.Scatter(
                x=[r["value"]],
                y=[name],
                mode="markers+text",
                marker=dict(size=14, color=colour, line=dict(color="white", width=1)),
                error_x=dict(
                    type="data",
                    symmetric=False,
                    array=[r["ci_high"] - r["value"]] if has_ci else [0],
                    arrayminus=[r["value"] - r["ci_low"]] if has_ci else [0],
                    color=colour,
                    thickness=2.5,
                    width=8,
                    visible=has_ci,
                ),
                text=[text],
                textposition="top center",
                textfont=dict(color=colour, size=13),
                hovertext=[hover],
                hoverinfo="text",
                name=name,
                showlegend=False,
            )
        )
    targets = shown.filter(pl.col("target").is_not_null())
    if targets.height:
        fig.add_trace(
            go.Scatter(
                x=targets.get_column("target").to_list(),
                y=[formatting.chart_text(n) for n in targets.get_column("name")],
                mode="markers",
                marker=dict(symbol="line-ns-open", size=26, color=theme.MUTED, line=dict(width=3)),
                name="target",
                hovertext=[
                    f"target {formatting.value_text(metric, t, currency)}"
                    for t in targets.get_column("target")
                ],
                hoverinfo="text",
                showlegend=True,
            )
        )
    order = [formatting.chart_text(n) for n in rows.get_column("name")]
    fig.update_layout(
        template=theme.TEMPLATE,
        title=dict(text=formatting.chart_text(title)),
        height=max(260, 64 * len(order) + 130),
        yaxis=dict(categoryorder="array", categoryarray=order[::-1], showgrid=False, ticksuffix="  "),
        xaxis=dict(title=_x_title(metric, currency), range=[x_low, x_high]),
        legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"),
    )
    return fig


def _x_title(metric: Metric, currency: str) -> str:
    unit = currency if metric.fmt == "currency" else metric.unit
    interval = " — dot: value, bar: 95 % interval" if metric.interval else ""
    return f"{metric.label} ({unit}){interval}"
