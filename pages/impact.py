"""Impact: planet and community — emissions, packaging, energy, giving —
with the GRI disclosures and SDG targets each metric relates to."""

from dataclasses import replace

import streamlit as st

from purpose_metrics import formatting, views
from purpose_metrics.export.downloads import file_name
from purpose_metrics.reports import content_index_csv, indicator_table
from purpose_metrics.ui import access, charts, page, reports, state

ctx = page.context()
st.title("Impact")
week, scope, window = page.week_and_scope(ctx)
who = formatting.plain(ctx.names[scope])  # a name from data, shown as written
kpis = state.week_kpis(week)
pillar = views.DASHBOARD_PILLARS["Planet and community"]
stamp = page.week_stamp(ctx, "Impact", week, scope, window)
tables = []

page.kpi_cards(ctx, kpis, scope, window, pillars=["Planet and community"])

st.header("Trend")
shown = page.trend(
    ctx,
    week,
    scope,
    window,
    metric_ids=pillar,
    default="recycled_packaging_share",
    key="impact_kpi",
    stamp=stamp,
)

st.header("By month")
monthly, content_index = reports.impact_indicators(week, scope)
months = reports.indicator_months(week)
span = f"{formatting.month_name(months.start)} – {formatting.month_name(months.starts()[-1])}"
if monthly.get_column("value").is_not_null().any():
    table = indicator_table(monthly, ctx.currency)
    months_stamp = replace(stamp, period=f"12 whole months {span}", period_key=f"{week}_12m")
    shown_table = charts.show_table(
        table,
        "Impact indicators by month",
        key="impact_months",
        stamp=months_stamp,
        data=monthly,
        height="content",
        column_config={
            "Metric": st.column_config.TextColumn(pinned=True),
            "Trend": st.column_config.LineChartColumn(
                "Trend", width="small", help=f"Month by month, {span}."
            ),
            "Change": st.column_config.TextColumn(help="The last month against the first month shown."),
        },
    )
    tables.append(shown_table)
    st.caption(
        f"{who}, the 12 whole months {span}; each value in the unit of its row. "
        "Change: the last month against the first, ▲ up or ▼ down, and whether that is better or worse."
    )
else:
    st.info(f"{who} has no impact indicator with a value in {span}: there is no data.")
st.download_button(
    "GRI content index (CSV)",
    data=content_index_csv(content_index),
    file_name=file_name(f"gri-content-index-{scope}-{months.start:%Y-%m}-to-{months.starts()[-1]:%Y-%m}.csv"),
    mime="text/csv",
    on_click=access.export_recorder(detail="GRI content index (CSV)", scope=scope),
    icon=":material/download:",
    key="gri_content_index",
    help="One row per GRI disclosure: the metric's value over the 12 months as a whole, its unit, "
    "the SDG target it contributes to. Aggregates only, no personal data.",
)

st.header("All brands this week")
tables.append(page.brands_table(ctx, kpis, pillar, stamp))

st.header("Standards")
st.table(
    views.definitions("Planet and community").select("Metric", "Unit", "Better", "Definition", "Standards"),
    hide_index=True,
)
st.caption(
    "SDG indicators are national statistics: a target listed here is the one a metric contributes to, "
    "not a claim to report the indicator itself."
)
charts.download_all(shown, "impact", key="impact", stamp=stamp, tables=tables)
