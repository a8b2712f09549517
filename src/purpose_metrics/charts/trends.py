"""Trend charts: a metric over a weekly or monthly grid, with its 95 %
interval band, its target and the initiatives meant to move it.

Input rows are kpi_frame rows (one per scope × period_start) with a `name`
column; initiative markers are `views.initiative_markers` rows. Names,
initiative labels and titles are shown as written (`formatting.chart_text`),
never read as Plotly's HTML-like markup.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from .. import formatting
from ..catalog import Metric
from . import theme

_MARKER_COLOUR = "#6A3D9A"  # initiatives: one colour, distinct from the brands' lines
# Characters of an initiative's flag on the chart (its whole name is in the
# flag's hover): Plotly widens the date axis to fit a flag's text.
_FLAG_CHARACTERS = 40


def _when(start, grain: str) -> str:
    """'week of 2 Mar 2026' or 'March 2026': a point's period in its hover."""
    return f"week of {formatting.day_month_year(start)}" if grain == "week" else formatting.month_name(start)


def _hover(rows: pl.DataFrame, metric: Metric, currency: str, grain: str) -> list[str]:
    out = []
    for r in rows.iter_rows(named=True):
        when = _when(r["period_start"], grain)
        if r.get("period_label"):  # a fiscal week: FY2026-W08, from 22 Mar 2026
            when = f"week {r['period_label']}, from {formatting.day_month_year(r['period_start'])}"
        text = formatting.kpi_text(metric, r, currency)
        ci = formatting.interval_text(metric, r["ci_low"], r["ci_high"], currency)
        lines = [f"<b>{formatting.chart_text(r['name'])}</b>", when, text]
        if ci and r["value"] is not None:
            lines.append(f"95 % interval {ci}")
        if r["target"] is not None:
            lines.append(f"target {formatting.value_text(metric, r['target'], currency)}")
        lines.append(f"n = {r['n']:,}")
        out.append("<br>".join(lines))
    return out


def _grain(rows: pl.DataFrame) -> str:
    starts = rows.get_column("period_start").unique().sort()
    if starts.len() > 1 and (starts[1] - starts[0]).days > 7:
        return "month"
    return "week"


def _runs(rows: pl.DataFrame) -> list[pl.DataFrame]:
    """The stretches of consecutive periods that have an interval (a band
    drawn across a gap would invent values)."""
    has = rows.get_column("ci_low").is_not_null() & rows.get_column("ci_high").is_not_null()
    runs = rows.with_columns(_has=has, _run=(has != has.shift(1, fill_value=False)).cum_sum())
    return [
        part.drop("_has", "_run")
        for part in runs.filter(pl.col("_has")).partition_by("_run", maintain_order=True)
    ]


def _add_scope(
    fig: go.Figure,
    rows: pl.DataFrame,
    metric: Metric,
    colour: str,
    currency: str,
    grain: str,
    *,
    show_target: bool,
    showlegend: bool,
    row: int | None = None,
    col: int | None = None,
) -> None:
    pos = {"row": row, "col": col} if row is not None else {}
    x = rows.get_column("period_start").to_list()
    name = formatting.chart_text(rows.get_column("name")[0])
    for run in _runs(rows):  # one band per stretch of periods with an interval
        rx = run.get_column("period_start").to_list()
        fig.add_trace(
            go.Scatter(
                x=rx + rx[::-1],
                y=run.get_column("ci_high").to_list() + run.get_column("ci_low").to_list()[::-1],
                mode="lines",
                fill="toself",
                fillcolor=theme.translucent(colour, 0.15),
                line=dict(width=0),
                hoverinfo="skip",
                showlegend=False,
                name=f"{name} 95 % interval",
            ),
            **pos,
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=rows.get_column("value").to_list(),
            mode="lines+markers",
            line=dict(color=colour, width=2.5),
            marker=dict(size=6, color=colour),
            name=name,
            legendgroup=name,
            showlegend=showlegend,
            hovertext=_hover(rows, metric, currency, grain),
            hoverinfo="text",
            connectgaps=False,
        ),
        **pos,
    )
    if show_target and rows.get_column("target").is_not_null().any():
        fig.add_trace(
            go.Scatter(
                x=x,
                y=rows.get_column("target").to_list(),
                mode="lines",
                line=dict(color=theme.MUTED, width=1.5, dash="dash", shape="hv"),
                name="target",
                legendgroup="target",
                showlegend=showlegend,
                hoverinfo="skip",
            ),
            **pos,
        )


