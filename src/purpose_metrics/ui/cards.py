"""The needs-attention list, the headline, purpose statements, brand status
(the KPI cards are ui/scorecards.py).

Renders rows of `views.week_kpis` / `views.attention` / `views.scope_summary`;
computes nothing beyond choosing words and colours. Every text that comes
from data (names, purposes, initiative labels) goes into Markdown through
`formatting.plain`, so it shows as written and never as a link, an image,
a formula or a colour.
"""

from __future__ import annotations

import polars as pl
import streamlit as st
from streamlit.errors import StreamlitAPIException

from .. import catalog, formatting, views
from ..catalog import Metric
from ..charts.theme import page_colour
from . import scorecards
from .charts import is_dark

STATUS_BADGE = {
    "green": ":green-badge[:material/check_circle: on target]",
    "amber": ":orange-badge[:material/error: near target]",
    "red": ":red-badge[:material/cancel: off target]",
}
ATTENTION_SHOWN = 8


def dot(colour: str) -> str:
    """A coloured bullet for a brand (its fixed chart colour), as the charts
    draw it on the theme shown (the company's dark grey turns light on the
    dark theme: charts.is_dark decides for both)."""
    return f'<span style="color:{page_colour(colour, is_dark())};font-size:1.1em">●</span>'


def purpose_banner(big: str | None, medium: str | None, brand_name: str | None, company_name: str) -> None:
    """The company's purpose (Big-P) and, for a brand, its purpose (Medium-P)."""
    plain = formatting.plain
    with st.container(border=True):
        if big:
            st.markdown(f"**{plain(company_name or 'Our')} purpose** · {plain(big)}")
        else:
            st.caption("The company has not stated its purpose yet.")
        if brand_name is not None:
            if medium:
                st.markdown(f"**{plain(brand_name)} purpose** · {plain(medium)}")
            else:
                st.caption(f"{plain(brand_name)} has not stated its own purpose yet.")


def shortfall_text(metric: Metric, shortfall: float, currency: str) -> str:
    size = formatting.change_text(metric, abs(shortfall), currency) or ""
    return f"{size.lstrip('+')} {'short' if metric.direction == 'up' else 'over'}"


def _attention_line(row: dict, names: dict[str, str], colours: dict[str, str], currency: str) -> str:
    metric = catalog.get(row["metric_id"])
    value = formatting.value_text(metric, row["value"], currency)
    target = formatting.value_text(metric, row["target"], currency)
    when = row.get("when") or views.period_label(row["grain"], row["period_start"])
    noise = {"beyond noise": " · **beyond noise**", "within noise": " · _within noise_"}.get(
        row.get("noise") or "", ""
    )
    who = names.get(row["scope"], row["scope"])
    return (
        f"{STATUS_BADGE[row['status']]} {dot(colours.get(row['scope'], '#888'))} "
        f"**{formatting.plain(who)}** · {metric.label} "
        f"**{formatting.markdown_value(value)}** vs target {formatting.markdown_value(target)} — "
        f"{formatting.markdown_value(shortfall_text(metric, row['shortfall'], currency))} ({when}){noise}"
        f"{small_sample_words(metric, row)}"
    )


def small_sample_words(metric: Metric, row: dict) -> str:
    """' · :orange[**⚠ small sample**, n = 10]' for a value from fewer than
    SMALL_SAMPLE records, in the line itself (not only in a tooltip); ''
    otherwise. Short: the line is long already, and the card says what n counts."""
    if not scorecards.is_small_sample(row, metric):
        return ""
    nb = "\u00a0"  # no break inside "⚠ small sample" or "n = 10": a narrow panel wraps between them
    return f" · :orange[**⚠{nb}small{nb}sample**, n{nb}={nb}{row['n']:,}]"


# Where a KPI's year-long trend is: its pillar's page and that page's KPI picker.
TREND_PAGES = {
    "Loyalty": ("loyalty", "loyalty_kpi"),
    "Customer purpose": ("customer_purpose", "purpose_kpi"),
    "People": ("people", "people_kpi"),
    "Planet and community": ("impact", "impact_kpi"),
}


_DRILL = "_pm_drill_to"  # session_state: the page a "Trend" click goes to


def drill_target(metric_id: str) -> tuple[str, str]:
    """(the page, its KPI picker's key) holding `metric_id`'s year-long trend."""
    path, key = TREND_PAGES[views.PILLAR_OF[metric_id]]
    return f"pages/{path}.py", key


def _drill(scope: str, metric_id: str) -> None:
    """A "Trend" click: the pickers the pages share take the scope and the
    KPI (the brand picker is shared across pages, so a link's ?brand= would
    lose to it), then the run goes to the pillar's page."""
    target, key = drill_target(metric_id)
    st.session_state["brand"] = scope
    st.session_state[key] = metric_id
    st.session_state[_DRILL] = (target, key, catalog.get(metric_id).label)


