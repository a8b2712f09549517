"""Brands and segments: one metric, brands side by side with their 95 %
intervals over a period (weeks, a month, a quarter, the year to date or any
days), each against the period before, filtered by channel, region,
customer segment and customer purpose."""

from dataclasses import replace

import streamlit as st

from purpose_metrics import formatting, views
from purpose_metrics.charts import interval_chart, segment_chart, small_multiples
from purpose_metrics.metrics.dataset import Filters
from purpose_metrics.ui import charts, compare_period, filters, page, state

ctx = page.context()
colours, currency = ctx.colours, ctx.currency

st.title("Brands and segments")
chosen = compare_period.choose(
    ctx, lambda where: filters.metric_picker(key="metric", default="nps", container=where)
)
window, metric = chosen.window, chosen.metric
metric_id = metric.id
segment_filters = filters.segment_filters(state.filter_options(), containers=st.columns(4))

compared, trends, before = state.comparison(metric_id, window, segment_filters)
open_words = f" (**{chosen.partial}**; its numbers will grow)" if chosen.partial else ""
st.caption(
    f"{window.label}{open_words} · {formatting.plain(segment_filters.describe())} · {metric.definition} "
    f"The same numbers as `purpose-metrics kpis --from {window.period.start} --to {window.period.end}` "
    "(`--brand` for one brand)."
)
note = views.filter_note(metric, segment_filters)
if note:
    st.caption(f":material/filter_alt_off: {note}")
stamp = page.stamp(
    ctx, page="Brands and segments", period=window.label, period_key=window.key, filters=segment_filters, note=note,
)  # fmt: skip

shown, tables = [], []
st.header("Side by side")
if views.has_values(compared):
    title = f"{metric.label} by brand — {window.label}"
    fig = interval_chart(compared, metric, colours, title, currency)
    shown.append(charts.show_chart(fig, title, key="brands_intervals", stamp=stamp, data=compared))
else:
    reason = views.no_values_reason(compared, metric)
    whole = (
        f" {metric.label} is monthly: it counts the whole months inside the period." if metric.monthly else ""
    )
    st.info(
        f"No brand has a {metric.label} value for {window.label}: {reason}.{whole}", icon=":material/info:"
    )

st.subheader("Where brands differ")
pairs = views.pairwise(compared, metric, currency)
if pairs.height:
    name = f"{metric.label}: where brands differ"
    shown_pairs = views.pairwise_display(pairs, metric, currency)
    tables.append(charts.show_table(shown_pairs, name, key="brands_pairs", stamp=stamp, data=pairs))
    st.caption(
        "Two brands differ when their 95 % intervals do not overlap — a cautious test: "
        "overlapping intervals can still hide a real difference, but a gap this clear is not noise."
    )
else:
    st.caption("There is only one brand: nothing to compare.")

st.subheader(f"Against the {window.compared}")
versus = views.versus_previous(compared, before, metric, currency)
if views.has_values(compared) and versus.height:
    name = f"{metric.label}: against the {window.compared}"
    table = views.versus_display(versus, metric, currency, window.compared)
    tables.append(charts.show_table(table, name, key="brands_versus", stamp=stamp, data=versus))
    st.caption(
        f"The {window.compared}: {window.previous_label}. A change counts as moved when this period's and "
        "the previous period's 95 % intervals do not overlap."
    )

st.header("Across segments")
dimension = filters.dimension_picker()
across = views.DIMENSIONS[dimension][0].lower()
if not views.can_split(metric, dimension):
    st.info(f"{metric.label} cannot be split by {across}: {metric.definition}", icon=":material/info:")
else:
    matrix = state.segment_matrix(metric_id, window, dimension)
    if views.has_values(matrix):
        title = f"{metric.label} by {across} and brand"
        fig = segment_chart(matrix, metric, colours, title, currency, subtitle=window.label)
        unfiltered = replace(stamp, filters=Filters(), note=None)  # the filters do not apply here
        shown.append(charts.show_chart(fig, title, key="brands_segments", stamp=unfiltered, data=matrix))
        # The chart's CSV holds this table's numbers: the zip has them once.
        charts.show_table(
            views.matrix_display(matrix, metric_id, currency), f"{title} (table)", key="brands_matrix",
            stamp=unfiltered, data=matrix,
        )  # fmt: skip
        differ = views.segment_pairs(matrix, metric_id, currency)
        pairs = views.pairs_display(differ, metric_id, currency)
        if pairs.height:
            st.caption(f"Within a brand, these {across} values differ beyond both 95 % intervals:")
            name = f"{metric.label}: {across} values that differ within a brand"
            differing = differ.filter(differ["verdict"] == "differs")  # the rows shown
            tables.append(
                charts.show_table(pairs, name, key="brands_segment_pairs", stamp=unfiltered, data=differing)
            )
        else:
            st.caption(f"No two {across} values of the same brand differ beyond their 95 % intervals.")
        st.caption(
            f"Each cell is {metric.label} of that brand's {'responses' if metric.source == 'surveys' else 'rows'} "
            f"of one {across} over {window.label}; a cell from fewer than {views.SEGMENT_MIN} is not shown. "
            "The filters above do not apply here. Guests have no region or segment."
        )
    else:
        st.info(f"No {across} has a {metric.label} value for {window.label}.", icon=":material/info:")

st.header("Trend by brand")
grain, unit = ("monthly", "months") if window.monthly else ("weekly", "weeks")
steps = f"{len(window.trend.starts())} {unit}"
if views.has_values(trends):
    title = f"{metric.label}, {grain} — {steps} to {window.trend_to}"
    flags = state.markers(window.trend.start, window.trend.range_end, (metric_id,))
    fig = small_multiples(trends, metric, colours, title, currency, markers=flags)
    days = formatting.week_range(window.trend.start, window.trend.range_end)
    trend_stamp = replace(stamp, period=f"{steps} to {window.trend_to}, {grain} ({days})")
    shown.append(charts.show_chart(fig, title, key="brands_trends", stamp=trend_stamp, data=trends))
else:
    reason = views.no_values_reason(trends, metric)
    st.info(
        f"No {metric.label} trend to draw for the {steps} to {window.trend_to}: {reason}. "
        "The side-by-side view above pools the whole period.",
        icon=":material/info:",
    )

charts.download_all(shown, f"brands-{metric_id}", key="brands", stamp=stamp, tables=tables)
