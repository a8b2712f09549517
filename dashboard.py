"""Purpose Metrics dashboard — the router.

`streamlit run dashboard.py`. This file only declares the pages, the page
configuration and the sidebar every page shares. Each page is a thin file in
pages/ (widgets -> purpose_metrics.ui / views -> render); adding a page is
one file there and one line in PAGES.
"""

import streamlit as st

from purpose_metrics import subscriptions
from purpose_metrics.ui import access, runlog, sidebar, state
from purpose_metrics.ui import page as page_style
from purpose_metrics.ui.page import routed

st.set_page_config(page_title="Purpose Metrics", page_icon=":material/insights:", layout="wide")

PEOPLE = st.Page("pages/people.py", title="People", icon=":material/groups:")
SUBSCRIPTIONS = st.Page("pages/subscriptions.py", title="Subscriptions", icon=":material/forward_to_inbox:")
PAGES = [
    st.Page("pages/this_week.py", title="This week", icon=":material/calendar_view_week:", default=True),
    st.Page("pages/brands.py", title="Brands and segments", icon=":material/compare_arrows:"),
    st.Page("pages/loyalty.py", title="Loyalty and retention", icon=":material/autorenew:"),
    st.Page("pages/customer_purpose.py", title="Customer purpose", icon=":material/emoji_people:"),
    st.Page("pages/drivers.py", title="Drivers", icon=":material/replay:"),
    PEOPLE,
    st.Page("pages/impact.py", title="Impact", icon=":material/eco:"),
    st.Page("pages/data.py", title="Data", icon=":material/database:"),
    SUBSCRIPTIONS,
]

# Nothing runs for a person without access: the gate shows the sign-in
# screen (or why not) and stops the run before any page is chosen (and
# before any navigation is shown).
me = access.gate()
# .streamlit/config.toml hides the navigation Streamlit would make of the
# pages/ folder (file names) before this router's first run; this router's
# own navigation is the one to show.
st.set_option("client.showSidebarNavigation", True)
# A page the person may not see is not a page of theirs: its link opens the first page.
hidden = [
    p for p, shown in ((PEOPLE, me.people), (SUBSCRIPTIONS, subscriptions.may_subscribe(me))) if not shown
]
page = st.navigation([p for p in PAGES if all(p is not h for h in hidden)])
# One database connection for the whole run, opened when first needed.
with access.for_this_run(me), runlog.timed(page.title), state.one_connection_per_run(), routed(__file__):
    sidebar.render()
    page_style.print_style()
    page_style.follow_theme()
    with access.refusals():
        page.run()
