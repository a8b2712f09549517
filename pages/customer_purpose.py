"""Customer purpose: did we help customers do what they came for — overall,
by what they came to do, and in the service around it."""

from dataclasses import replace

import streamlit as st

from purpose_metrics import catalog, formatting, views
from purpose_metrics.charts import interval_chart
from purpose_metrics.charts.relevance import relevance_scatter, relevance_trend_chart
from purpose_metrics.charts.service import service_chart
from purpose_metrics.ui import charts, filters, page, reports, state

ctx = page.context()
st.title("Customer purpose")
week, scope, window = page.week_and_scope(ctx)
who = formatting.plain(ctx.names[scope])  # a name from data, shown as written
kpis = state.week_kpis(week)
pillar = views.DASHBOARD_PILLARS["Customer purpose"]
stamp = page.week_stamp(ctx, "Customer purpose", week, scope, window)

page.kpi_cards(ctx, kpis, scope, window, pillars=["Customer purpose"])

st.header("What customers came to do")
span = filters.span_picker()
period, by_purpose = state.purpose_by_category(week, span, scope)
span_stamp = replace(stamp, period=period, period_key=f"{week}_{span}w")
metric = catalog.get("purpose_achieved_rate")
shown = []
if views.has_values(by_purpose):
    title = f"Purpose achieved by what customers came for — {ctx.names[scope]}, {period}"
    colours = {scope: ctx.colours.get(scope, "#333333")}
    fig = interval_chart(by_purpose, metric, colours, title, ctx.currency)
    shown.append(charts.show_chart(fig, title, key="purpose_by_category", stamp=span_stamp, data=by_purpose))
    st.caption(
        "Each purpose is suppressed on its own below 10 answers; answers without a purpose count in the "
        "overall rate only."
    )
else:
    reason = views.no_values_reason(by_purpose, metric)
    st.info(f"No purpose-achieved rate by customer purpose for {who}, {period}: {reason}.")

st.header("NPS, CSAT and effort")
label, scores = reports.service_scores(week, span)
if views.has_values(scores):
    title = f"NPS, CSAT and effort — {label}"
    fig = service_chart(scores, ctx.colours, title)
    every = page.every_scope(ctx, replace(span_stamp, period=label))
    shown.append(charts.show_chart(fig, title, key="service_scores", stamp=every, data=scores))
    st.caption(
        "Dot: the value; bar: its 95 % interval (NPS: promoters minus detractors; CSAT: Wilson). "
        "Customer effort is a mean score from 1 to 7 and has no interval: its value is shown alone. "
        "A brand with fewer than 10 answers is suppressed and says so."
    )
else:
    reason = views.no_values_reason(scores, catalog.get("nps"))
    st.info(f"No NPS, CSAT or effort score for any brand in {label}: {reason}.")

st.header("Message relevance")
label, relevance, relevance_weeks = reports.message_relevance(week, span, scope)
if relevance.get_column("click_rate").is_not_null().any():
    title = f"Clicks against unsubscribes — {label}"
    fig = relevance_scatter(relevance, ctx.colours, title)
    every = page.every_scope(ctx, replace(span_stamp, period=label))
    shown.append(charts.show_chart(fig, title, key="relevance_scatter", stamp=every, data=relevance))
    st.caption(
        "Relevant messages sit bottom-right: many clicks, few unsubscribes. Each share is of the messages "
        "a brand sent in the period; the bars are 95 % Wilson intervals."
    )
else:
    st.info(f"No marketing message was sent in {label}, so there is no click or unsubscribe rate.")
if views.has_values(relevance_weeks):
    weeks = relevance_weeks.get_column("period_start").n_unique()
    title = f"Clicks and unsubscribes by week — {ctx.names[scope]}, {weeks} weeks to {week}"
    fig = relevance_trend_chart(relevance_weeks, ctx.colours.get(scope, "#333333"), title)
    weekly = replace(stamp, period=f"{weeks} weeks to {week}")
    shown.append(charts.show_chart(fig, title, key="relevance_trend", stamp=weekly, data=relevance_weeks))
else:
    st.info(f"{who} sent no marketing message in the weeks to {week}.")

st.header("Trend")
shown += page.trend(
    ctx,
    week,
    scope,
    window,
    metric_ids=pillar,
    default="purpose_achieved_rate",
    key="purpose_kpi",
    stamp=stamp,
)

st.header("All brands this week")
tables = [page.brands_table(ctx, kpis, pillar, stamp)]
charts.download_all(shown, "customer-purpose", key="customer_purpose", stamp=stamp, tables=tables)
