"""Customer purpose: did we help customers do what they came for — overall,
by what they came to do, and in the service around it."""

import streamlit as st

from purpose_metrics import catalog, views
from purpose_metrics.charts import interval_chart
from purpose_metrics.ui import charts, filters, page, state

ctx = page.context()
st.title("Customer purpose")
week, scope, window = page.week_and_scope(ctx)
kpis = state.week_kpis(week)
pillar = views.DASHBOARD_PILLARS["Customer purpose"]

page.kpi_cards(ctx, kpis, scope, window, pillars=["Customer purpose"])

st.header("What customers came to do")
span = filters.span_picker()
period, by_purpose = state.purpose_by_category(week, span, scope)
metric = catalog.get("purpose_achieved_rate")
shown = []
if views.has_values(by_purpose):
    title = f"Purpose achieved by what customers came for — {ctx.names[scope]}, {period}"
    colours = {scope: ctx.colours.get(scope, "#333333")}
    fig = interval_chart(by_purpose, metric, colours, title, ctx.currency)
    charts.show_chart(fig, title, key="purpose_by_category")
    shown.append((title, fig))
    st.caption(
        "Each purpose is suppressed on its own below 10 answers; answers without a purpose count in the "
        "overall rate only."
    )
else:
    reason = views.no_values_reason(by_purpose, metric)
    st.info(f"No purpose-achieved rate by customer purpose for {ctx.names[scope]}, {period}: {reason}.")

st.header("Trend")
shown += page.trend(
    ctx, week, scope, window, metric_ids=pillar, default="purpose_achieved_rate", key="purpose_kpi"
)

st.header("All brands this week")
page.brands_table(ctx, kpis, pillar)
charts.download_all(shown, f"customer-purpose-{week}.zip", key="customer_purpose")
