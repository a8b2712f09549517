"""Impact: planet and community — emissions, packaging, energy, giving —
with the GRI disclosures and SDG targets each metric relates to."""

import streamlit as st

from purpose_metrics import views
from purpose_metrics.ui import charts, page, state

ctx = page.context()
st.title("Impact")
week, scope, window = page.week_and_scope(ctx)
kpis = state.week_kpis(week)
pillar = views.DASHBOARD_PILLARS["Planet and community"]

page.kpi_cards(ctx, kpis, scope, window, pillars=["Planet and community"])

st.header("Trend")
shown = page.trend(
    ctx, week, scope, window, metric_ids=pillar, default="recycled_packaging_share", key="impact_kpi"
)

st.header("All brands this week")
page.brands_table(ctx, kpis, pillar)

st.header("Standards")
st.table(
    views.definitions("Planet and community").select("Metric", "Unit", "Better", "Definition", "Standards"),
    hide_index=True,
)
st.caption(
    "SDG indicators are national statistics: a target listed here is the one a metric contributes to, "
    "not a claim to report the indicator itself."
)
charts.download_all(shown, f"impact-{week}.zip", key="impact")
