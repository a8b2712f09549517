"""NPS, CSAT and customer effort side by side: one panel per metric, one
row per scope, the value with its 95 % interval (effort has none).

Input rows are `reports.service_scores` rows (one per metric × scope, with
`name`). Names and the title are shown as written (`formatting.chart_text`).
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from .. import catalog, formatting
from . import theme


def _panel_title(metric: catalog.Metric) -> str:
    scale = {"points": "points, −100 to 100", "%": "% scoring 4 or 5", "score 1–7": "mean, 1–7"}
    return f"{metric.label} ({scale.get(metric.unit, metric.unit)})"


def service_chart(rows: pl.DataFrame, colours: dict[str, str], title: str) -> go.Figure:
    """Three panels sharing the scopes' rows. A scope without a value keeps
    its row and says why in words (suppressed below 10 answers, no data)."""
    metric_ids = rows.get_column("metric_id").unique(maintain_order=True).to_list()
    metrics = [catalog.get(m) for m in metric_ids]
    names = [formatting.chart_text(n) for n in rows.get_column("name").unique(maintain_order=True)]
    fig = make_subplots(
        rows=1, cols=len(metrics), shared_yaxes=True, horizontal_spacing=0.04,
        subplot_titles=[_panel_title(m) for m in metrics],
    )  # fmt: skip
    fig.update_annotations(font=dict(size=14))
    for col, metric in enumerate(metrics, start=1):
        part = rows.filter(pl.col("metric_id") == metric.id)
        values = pl.concat([part.get_column(c).drop_nulls() for c in ("value", "ci_low", "ci_high")])
        low = float(values.min()) if values.len() else 0.0
        high = float(values.max()) if values.len() else 1.0
        pad = (high - low) * 0.3 or max(abs(high) * 0.1, 1.0)
        for r in part.iter_rows(named=True):
            colour = colours.get(r["scope"], theme.MUTED)
            name = formatting.chart_text(r["name"])
            if r["value"] is None:
                reason = formatting.kpi_text(metric, r, "")
                fig.add_trace(
                    go.Scatter(
                        x=[low - pad], y=[name], mode="text", text=[f" {reason}"],
                        textposition="middle right", textfont=dict(color=theme.MUTED, size=12),
                        hoverinfo="skip", showlegend=False,
                    ),
                    row=1, col=col,
                )  # fmt: skip
                continue
            has_ci = r["ci_low"] is not None and r["ci_high"] is not None
            text = formatting.value_text(metric, r["value"], "")
            ci = formatting.interval_text(metric, r["ci_low"], r["ci_high"], "")
            hover = (
                f"<b>{name}</b><br>{metric.label} {text}"
                + (f"<br>95 % interval {ci}" if ci else "<br>no interval (a mean score)")
                + f"<br>n = {r['n']:,} answers"
            )
            fig.add_trace(
                go.Scatter(
                    x=[r["value"]], y=[name], mode="markers+text",
                    marker=dict(size=13, color=colour, line=dict(color="white", width=1)),
                    error_x=dict(
                        type="data", symmetric=False, visible=has_ci, color=colour, thickness=2.5, width=7,
                        array=[r["ci_high"] - r["value"]] if has_ci else [0],
                        arrayminus=[r["value"] - r["ci_low"]] if has_ci else [0],
                    ),
                    text=[text], textposition="top center", textfont=dict(color=colour, size=12),
                    hovertext=[hover], hoverinfo="text", name=name, showlegend=False,
                ),
                row=1, col=col,
            )  # fmt: skip
        fig.update_xaxes(range=[low - pad, high + pad], row=1, col=col)
    fig.update_yaxes(categoryorder="array", categoryarray=names[::-1], showgrid=False, ticksuffix="  ")
    fig.update_layout(
        template=theme.TEMPLATE,
        title=dict(text=formatting.chart_text(title)),
        height=max(300, 70 * len(names) + 150),
        margin=dict(t=90),
    )
    return fig