def _add_markers(fig: go.Figure, markers: pl.DataFrame, axis_suffix: str = "") -> None:
    """Initiatives: a dotted vertical line and a flag label at the top."""
    for i, m in enumerate(markers.iter_rows(named=True)):
        x = m["launched_at"]
        fig.add_shape(
            type="line",
            x0=x,
            x1=x,
            xref=f"x{axis_suffix}",
            y0=0,
            y1=1,
            yref=f"y{axis_suffix} domain",
            line=dict(color=_MARKER_COLOUR, width=1.5, dash="dot"),
        )
        fig.add_annotation(
            x=x,
            xref=f"x{axis_suffix}",
            y=1 - 0.09 * (i % 3),
            yref=f"y{axis_suffix} domain",
            text=f"⚑ {formatting.chart_text(m['label'], _FLAG_CHARACTERS)}",
            hovertext=formatting.chart_text(m["label"]),
            showarrow=False,
            xanchor="left",
            yanchor="top",
            font=dict(color=_MARKER_COLOUR, size=12),
            bgcolor="rgba(255,255,255,0.8)",
        )


def _y_title(metric: Metric, currency: str) -> str:
    if metric.fmt == "currency":
        return currency or "amount"
    return metric.unit


def _footnote(rows: pl.DataFrame, metric: Metric) -> str | None:
    suppressed = rows.filter(pl.col("suppressed")).height
    immature = rows.filter(pl.col("immature")).height
    parts = []
    if suppressed:
        note = f"gaps: fewer than {metric.survey_min} answers (suppressed)"
        if rows.filter(pl.col("suppressed") & (pl.col("n") >= (metric.survey_min or 0))).height:
            note += " or withheld to protect a small group"
        parts.append(note)
    if immature:
        parts.append("gaps: not yet measurable (the 90 days have not passed)")
    return "; ".join(parts) or None


def _add_last_year(
    fig: go.Figure, rows: pl.DataFrame, metric: Metric, colour: str, currency: str, grain: str
) -> None:
    """Last year's line of one scope (`views.metric_trend_last_year` rows:
    at this year's x, `last_year_start` when it began): lighter and dashed."""
    name = formatting.chart_text(rows.get_column("name")[0])
    hover = []
    for r in rows.iter_rows(named=True):
        when = _when(r["last_year_start"], grain)
        hover.append(
            f"<b>{name}, last year</b><br>{when}<br>{formatting.kpi_text(metric, r, currency)}<br>n = {r['n']:,}"
        )
    fig.add_trace(
        go.Scatter(
            x=rows.get_column("period_start").to_list(),
            y=rows.get_column("value").to_list(),
            mode="lines",
            line=dict(
                color=theme.translucent(colour, 0.5), width=2.2, dash="longdash"
            ),  # target: short dashes
            name=f"{name}, last year",
            legendgroup=f"{name} last year",
            showlegend=True,
            hovertext=hover,
            hoverinfo="text",
            connectgaps=False,
        )
    )


