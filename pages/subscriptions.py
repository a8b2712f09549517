"""Subscriptions: the weekly board pack by email. Admins manage every
subscription; executives and brand roles their own, for the scopes they
see; viewers have none (purpose_metrics.subscriptions)."""

import streamlit as st

from purpose_metrics import subscriptions as subs
from purpose_metrics.ui import access, page, state
from purpose_metrics.ui import subscriptions as ui

ctx = page.context()
me = access.current()
st.title("Subscriptions")
access.require(
    subs.may_subscribe(me), "subscriptions: ask an admin, an executive or your brand's lead to add you"
)
zone = ctx.data.timezone
st.caption(
    "Each subscription mails the latest complete week's board pack once a week, on its day and time "
    f"({zone or 'UTC'}, the company's time zone), with what its owner may see that day."
)
ui.flash()
scopes = subs.scopes_for(me, ctx.scopes)
mine = subs.visible_to(me, subs.load(state.current_engine()))
ui.listing(mine, ctx.names, zone, me)
ui.new_subscription(me, scopes, ctx.names, zone)
ui.change_or_delete(me, mine, scopes, ctx.names, zone)
