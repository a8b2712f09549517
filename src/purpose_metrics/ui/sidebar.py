"""The sidebar every page shares: whose data, how fresh, and a refresh."""

from __future__ import annotations

import streamlit as st

from .. import db, dburl, formatting, sources, views
from ..calendars import to_local
from . import access, state

MODE_WORDS = {
    "store": ":material/bolt: From the fact store, kept current by every import",
    "memory": ":material/memory: Computed here, from rows read into memory (the fact store is not current)",
    "pushdown": ":material/cloud_sync: Computed in the database (pushdown; the fact store is not current)",
}
PUSHDOWN_ONLY = (
    ":material/cloud_sync: Computed in the database (pushdown: no fact store is kept on this engine)"
)
MODE_HELP = (
    "Set PURPOSE_METRICS_MODE to store, pushdown, memory or auto (the default: the fact store when it "
    f"is current, else pushdown for a server database holding {sources.AUTO_PUSHDOWN_ORDERS:,} orders "
    "or more, else memory). Every mode gives the same numbers; `purpose-metrics refresh` rebuilds the "
    f"store after data were loaded by other means. Verified here on {db.VERIFIED_NAMES}; any other "
    "SQLAlchemy database is read in pushdown mode only, and is not verified."
)
UNVERIFIED_HELP = (
    f"The suite checks every number on {db.VERIFIED_NAMES}. On another engine the database runs the "
    "same SQL, rendered for PostgreSQL and carried to its dialect by sqlglot, and nobody has checked "
    "its numbers here: compare a week with a verified copy before relying on them."
)


SPARK_WORDS = (
    ":material/warning: Spark: its numbers, pages and board pack are checked here against DuckDB; "
    "chart exports and subscriptions are not"
)
SPARK_HELP = (
    f"On Spark, {db.SPARK_CHECKED}, each against the same data on DuckDB. Every other path (chart "
    f"exports, subscriptions) is checked only on {db.VERIFIED_NAMES}."
)


def engine_words(backend: str) -> tuple[str, str] | None:
    """The sidebar's warning for an engine that is not verified here, and
    its help (None: the engine is verified)."""
    if db.is_verified(backend):
        return None
    if backend == "spark":
        return SPARK_WORDS, SPARK_HELP
    return (
        f":material/warning: Engine {backend} is not verified here (verified: {db.VERIFIED_NAMES})",
        UNVERIFIED_HELP,
    )


CALENDAR_WORDS = {
    "iso": "ISO weeks (Monday to Sunday), calendar months",
    "nrf": "NRF 4-5-4 retail calendar (fiscal weeks Sunday to Saturday)",
}
CALENDAR_HELP = (
    "Set by the company row: `company.calendar` (iso or nrf; empty: iso) and `company.timezone` (an IANA "
    "name; empty: UTC). Every week, month and day on every page starts at local midnight in that zone."
)


def calendar_words(calendar: str, zone: str | None) -> str:
    """The sidebar's line naming the company's calendar and time zone."""
    return f":material/calendar_month: {CALENDAR_WORDS[calendar]}; time zone {zone or 'UTC'}"


def render() -> None:
    me = access.current()
    with st.sidebar:
        loaded = state.try_loaded()
        if loaded is None:
            st.caption(":material/database: The database cannot be read right now.")
        else:
            data, read_at = loaded
            company = views.company_info(data)
            if company.get("name"):
                st.markdown(f"**{formatting.plain(company['name'])}**")
            if data.as_of is not None:
                zone = data.timezone or "UTC"
                local = to_local(data.as_of, zone)
                st.caption(f"Data as of {formatting.day_month_year_time(local)} {zone} (the latest order)")
            else:
                st.caption("No orders yet.")
            st.caption(calendar_words(data.calendar.name, data.timezone), help=CALENDAR_HELP)
            # Nothing on a page is older than this read plus the time to live (ui/state.py).
            st.caption(f"Data read {read_at:%H:%M} UTC, refreshed every {state.ttl_words()}")
        st.button(
            "Refresh data",
            on_click=state.refresh,
            icon=":material/refresh:",
            key="refresh_data",
            help=f"Re-read the database now. Otherwise it is read again every {state.ttl_words()}.",
        )
        if me.admin:
            shown, why = dburl.where()
            st.caption(f"Database: `{shown}` ({why})")
        mode = state.current_mode()
        if mode is not None:
            backend = state.backend()
            # An engine not verified here keeps no store: pushdown is its only mode, not a fallback.
            words = MODE_WORDS[mode] if db.is_verified(backend) else PUSHDOWN_ONLY
            st.caption(words, help=MODE_HELP)
            unverified = engine_words(backend)
            if unverified:
                st.caption(unverified[0], help=unverified[1])
        access.sidebar(me, {} if loaded is None else views.scope_names(loaded[0]))