def trend_chart(
    rows: pl.DataFrame,
    metric: Metric,
    colours: dict[str, str],
    title: str,
    currency: str = "",
    markers: pl.DataFrame | None = None,
    last_year: pl.DataFrame | None = None,
) -> go.Figure:
    """One line per scope in `rows` (with a band for its 95 % interval), the
    target as a dashed step when a single scope is shown, and initiatives.
    `last_year` (views.metric_trend_last_year) adds each scope's line of the
    year before at the same x positions, lighter and dashed."""
    grain = _grain(rows)
    scopes = rows.get_column("scope").unique(maintain_order=True).to_list()
    fig = go.Figure()
    if last_year is not None and last_year.height:  # drawn first: this year's line stays on top
        for scope in scopes:
            part = last_year.filter(pl.col("scope") == scope).sort("period_start")
            if part.height:
                _add_last_year(fig, part, metric, colours.get(scope, theme.MUTED), currency, grain)
    for scope in scopes:
        part = rows.filter(pl.col("scope") == scope).sort("period_start")
        _add_scope(
            fig, part, metric, colours.get(scope, theme.MUTED), currency, grain,
            show_target=len(scopes) == 1, showlegend=True,
        )  # fmt: skip
    if markers is not None and markers.height:
        _add_markers(fig, markers.unique(["launched_at", "label"], maintain_order=True))
    note = _footnote(rows, metric)
    fig.update_layout(
        template=theme.TEMPLATE,
        title=dict(text=formatting.chart_text(title)),
        height=theme.SCREEN_HEIGHT,
        yaxis_title=_y_title(metric, currency),
        showlegend=len(scopes) > 1
        or rows.get_column("target").is_not_null().any()
        or (last_year is not None and last_year.height > 0),
    )
    if note:
        fig.add_annotation(
            text=note, xref="paper", yref="paper", x=1, y=1.02, xanchor="right", yanchor="bottom",
            showarrow=False, font=dict(size=11, color=theme.MUTED),
        )  # fmt: skip
    return fig


def small_multiples(
    rows: pl.DataFrame,
    metric: Metric,
    colours: dict[str, str],
    title: str,
    currency: str = "",
    markers: pl.DataFrame | None = None,
    columns: int = 3,
) -> go.Figure:
    """One panel per scope (in the order of `rows`), sharing the y axis, each
    with its band, target and the initiatives shown on it. A panel with no
    value says so in words instead of showing an empty axis."""
    grain = _grain(rows)
    scopes = rows.get_column("scope").unique(maintain_order=True).to_list()
    names = {
        scope: formatting.chart_text(name)
        for scope, name in rows.select("scope", "name").unique().iter_rows()
    }
    n_rows = math.ceil(len(scopes) / columns)
    fig = make_subplots(
        rows=n_rows,
        cols=columns,
        shared_xaxes="all",
        shared_yaxes="all",
        subplot_titles=[names[s] for s in scopes],
        horizontal_spacing=0.04,
        vertical_spacing=0.16 if n_rows > 1 else 0.1,
    )
    fig.update_annotations(font=dict(size=14))  # the panel titles, before any note is added
    for i, scope in enumerate(scopes):
        r, c = divmod(i, columns)
        part = rows.filter(pl.col("scope") == scope).sort("period_start")
        suffix = "" if i == 0 else str(i + 1)
        if part.get_column("value").is_null().all():
            reason = formatting.NO_DATA
            if part.get_column("suppressed").any():
                reason = f"suppressed (fewer than {metric.survey_min} answers)"
                if part.filter(pl.col("suppressed") & (pl.col("n") >= (metric.survey_min or 0))).height:
                    reason = "suppressed or withheld (small groups stay anonymous)"
            elif part.get_column("immature").any():
                reason = formatting.IMMATURE
            fig.add_annotation(
                text=f"{names[scope]}: {reason}",
                xref=f"x{suffix} domain", yref=f"y{suffix} domain", x=0.5, y=0.5,
                showarrow=False, font=dict(color=theme.MUTED, size=13),
            )  # fmt: skip
            fig.update_xaxes(visible=False, row=r + 1, col=c + 1)
            continue
        _add_scope(
            fig, part, metric, colours.get(scope, theme.MUTED), currency, grain,
            show_target=True, showlegend=False, row=r + 1, col=c + 1,
        )  # fmt: skip
        if markers is not None and markers.height:
            _add_markers(fig, markers.filter(pl.col("scope") == scope), suffix)
    fig.update_layout(
        template=theme.TEMPLATE,
        title=dict(text=formatting.chart_text(title)),
        height=max(theme.SCREEN_HEIGHT, 260 * n_rows + 80),
        showlegend=False,
    )
    note = _footnote(rows, metric)
    if note:
        fig.add_annotation(
            text=note, xref="paper", yref="paper", x=1, y=1.0, xanchor="right", yanchor="bottom",
            yshift=28, showarrow=False, font=dict(size=11, color=theme.MUTED),
        )  # fmt: skip
    fig.update_yaxes(title_text=_y_title(metric, currency), col=1)
    # Every panel keeps its dates (a short last row leaves gaps); narrow panels take fewer.
    fig.update_xaxes(showticklabels=True, nticks=5)
    return fig
