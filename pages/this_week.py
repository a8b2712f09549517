"""This week (home): an ISO week's purpose KPIs against targets, for the
company or one brand — what needs attention, every KPI by pillar, a trend."""

import streamlit as st

from purpose_metrics import views
from purpose_metrics.ui import boardpack, cards, page, state

cards.follow_drill()  # a "Trend" click in the list below
ctx = page.context()
heading = st.empty()  # titled by the period shown, once the pickers have said which
shown = page.period_and_scope(ctx, heading)
scope, period = shown.scope, shown.period
kpis = state.week_kpis(shown.week) if shown.is_week else state.period_kpis(period)

st.header("Needs attention")
in_view = ctx.scopes if scope == "company" else [scope]
worst = views.headline_kpi(kpis, scope, ctx.scopes)
cards.headline(worst, ctx.names, ctx.currency, company_view=scope == "company", when=period.kind)
if scope == "company" and len(ctx.scopes) > 1:
    cards.scope_status(views.scope_summary(kpis, ctx.scopes), ctx.names, ctx.colours, ctx.currency)
cards.attention_list(views.attention(kpis, in_view), ctx.names, ctx.colours, ctx.currency)

# What and why first; the purpose and the pack below it.
page.purpose(ctx, scope)
if shown.is_week:
    boardpack.download(shown.week, scope, ctx.names[scope])
else:
    st.caption("The board pack covers one week: choose **Week** above to prepare it.")

page.kpi_cards(ctx, kpis, scope, shown.window or period)
steps = "months" if period.trend_grain == "month" else "weeks"
st.caption(
    f"Each card's line is its last 12 {steps} (months for monthly KPIs) to the period's end, the dot its status. "
    "A year of any KPI, with its interval, target and initiatives, is on its pillar's page."
)
