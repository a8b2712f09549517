"""Message relevance: clicks against unsubscribes.

Input rows are `reports.message_relevance` rows (one per scope) for the
scatter, and `reports.relevance_trend` rows (one per metric × week) with a
`name` for the trend. Names and titles are shown as written
(`formatting.chart_text`).
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from .. import catalog, formatting
from . import theme


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f} %"


def _span(rows: pl.DataFrame, prefix: str) -> tuple[float, float]:
    """The lowest and highest of a rate and its interval ends (1 when there is none)."""
    values = pl.concat([rows.get_column(f"{prefix}_{c}").drop_nulls() for c in ("rate", "low", "high")])
    return (float(values.min()), float(values.max()) or 1.0) if values.len() else (0.0, 1.0)


def relevance_scatter(rows: pl.DataFrame, colours: dict[str, str], title: str) -> go.Figure:
    """One labelled dot per scope with a value: click rate across,
    unsubscribe rate up, each with its 95 % interval as error bars.
    Relevant messages sit bottom-right (many clicks, few unsubscribes).
    `rows` must hold at least one scope with messages."""
    shown = rows.filter(pl.col("click_rate").is_not_null() & pl.col("unsubscribe_rate").is_not_null())
    fig = go.Figure()
    for r in shown.iter_rows(named=True):
        colour = colours.get(r["scope"], theme.MUTED)
        name = formatting.chart_text(r["name"])
        hover = (
            f"<b>{name}</b><br>{r['messages']:,} messages sent"
            f"<br>clicked {_pct(r['click_rate'])} (95 % interval {_pct(r['click_low'])} – {_pct(r['click_high'])})"
            f"<br>unsubscribed {_pct(r['unsubscribe_rate'])} "
            f"(95 % interval {_pct(r['unsubscribe_low'])} – {_pct(r['unsubscribe_high'])})"
        )
        fig.add_trace(
            go.Scatter(
                x=[r["click_rate"]],
                y=[r["unsubscribe_rate"]],
                mode="markers+text",
                marker=dict(
                    size=16 if r["scope"] == "company" else 14,
                    color=colour,
                    symbol="diamond" if r["scope"] == "company" else "circle",
                    line=dict(color="white", width=1),
                ),
                error_x=dict(
                    type="data", symmetric=False, color=theme.translucent(colour, 0.6), thickness=1.5, width=4,
                    array=[r["click_high"] - r["click_rate"]], arrayminus=[r["click_rate"] - r["click_low"]],
                ),
                error_y=dict(
                    type="data", symmetric=False, color=theme.translucent(colour, 0.6), thickness=1.5, width=4,
                    array=[r["unsubscribe_high"] - r["unsubscribe_rate"]],
                    arrayminus=[r["unsubscribe_rate"] - r["unsubscribe_low"]],
                ),
                text=[name],
                textposition="top right",
                textfont=dict(color=colour, size=13),
                hovertext=[hover],
                hoverinfo="text",
                name=name,
                showlegend=False,
            )
        )  # fmt: skip
    x_low, x_high = _span(shown, "click")
    _, y_high = _span(shown, "unsubscribe")
    fig.add_annotation(
        text="↘ bottom-right is better: more clicks, fewer unsubscribes",
        xref="paper", yref="paper", x=1, y=1.02, xanchor="right", yanchor="bottom",
        showarrow=False, font=dict(size=12, color=theme.MUTED),
    )  # fmt: skip
    fig.update_layout(
        template=theme.TEMPLATE,
        title=dict(text=formatting.chart_text(title)),
        height=theme.SCREEN_HEIGHT + 60,
        xaxis=dict(
            title="Click rate (% of messages sent)",
            ticksuffix=" %",
            range=[max(x_low, 0) * 0.9, x_high * 1.08],
        ),
        # Below zero a little, so a brand with no unsubscribe keeps its whole dot and label.
        yaxis=dict(
            title="Unsubscribe rate (% of messages sent)",
            ticksuffix=" %",
            range=[-0.08 * y_high, y_high * 1.12],
        ),
    )
    return fig


def relevance_trend_chart(rows: pl.DataFrame, colour: str, title: str) -> go.Figure:
    """Two stacked panels sharing the weeks: click rate above, unsubscribe
    rate below (their scales differ tenfold), each with its 95 % band."""
    metrics = [catalog.get("message_click_rate"), catalog.get("unsubscribe_rate")]
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.14,
        subplot_titles=[f"{m.label} (% of messages sent)" for m in metrics],
    )  # fmt: skip
    fig.update_annotations(font=dict(size=14))
    for i, metric in enumerate(metrics, start=1):
        part = rows.filter(pl.col("metric_id") == metric.id).sort("period_start")
        x = part.get_column("period_start").to_list()
        band = part.filter(pl.col("ci_low").is_not_null() & pl.col("ci_high").is_not_null())
        if band.height:
            bx = band.get_column("period_start").to_list()
            fig.add_trace(
                go.Scatter(
                    x=bx + bx[::-1],
                    y=band.get_column("ci_high").to_list() + band.get_column("ci_low").to_list()[::-1],
                    mode="lines", fill="toself", fillcolor=theme.translucent(colour, 0.15),
                    line=dict(width=0), hoverinfo="skip", showlegend=False,
                ),
                row=i, col=1,
            )  # fmt: skip
        hover = [
            f"week of {formatting.day_month_year(r['period_start'])}<br>{metric.label} "
            f"{formatting.value_text(metric, r['value'], '', n=r['n'])}<br>{r['n']:,} messages sent"
            for r in part.iter_rows(named=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=x, y=part.get_column("value").to_list(), mode="lines+markers",
                line=dict(color=colour, width=2.5, dash="solid" if i == 1 else "dot"),
                marker=dict(size=6, color=colour), name=metric.label,
                hovertext=hover, hoverinfo="text", showlegend=False, connectgaps=False,
            ),
            row=i, col=1,
        )  # fmt: skip
        fig.update_yaxes(ticksuffix=" %", rangemode="tozero", row=i, col=1)
    fig.update_layout(
        template=theme.TEMPLATE,
        title=dict(text=formatting.chart_text(title)),
        height=theme.SCREEN_HEIGHT + 120,
    )
    return fig
