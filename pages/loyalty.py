"""Loyalty and retention: who comes back, cohort by cohort, and what a
small change in buying would be worth."""

from dataclasses import replace

import streamlit as st

from purpose_metrics import constants, formatting, views
from purpose_metrics.charts import cohort_heatmap
from purpose_metrics.charts.retention import retention_chart
from purpose_metrics.metrics import sales_lift
from purpose_metrics.reports import CURVE_COHORTS, retention_curves
from purpose_metrics.ui import charts, filters, page, state

ctx = page.context()
st.title("Loyalty and retention")
week, scope, window = page.week_and_scope(ctx)
who = formatting.plain(ctx.names[scope])  # a name from data, shown as written
# The cohort grid and the drivers are independent of what comes first:
# computed on the other core while the cards and the trend are.
grains = ["month", "week"]
state.cohort_grid.ahead(filters.coming_choice("cohort", grains, "month", str.capitalize), scope, week)
mature = [w for w in state.mature_weeks() if w <= week]
if mature:
    state.drivers.ahead(mature[0], views.LIFT_WEEKS)
kpis = state.week_kpis(week)
loyalty = views.DASHBOARD_PILLARS["Loyalty"]
stamp = page.week_stamp(ctx, "Loyalty and retention", week, scope, window)

page.kpi_cards(ctx, kpis, scope, window, pillars=["Loyalty"])

st.header("Trend")
shown = page.trend(
    ctx,
    week,
    scope,
    window,
    metric_ids=loyalty,
    default="returning_order_share",
    key="loyalty_kpi",
    stamp=stamp,
)

st.header("Cohorts")
grain = filters.url_select(
    "Cohorts by", grains, key="cohort", default="month", format_func=str.capitalize, segmented=True
)
grid = state.cohort_grid(grain, scope, week)
if grid.height:
    title = f"Customers coming back — {ctx.names[scope]}, {grain}ly cohorts complete by {week}"
    fig = cohort_heatmap(grid, title, grain)
    cohorts = replace(stamp, period=f"{grain.capitalize()}ly cohorts complete by {week}")
    shown.append(charts.show_chart(fig, title, key="cohorts", stamp=cohorts, data=grid))
    st.caption(
        f"A cohort is the customers whose first order (in scope) fell in that {grain}; a cell is the share of "
        f"them who ordered again in the {grain} shown. Blank cells have not ended yet."
    )
    curves = retention_curves(grid, CURVE_COHORTS[grain])
    if (curves.get_column("period_index").max() or 0) >= 1:
        n = curves.get_column("curve").n_unique() - 1  # the cohorts, without their average
        title = f"Retention curves — {ctx.names[scope]}, the latest {n} {grain}ly cohorts by {week}"
        fig = retention_chart(curves, title, grain)
        shown.append(charts.show_chart(fig, title, key="retention_curves", stamp=cohorts, data=curves))
        st.caption(
            f"One light line per cohort (darker: more recent) and, in dark blue, all {n} cohorts together: "
            f"customers back in that {grain} ÷ customers of the cohorts that have reached it, so later points "
            "rest on fewer, older cohorts. A line stops where its periods have not ended yet; the first "
            f"{grain} itself (100 % by definition) is left out."
        )
    else:
        st.info(f"No {grain}ly cohort of {who} has a whole {grain} after its first one yet.")
else:
    st.info(f"{who} has no customer with a first order up to {week}.")

st.header("What a small change is worth")
customers, aur = views.sales_lift_inputs(kpis, scope)
units, weeks, start_note = 0.1, 52, None
if aur is not None and mature:
    driver_window, driver_rows = state.drivers(mature[0], views.LIFT_WEEKS)
    start = views.lift_start(
        driver_rows.filter(driver_rows["scope"] == scope), aur, ctx.currency, driver_window.label
    )
    if start is not None:
        customers, units, weeks, start_note = start.customers, start.extra_units, start.weeks, start.note
if aur is None:
    st.info(f"{who} sold nothing in {week}, so there is no unit price to build on.")
else:
    c1, c2, c3 = st.columns(3)
    people = c1.number_input(
        "Customers",
        min_value=0,
        max_value=max(constants.LIFT_MAX_CUSTOMERS, customers),
        value=customers,
        step=100,
        key="lift_customers",
    )
    extra = c2.number_input(
        "Extra units per customer per week",
        min_value=0.0,
        max_value=constants.LIFT_MAX_EXTRA_UNITS,
        value=min(float(units), constants.LIFT_MAX_EXTRA_UNITS),
        step=0.05,
        format="%.3f",
        key="lift_units",
    )
    weeks = c3.number_input(
        "Weeks", min_value=1, max_value=constants.LIFT_MAX_WEEKS, value=weeks, step=1, key="lift_weeks"
    )
    lift = sales_lift(people, extra, aur, weeks)
    st.metric(
        "Sales lift",
        formatting.money(lift, ctx.currency),
        help="customers × extra units per customer per week × average unit retail × weeks",
    )
    start_words = (
        formatting.plain(start_note)
        if start_note
        else f"customers start at the week's {customers:,} active customers."
    )
    st.caption(
        f"At {'the company' if scope == 'company' else who}'s average unit retail of "
        f"{formatting.markdown_value(formatting.money(aur, ctx.currency))} in {week}. {start_words}"
    )

st.header("All brands this week")
tables = [page.brands_table(ctx, kpis, loyalty, stamp)]
charts.download_all(shown, "loyalty", key="loyalty", stamp=stamp, tables=tables)
