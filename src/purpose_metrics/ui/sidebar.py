"""The sidebar every page shares: whose data, how fresh, and a refresh."""

from __future__ import annotations

import streamlit as st

from .. import db, views
from ..constants import CACHE_TTL_SECONDS
from . import state


def render() -> None:
    with st.sidebar:
        data = state.try_dataset()
        if data is None:
            st.caption(":material/database: The database cannot be read right now.")
        else:
            company = views.company_info(data)
            if company.get("name"):
                st.markdown(f"**{company['name']}**")
            if data.as_of is not None:
                st.caption(f"Data as of {data.as_of:%-d %b %Y, %H:%M} UTC (the latest order)")
            else:
                st.caption("No orders yet.")
        st.button(
            "Refresh data",
            on_click=state.refresh,
            icon=":material/refresh:",
            key="refresh_data",
            help=f"Re-read the database now. Otherwise results are kept for {CACHE_TTL_SECONDS // 60} minutes.",
        )
        st.caption(f"Database: `{db.safe_url(state.database_url())}`")
