"""People: how employees feel about the purpose and whether they stay."""

import streamlit as st

from purpose_metrics import formatting, views
from purpose_metrics.ui import access, charts, page, state

ctx = page.context()
access.require(access.current().people, "the employee-survey and workforce numbers of the People page")
st.title("People")
week, scope, window = page.week_and_scope(ctx)
kpis = state.week_kpis(week)
pillar = views.DASHBOARD_PILLARS["People"]
stamp = page.week_stamp(ctx, "People", week, scope, window)

page.kpi_cards(ctx, kpis, scope, window, pillars=["People"])
st.caption(
    "Employee surveys are anonymous: a value from fewer than 5 answers is suppressed. "
    "Turnover and training come from monthly workforce snapshots."
)

st.header("By team")
tables = []
teams = state.team_matrix(week, scope)
if teams.height:
    tables = [charts.show_table(teams, "By team", key="people_teams", stamp=stamp, height="content")]
    st.caption(
        "A team's value from fewer than 5 answers is suppressed; a value is also withheld when showing it "
        "would let a smaller group be worked out by subtracting one shown number from another."
    )
else:
    st.info(
        f"No employee survey answers from {formatting.plain(ctx.names[scope])} in week {week}.",
        icon=":material/info:",
    )

st.header("Trend")
shown = page.trend(ctx, week, scope, window, metric_ids=pillar, default="enps", key="people_kpi", stamp=stamp)

st.header("All brands this week")
tables.append(page.brands_table(ctx, kpis, pillar, stamp))
charts.download_all(shown, "people", key="people", stamp=stamp, tables=tables)
