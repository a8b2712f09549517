"""This week (home): an ISO week's purpose KPIs against targets, for the
company or one brand — what needs attention, every KPI by pillar, a trend."""

import streamlit as st

from purpose_metrics import views
from purpose_metrics.ui import boardpack, cards, page, state

cards.follow_drill()  # a "Trend" click in the list below
ctx = page.context()
st.title("This week")
week, scope, window = page.week_and_scope(ctx)
kpis = state.week_kpis(week)

st.header("Needs attention")
in_view = ctx.scopes if scope == "company" else [scope]
worst = views.headline_kpi(kpis, scope, ctx.scopes)
cards.headline(worst, ctx.names, ctx.currency, company_view=scope == "company")
if scope == "company" and len(ctx.scopes) > 1:
    cards.scope_status(views.scope_summary(kpis, ctx.scopes), ctx.names, ctx.colours, ctx.currency)
cards.attention_list(views.attention(kpis, in_view), ctx.names, ctx.colours, ctx.currency)

# What and why first; the purpose and the pack below it.
page.purpose(ctx, scope)
boardpack.download(week, scope, ctx.names[scope])

page.kpi_cards(ctx, kpis, scope, window)
st.caption(
    "Each card's line is its last 12 weeks (months for monthly KPIs), the dot its status. "
    "A year of any KPI, with its interval, target and initiatives, is on its pillar's page."
)