def follow_drill() -> None:
    """Go where a "Trend" click asked (called before the page draws). The
    pillar page's link names the KPI (`?loyalty_kpi=NPS`) as well as the
    brand, so a copied link lands on the same trend. (Switching with no
    query of its own would clear the link, which Streamlit refuses while a
    parameter such as ?week= is bound to a widget.)"""
    drill = st.session_state.pop(_DRILL, None)
    if not drill:
        return
    target, key, label = drill
    try:
        st.switch_page(target, query_params={key: label})
    except StreamlitAPIException:  # the KPI's parameter is still bound from an earlier visit
        st.switch_page(target, query_params={})


def _attention_items(rows: list[dict], first: int, names: dict[str, str], colours: dict[str, str],
                     currency: str) -> None:  # fmt: skip
    for i, row in enumerate(rows, first):
        with st.container(horizontal=True, vertical_alignment="center", gap="small", wrap=False):
            st.markdown(f"{i}. {_attention_line(row, names, colours, currency)}", unsafe_allow_html=True)
            st.button("Trend", icon=":material/show_chart:", type="tertiary", on_click=_drill,
                      args=(row["scope"], row["metric_id"]), key=f"drill_{row['scope']}_{row['metric_id']}",
                      help=f"{catalog.get(row['metric_id']).label}: a year, with its interval and target")  # fmt: skip


def headline(
    worst: dict | None, names: dict[str, str], currency: str, company_view: bool, when: str = "week"
) -> None:
    """One sentence: who is furthest below target in the period (`when`: its kind), and on what."""
    if worst is None:
        period = {"ytd": "year to date", "custom": "range"}.get(when, when)
        st.success(f"Every KPI with a target is on target this {period}.", icon=":material/check_circle:")
        return
    metric = catalog.get(worst["metric_id"])
    who = formatting.plain(names.get(worst["scope"], worst["scope"]))
    value = formatting.markdown_value(formatting.value_text(metric, worst["value"], currency))
    target = formatting.markdown_value(formatting.value_text(metric, worst["target"], currency))
    shortfall = formatting.markdown_value(shortfall_text(metric, worst["shortfall"], currency))
    lead = "Furthest below target" + (" among brands" if company_view and worst["scope"] != "company" else "")
    small = small_sample_words(metric, worst)  # in the heading: as loud as the number it qualifies
    st.markdown(f"#### {lead}: {who} — {metric.label}, {value} against {target} ({shortfall}){small}")


def attention_list(rows: pl.DataFrame, names: dict[str, str], colours: dict[str, str], currency: str) -> None:
    """The red and amber KPIs, worst first; the first few, the rest folded.
    Each KPI's name opens its trend for that scope on its pillar's page."""
    if rows.height == 0:
        st.caption("Nothing needs attention: no KPI with a target is off or near it.")
        return
    st.caption(
        "**Beyond noise**: the whole 95 % interval misses the target. _Within noise_: the interval reaches "
        "the target, so this sample cannot tell. **Trend** opens the KPI's year on its pillar's page."
    )
    items = rows.to_dicts()
    _attention_items(items[:ATTENTION_SHOWN], 1, names, colours, currency)
    if len(items) > ATTENTION_SHOWN:
        with st.expander(f"{len(items) - ATTENTION_SHOWN} more"):
            _attention_items(items[ATTENTION_SHOWN:], ATTENTION_SHOWN + 1, names, colours, currency)


def scope_status(
    summary: pl.DataFrame, names: dict[str, str], colours: dict[str, str], currency: str
) -> None:
    """One small panel per brand: how many KPIs are off, near and on target,
    and the worst of them."""
    rows = summary.to_dicts()
    columns = st.columns(len(rows)) if rows else []
    for column, row in zip(columns, rows, strict=True):
        with column.container(border=True, height="stretch"):
            st.markdown(
                f"{dot(colours.get(row['scope'], '#888'))} **{formatting.plain(names.get(row['scope'], row['scope']))}**",
                unsafe_allow_html=True,
            )
            total = row["red"] + row["amber"] + row["green"]
            if total == 0:
                st.caption("No target applies this week.")
                continue
            st.markdown(
                f":red[**{row['red']}** off] · :orange[**{row['amber']}** near] · :green[**{row['green']}** on target]"
            )
            if row["worst_metric"]:
                metric = catalog.get(row["worst_metric"])
                value = formatting.value_text(metric, row["worst_value"], currency)
                target = formatting.value_text(metric, row["worst_target"], currency)
                small = {"value": row["worst_value"], "n": row.get("worst_n"), "suppressed": False}
                st.caption(
                    f"Worst: {metric.label}, {formatting.markdown_value(value)} "
                    f"vs {formatting.markdown_value(target)}{small_sample_words(metric, small)}"
                )
