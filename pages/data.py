"""Data: what every metric means; for admins, what the database holds, a
file import checked by the same validation as the CLI, and the audit log."""

import streamlit as st

from purpose_metrics import dburl, formatting, inventory, views
from purpose_metrics.calendars import to_local
from purpose_metrics.ui import access, importer, page, state

page.ensure_router()
st.title("Data")
admin = access.current().admin

if admin:
    st.header("Tables")
    data = state.try_dataset()
    if data is not None and data.as_of is not None:
        zone = data.timezone or "UTC"  # the company's: as the sidebar shows it
        st.caption(
            f"As of {formatting.day_month_year_time(to_local(data.as_of, zone))} {zone} — the latest order, "
            "cancelled ones included."
        )
    shown, why = dburl.where()
    tables = state.inventory_or_error()
    if tables is not None and tables["rows"].sum() == 0:
        st.info(
            f"The database is empty: `{shown}` ({why}). If you expected data, this is another "
            f"database than you meant: set `{dburl.ENV_URL}` to yours. Otherwise import the tables "
            "below, company and brands first.",
            icon=":material/inbox:",
        )
    else:
        st.caption(f"Database: `{shown}` ({why})")
    if tables is not None:
        st.dataframe(
            inventory.for_display(tables),
            hide_index=True,
            width="stretch",
            height="content",
            column_config={
                "table": "Table",
                "rows": st.column_config.TextColumn(
                    "Rows", help="“about”: the database's own estimate, where counting would read the table"
                ),
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

if admin:
    st.header("Audit log")
    st.caption(
        "Every sign-in, import, export and refused attempt, newest first (the latest "
        f"{state.AUDIT_SHOWN}; the table `audit_log` in the database holds them all)."
    )
    log = state.audit_log()
    if log is None or log.height == 0:
        st.info("Nothing recorded yet.", icon=":material/history:")
    else:
        st.dataframe(
            log,
            hide_index=True,
            width="stretch",
            column_config={
                "logged_at": st.column_config.DatetimeColumn("When (UTC)", format="D MMM YYYY, HH:mm:ss"),
                "who": "Who", "role": "Role", "action": "Action", "scope": "Scope",
                "outcome": "Outcome", "detail": "Detail",
            },
        )  # fmt: skip

    st.header("Import a file")
    st.caption(
        "The same checks as `purpose-metrics import TABLE FILE`: every rule of the table's contract; "
        "nothing is written unless the whole file passes."
    )
    importer.import_form()

else:
    st.caption("The tables, imports and audit log are for admins (the roles file names them).")
