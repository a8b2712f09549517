"""Drivers: the gap in 90-day repurchase between each driver's good and bad
group, one dot per driver with its 95 % Newcombe interval, against zero.

Input rows are `metrics.driver_frame` rows of one scope and period.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from .. import formatting
from ..metrics.drivers import DRIVER_LABELS
from ..views.drivers import short_why_not, verdict
from . import theme


def driver_chart(rows: pl.DataFrame, title: str, currency: str = "", subtitle: str = "") -> go.Figure:
    """A horizontal dot plot in neutral ink (a driver is not a brand):
    difference in percentage points, interval as error bars, a line at 0.
    A driver without a difference keeps its row and says why."""
    shown = rows.filter(pl.col("difference_pp").is_not_null())
    bounds = [0.0, *shown.get_column("ci_low").to_list(), *shown.get_column("ci_high").to_list()]
    low, high = min(bounds), max(bounds)
    pad = (high - low) * 0.1 or 5.0
    fig = go.Figure()
    for r in rows.iter_rows(named=True):
        name = DRIVER_LABELS[r["driver"]]
        if r["difference_pp"] is None:
            fig.add_trace(
                go.Scatter(
                    x=[low - pad], y=[name], mode="text", text=[f"  {short_why_not(r)}"],
                    textposition="middle right", textfont=dict(color=theme.MUTED, size=13),
                    hoverinfo="skip", showlegend=False,
                )
            )  # fmt: skip
            continue
        differs = verdict(r) == "differs"
        colour = theme.COMPANY_COLOUR if differs else theme.MUTED
        stake = r["revenue_at_stake"]
        hover = (
            f"<b>{name}</b><br>good {r['rate_good']:.1f} % of {r['n_good']:,} · bad {r['rate_bad']:.1f} % "
            f"of {r['n_bad']:,}<br>gap {r['difference_pp']:+.1f} pp, 95 % interval "
            f"{r['ci_low']:+.1f} to {r['ci_high']:+.1f}"
            + (f"<br>revenue at stake {formatting.money(stake, currency)}" if stake else "")
        )
        fig.add_trace(
            go.Scatter(
                x=[r["difference_pp"]], y=[name], mode="markers+text",
                marker=dict(size=14, color=colour, symbol="circle" if differs else "circle-open",
                            line=dict(color=colour, width=2)),
                error_x=dict(type="data", symmetric=False, array=[r["ci_high"] - r["difference_pp"]],
                             arrayminus=[r["difference_pp"] - r["ci_low"]], color=colour, thickness=2.5, width=8),
                text=[f"{r['difference_pp']:+.1f} pp"], textposition="top center",
                textfont=dict(color=colour, size=13), hovertext=[hover], hoverinfo="text", showlegend=False,
            )
        )  # fmt: skip
    order = [DRIVER_LABELS[d] for d in rows.get_column("driver")]
    fig.add_vline(x=0, line=dict(color=theme.MUTED, width=1, dash="dot"))
    fig.update_layout(
        template=theme.TEMPLATE,
        title=dict(text=formatting.chart_text(title), subtitle=dict(text=formatting.chart_text(subtitle))),
        height=max(260, 64 * len(order) + 130),
        yaxis=dict(categoryorder="array", categoryarray=order[::-1], showgrid=False, ticksuffix="  "),
        xaxis=dict(
            title="Good − bad, percentage points (bar: 95 % interval)",
            range=[low - pad, high + pad],
        ),
    )
    return fig
