"""Data: what the database holds, what every metric means, and a file import
checked by the same validation as the CLI."""

import streamlit as st

from purpose_metrics import formatting, inventory, views
from purpose_metrics.ui import importer, page, state

page.ensure_router()
st.title("Data")

st.header("Tables")
data = state.try_dataset()
if data is not None and data.as_of is not None:
    st.caption(
        f"As of {formatting.day_month_year_time(data.as_of)} UTC — the latest order, cancelled ones included."
    )
tables = state.inventory_or_error()
if tables is not None:
    if tables["rows"].sum() == 0:
        st.info(
            "The database is empty. Import the tables below, company and brands first.",
            icon=":material/inbox:",
        )
    st.dataframe(
        inventory.for_display(tables),
        hide_index=True,
        width="stretch",
        height="content",
        column_config={
            "table": "Table",
            "rows": st.column_config.NumberColumn("Rows", format="localized"),
            "first": "First date",
            "last": "Last date",
            "last_import": st.column_config.DatetimeColumn(
                "Last changed (UTC)", format="D MMM YYYY, HH:mm", help="When an import last added rows"
            ),
            "last_import_rows": st.column_config.NumberColumn("Rows imported", format="localized"),
            "last_import_source": "From file",
        },
    )

st.header("Metric definitions")
for tab, pillar in zip(st.tabs(list(views.DASHBOARD_PILLARS)), views.DASHBOARD_PILLARS, strict=True):
    with tab:
        st.table(views.definitions(pillar).drop("Pillar"), hide_index=True)

st.header("Import a file")
st.caption(
    "The same checks as `purpose-metrics import TABLE FILE`: every rule of the table's contract; "
    "nothing is written unless the whole file passes."
)
importer.import_form()
