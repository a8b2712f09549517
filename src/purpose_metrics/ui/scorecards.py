"""KPI cards as one block of HTML per pillar.

A card: the KPI with its unit, its value, the change against the previous
week (or month) coloured by whether it is better or worse and, smaller,
against the same week (month) last year, a sparkline of
the last twelve periods, the status against target in words and a mark
(never colour alone), the target, how many records the value rests on (and,
visibly, when that is a small sample), and the initiatives launched within
the sparkline. The definition is the card's tooltip.

Why HTML and not thirty st.metric cards: each Streamlit element is a
component the browser lays out on its own, and the thirty cards with their
borders, charts and captions were most of the home page's drawing time. One
st.html per pillar is drawn at once. Every text from data (initiative
names) is HTML-escaped here; the rest are the catalog's words and numbers.
"""

from __future__ import annotations

import html
import string
from collections.abc import Sequence

import polars as pl
import streamlit as st

from .. import catalog, formatting, views
from ..charts.sparkline import sparkline_img
from ..charts.theme import STATUS_COLOURS, page_colour
from .charts import is_dark

STATUS_MARKS = {"green": "✔", "amber": "≈", "red": "✖"}
# Below this many records a value is shown with "small sample" beside its n
# (survey metrics below their minimum are suppressed anyway).
SMALL_SAMPLE = 30

_STYLE_TEMPLATE = """
<style>
.pm-cards {display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); gap: 0.75rem;}
.pm-card {border: 1px solid rgba(128,128,128,0.3); border-radius: 0.5rem; padding: 0.7rem 0.9rem;
  display: flex; flex-direction: column; gap: 0.2rem; break-inside: avoid;}
.pm-label {font-size: 0.9rem; opacity: 0.85;}
.pm-value {font-size: 1.75rem; font-weight: 600; line-height: 1.2;}
.pm-value.pm-missing {font-size: 1.05rem; font-weight: 500; opacity: 0.8;}
.pm-delta {font-size: 0.9rem;}
.pm-year {font-size: 0.8rem;}
.pm-better {color: $green;} .pm-worse {color: $red;} .pm-same {opacity: 0.7;}
.pm-foot {font-size: 0.85rem;}
.pm-status {font-weight: 600;}
.pm-small {font-size: 0.8rem; opacity: 0.75;}
.pm-flag {font-size: 0.8rem; color: $flag;}
.pm-warn {color: $amber; font-weight: 600;}
.pm-spark {width: 10rem; height: 2.2rem; margin: 0.15rem 0;}
</style>
"""


FLAG_COLOUR = "#6B4FA0"


def card_style(dark: bool) -> str:
    """The cards' CSS, its colours as they read on the ground shown (theme.page_colour)."""
    colours = {name: page_colour(STATUS_COLOURS[name], dark) for name in ("green", "amber", "red")}
    return string.Template(_STYLE_TEMPLATE).substitute(colours, flag=page_colour(FLAG_COLOUR, dark))


def is_small_sample(row: dict, metric: catalog.Metric) -> bool:
    """Whether a value is shown but estimated from fewer than SMALL_SAMPLE
    records (a suppressed value is not shown at all). Only an estimate is a
    sample: a count or a sum is what it is, and the ledger's and the
    workforce's figures are the company's own books, whatever their rows."""
    if metric.kind in ("count", "sum") or metric.source in ("ledger", "workforce"):
        return False
    n = row.get("n")
    return row.get("value") is not None and n is not None and n < SMALL_SAMPLE and not row.get("suppressed")


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _delta(metric: catalog.Metric, row: dict, currency: str) -> str:
    if row["value"] is None:
        return ""
    change = row["change"]
    text = formatting.change_text(metric, change, currency)
    if text is None:
        return ""
    previous = row.get("compared") or ("previous month" if row["grain"] == "month" else "previous week")
    if formatting.is_zero_change(metric, change):
        return f'<span class="pm-delta pm-same">{_esc(text)} vs {previous}</span>'
    better = (change > 0) == (metric.direction == "up")
    arrow = "▲" if change > 0 else "▼"
    css = "pm-better" if better else "pm-worse"
    word = "better" if better else "worse"
    return f'<span class="pm-delta {css}">{arrow} {_esc(text)} vs {previous} ({word})</span>'


def _year_delta(metric: catalog.Metric, row: dict, currency: str) -> str:
    """The second, smaller line: the change against the same week (month)
    last year (SPEC 7), or why there is none."""
    compared = row.get("compared_year")
    if not compared:
        return ""
    if row.get("last_year_start") is None:
        return '<span class="pm-year pm-same">No comparable week last year (a week 53 has none)</span>'
    if row["value"] is None:  # as the first line: nothing to compare
        return ""
    change = row.get("change_year")
    text = formatting.change_text(metric, change, currency)
    if text is None:
        return f'<span class="pm-year pm-same">vs {_esc(compared)}: no value then</span>'
    if formatting.is_zero_change(metric, change):
        return f'<span class="pm-year pm-same">{_esc(text)} vs {_esc(compared)}</span>'
    better = (change > 0) == (metric.direction == "up")
    arrow = "▲" if change > 0 else "▼"
    css = "pm-better" if better else "pm-worse"
    return f'<span class="pm-year {css}">{arrow} {_esc(text)} vs {_esc(compared)}</span>'


