"""The purpose tree: company purpose → brand purpose → the customer
performance indicators the drivers judge → 90-day repurchase → net
revenue. Each indicator and outcome is coloured by its target status (grey
without a target); each indicator's edge to repurchase carries that
driver's gap in percentage points.

Inputs: `kpis`, kpi_frame rows of one scope over the drivers' period (the
indicators, repurchase_90d, net_revenue), and `drivers`, driver_frame rows
of the same scope and period.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go
import polars as pl

from .. import catalog, formatting
from . import theme

# Each driver and the indicator that measures it.
INDICATOR_OF = {
    "on_time_delivery": "on_time_delivery_rate",
    "purpose_achieved": "purpose_achieved_rate",
    "first_contact_resolution": "first_contact_resolution",
    "cause_participation": "cause_participation_rate",
}
TREE_METRICS = (*INDICATOR_OF.values(), "repurchase_90d", "net_revenue")


def _wrap(text: str, width: int = 26, lines: int = 4) -> str:
    parts = textwrap.wrap(text, width)[:lines]
    return "<br>".join(formatting.chart_text(p) for p in parts)


def purpose_tree(
    kpis: pl.DataFrame,
    drivers: pl.DataFrame,
    company_purpose: str | None,
    brand_purpose: str | None,
    scope_name: str,
    title: str,
    currency: str,
    subtitle: str = "",
) -> go.Figure:
    rows = {r["metric_id"]: r for r in kpis.iter_rows(named=True)}
    gaps = {r["driver"]: r for r in drivers.iter_rows(named=True)}
    fig = go.Figure()
    ys = [3.0, 2.0, 1.0, 0.0]  # the four indicators, top to bottom
    nodes: list[tuple[float, float, str, str, str]] = [  # x, y, text, colour, hover
        (0.0, 1.5, "<b>Company purpose</b><br>" + _wrap(company_purpose or "—"), theme.COMPANY_COLOUR, ""),
        (1.0, 1.5, f"<b>{formatting.chart_text(scope_name)}</b><br>" + _wrap(brand_purpose or "—"), theme.COMPANY_COLOUR, ""),
    ]  # fmt: skip

    def metric_node(x: float, y: float, metric_id: str) -> None:
        metric = catalog.get(metric_id)
        r = rows.get(metric_id)
        value = formatting.kpi_text(metric, r, currency) if r else formatting.NO_DATA
        status = r["status"] if r else None
        target = (
            f"<br>target {formatting.value_text(metric, r['target'], currency)}"
            if r and r["target"] is not None
            else ""
        )
        colour = theme.STATUS_COLOURS.get(status or "", theme.MUTED)
        mark = {"green": " ✔", "amber": " ≈", "red": " ✖"}.get(status or "", "")
        nodes.append((x, y, f"<b>{metric.label}</b><br>{formatting.chart_text(value)}{mark}", colour, target))

    for y, metric_id in zip(ys, INDICATOR_OF.values(), strict=True):
        metric_node(2.0, y, metric_id)
    metric_node(3.6, 1.5, "repurchase_90d")
    metric_node(4.7, 1.5, "net_revenue")

    def edge(x0: float, y0: float, x1: float, y1: float, label: str = "", strong: bool = False) -> None:
        fig.add_trace(
            go.Scatter(
                x=[x0 + 0.4, x1 - 0.4], y=[y0, y1], mode="lines", hoverinfo="skip", showlegend=False,
                line=dict(color=theme.COMPANY_COLOUR if strong else theme.GRID, width=3 if strong else 2),
            )
        )  # fmt: skip
        if label:
            fig.add_annotation(
                x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=label, showarrow=False, yshift=9,
                font=dict(size=12, color=theme.COMPANY_COLOUR if strong else theme.MUTED),
                bgcolor="rgba(255,255,255,0.85)",
            )  # fmt: skip

    edge(0.0, 1.5, 1.0, 1.5)
    for y in ys:
        edge(1.0, 1.5, 2.0, y)
    for y, driver in zip(ys, INDICATOR_OF, strict=True):
        g = gaps.get(driver)
        if g is None or g["difference_pp"] is None:
            label, strong = "gap: too few to compare" if g and not g["immature"] else "gap: not yet", False
        else:
            differs = g["ci_low"] > 0 or g["ci_high"] < 0
            label, strong = f"{g['difference_pp']:+.1f} pp {'✔' if differs else '≈'}", differs
        edge(2.0, y, 3.6, 1.5, label, strong)
    edge(3.6, 1.5, 4.7, 1.5)

    for x, y, text, colour, hover in nodes:
        fig.add_trace(
            go.Scatter(
                x=[x], y=[y], mode="markers+text", text=[text], textposition="middle center",
                marker=dict(symbol="square", size=1, color=colour), textfont=dict(size=12, color=colour),
                hovertext=[text + hover], hoverinfo="text", showlegend=False,
            )
        )  # fmt: skip
    fig.update_layout(
        template=theme.TEMPLATE,
        title=dict(text=formatting.chart_text(title), subtitle=dict(text=formatting.chart_text(subtitle))),
        height=520,
        xaxis=dict(visible=False, range=[-0.45, 5.15]),
        yaxis=dict(visible=False, range=[-0.5, 3.5]),
        margin=dict(l=10, r=10),
    )
    return fig
