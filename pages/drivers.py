"""Drivers: which experiences bring customers back within 90 days, and
what the gap is worth."""

import polars as pl
import streamlit as st

from purpose_metrics import formatting, views
from purpose_metrics.brief import brief_markdown, brief_pdf_bytes
from purpose_metrics.charts import driver_chart
from purpose_metrics.charts.tree import purpose_tree
from purpose_metrics.export.downloads import file_name as safe_file_name
from purpose_metrics.ui import access, charts, filters, page, state

ctx = page.context()
st.title("What brings customers back")
weeks = state.mature_weeks()
if not weeks:
    st.info(
        "No period can be judged yet: a driver follows each customer for 90 days after their order, "
        "and the data do not reach 90 days past a whole week.",
        icon=":material/info:",
    )
    st.stop()
first, second = st.columns([1, 3], vertical_alignment="bottom")
week = filters.week_picker(
    weeks, weeks[0], container=first, key="until", label="Up to week",
    help="The period's last week (of the company's calendar). Only weeks whose 90 days are over are offered.",
)  # fmt: skip
span = filters.span_picker(container=second)
scope = filters.scope_picker(ctx.scopes, ctx.names)
window, rows = state.drivers(week, span)
mine = rows.filter(rows["scope"] == scope)
stamp = page.stamp(ctx, page="Drivers", period=window.label, period_key=f"{week}_{span}w", scope=scope)
st.caption(
    f"Customers with an order in {window.label}, followed for 90 days after their first order of the period. "
    "The latest weeks are not offered: their 90 days are not over."
)

sentence = views.headline(mine, ctx.currency)
if sentence:
    st.markdown(f"**{formatting.plain(sentence)}**")
else:
    st.caption("No driver shows a gap worth revenue here.")

name = ctx.names[scope]
title = f"{name}: who comes back within 90 days"
fig = driver_chart(mine, title, ctx.currency, subtitle=f"Customers of {window.label}")
chart = charts.show_chart(fig, title, key="drivers_chart", stamp=stamp, data=mine)
# The chart's CSV holds this table's numbers: the zip has them once.
charts.show_table(
    views.driver_table(mine, ctx.currency), f"{title} (table)", key="drivers_table", stamp=stamp
)
st.caption(
    "Each driver splits the customers by what happened to their first order of the period. The gap is the "
    "good group's 90-day repurchase rate minus the bad group's, in percentage points, with its 95 % interval "
    "(Newcombe). ✔ differs: the interval leaves out zero. Revenue at stake: what the bad group would have "
    f"spent in 90 days had they come back as often as the good group ({ctx.currency}); a guide, not a forecast. "
    "A group under 10 customers is not compared."
)

st.header("From purpose to revenue")
big, medium = views.purposes(ctx.data, scope)
tree_title = f"{name}: from purpose to revenue"
indicators = state.tree_kpis(week, span).filter(pl.col("scope") == scope)
tree = purpose_tree(
    indicators, mine, big,
    medium if scope != "company" else "Every brand's purpose", name, tree_title, ctx.currency,
    subtitle=f"Customers of {window.label}",
)  # fmt: skip
tree_chart = charts.show_chart(tree, tree_title, key="drivers_tree", stamp=stamp, data=indicators)
st.caption(
    "Each indicator and outcome over the period, coloured by its target (green on target, amber near it, red "
    "off it, grey without one). An edge into 90-day repurchase carries that driver's gap: bold when it is "
    "beyond noise (✔), faint when its 95 % interval includes zero (≈)."
)

st.header("Every brand")
gaps = charts.show_table(
    views.brand_gaps(rows, ctx.scopes, ctx.names), "Every brand: who comes back within 90 days", key="drivers_gaps",
    stamp=page.every_scope(ctx, stamp), data=rows,
)  # fmt: skip
st.caption("The gap in percentage points: ✔ beyond its 95 % interval, ≈ within it, — cannot compare.")
charts.download_all([chart, tree_chart], "drivers", key="drivers", stamp=stamp, tables=[gaps])

st.header("Front-line brief")
if scope == "company":
    st.caption("Choose a brand above for its one-page brief for service, operations and marketing teams.")
else:
    latest = state.complete_week()
    st.caption(
        f"{formatting.plain(name)}'s week {latest} in one page: the indicators furthest below target, the purposes "
        "least often achieved, late deliveries by region, first-contact resolution by channel and the driver "
        "worth most. Aggregates only; a group of fewer than 10 customers is withheld."
    )
    if st.toggle("Show the brief", key="show_brief"):
        brief = state.brief(scope, latest)
        with st.container(border=True):
            st.markdown(brief_markdown(brief, for_streamlit=True))
        md, pdf = st.columns(2)
        md.download_button(
            "Download the brief (Markdown)",
            brief_markdown(brief).encode(), file_name=safe_file_name(f"brief-{scope}-{latest}.md"),
            mime="text/markdown", icon=":material/download:",
            on_click=access.export_recorder(detail=f"brief {latest} (Markdown)", scope=scope),
        )  # fmt: skip
        with pdf:
            if not charts.no_chromium_note("PDF briefs"):
                st.download_button(
                    "Download the brief (PDF)",
                    access.audited_export(lambda: brief_pdf_bytes(brief), detail=f"brief {latest} (PDF)", scope=scope),
                    file_name=safe_file_name(f"brief-{scope}-{latest}.pdf"),
                    mime="application/pdf", icon=":material/picture_as_pdf:", on_click="ignore",
                )  # fmt: skip