def card_html(row: dict, currency: str, initiatives: Sequence[str] = (), dark: bool = False) -> str:
    """One KPI card of a `views.week_kpis` row."""
    metric = catalog.get(row["metric_id"])
    shown = row["value"] is not None
    value = formatting.kpi_text(metric, row, currency, with_unit=False)
    status = row["status"]
    foot = []
    if status:
        colour = page_colour(STATUS_COLOURS[status], dark)
        foot.append(
            f'<span class="pm-status" style="color:{colour}">{STATUS_MARKS[status]} {formatting.status_text(status)}</span>'
        )
    if row["target"] is not None:
        foot.append(f"target {_esc(formatting.value_text(metric, row['target'], currency))}")
    if row["grain"] == "month":
        foot.append(f"{_esc(formatting.month_name(row['period_start']))} (whole month)")
    n = int(row["n"] or 0)
    sample = f"n = {n:,} {_esc(metric.population)}"
    if is_small_sample(row, metric):
        sample += ' · <span class="pm-warn">small sample</span>'
    spark = sparkline_img(row["trend"], status, label=f"{metric.label}, last {len(row['trend'])} periods")
    flags = "".join(f'<div class="pm-flag">⚑ {_esc(name)}</div>' for name in initiatives)
    tooltip = _esc(f"{metric.definition} n = {n:,} ({metric.population}).")
    return (
        f'<div class="pm-card" data-metric="{metric.id}" title="{tooltip}">'
        f'<div class="pm-label">{_esc(formatting.card_label(metric))}</div>'
        f'<div class="pm-value{"" if shown else " pm-missing"}">{_esc(value)}</div>'
        f"{_delta(metric, row, currency)}{_year_delta(metric, row, currency)}{spark}"
        f'<div class="pm-foot">{" · ".join(foot)}</div>'
        f'<div class="pm-small">{sample}</div>{flags}</div>'
    )


def kpi_grid(
    kpis: pl.DataFrame, scope: str, currency: str, markers: pl.DataFrame, pillars: Sequence[str] | None = None
) -> None:
    """The scope's cards grouped by the dashboard's pillars (all by default):
    one pillar under its heading; several in tabs, each labelled with how
    many of its KPIs are off and near target (the page stays one screen
    tall instead of thirty cards long)."""
    cards = kpis.filter(pl.col("scope") == scope)
    flags = markers.filter(pl.col("scope") == scope)
    shown = [
        p for p in pillars or list(views.DASHBOARD_PILLARS)
        if cards.filter(pl.col("metric_id").is_in(list(views.DASHBOARD_PILLARS[p]))).height  # none: not theirs
    ]  # fmt: skip
    if len(shown) == 1:
        st.subheader(shown[0], divider="gray")
        _pillar_cards(cards, flags, shown[0], currency)
        return
    for pillar, tab in zip(shown, st.tabs([_tab_label(p, cards) for p in shown]), strict=True):
        with tab:
            _pillar_cards(cards, flags, pillar, currency)


def _tab_label(pillar: str, cards: pl.DataFrame) -> str:
    """'Loyalty · ✖ 2 · ≈ 1' (or just 'Loyalty' when all is on target)."""
    statuses = cards.filter(pl.col("metric_id").is_in(list(views.DASHBOARD_PILLARS[pillar])))["status"]
    red, amber = int((statuses == "red").sum()), int((statuses == "amber").sum())
    parts = [pillar] + ([f"✖ {red}"] if red else []) + ([f"≈ {amber}"] if amber else [])
    return " · ".join(parts)


def _pillar_cards(cards: pl.DataFrame, flags: pl.DataFrame, pillar: str, currency: str) -> None:
    dark = is_dark()  # the charts' decision (ui/charts.py): the cards follow it
    metric_ids = views.DASHBOARD_PILLARS[pillar]
    body = []
    for row in cards.filter(pl.col("metric_id").is_in(list(metric_ids))).iter_rows(named=True):
        launched = flags.filter(
            (pl.col("metric_id") == row["metric_id"])
            & (pl.col("launched_at") >= row["trend_starts"][0])
            & (pl.col("launched_at") < row["period_end"])
        )
        labels = [
            f"{r['label']}, {r['launched_at'].day} {r['launched_at']:%b %Y}"
            for r in launched.iter_rows(named=True)
        ]
        body.append(card_html(row, currency, labels, dark))
    st.html(f'{card_style(dark)}<div class="pm-cards">{"".join(body)}</div>')
