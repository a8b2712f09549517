"""The Subscriptions page's parts: the list, a new subscription, and
changing or deleting one. The rules (who may manage which, which scopes)
are subscriptions.py's; this module only asks and shows, and audits every
change."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from .. import delivery, formatting
from .. import subscriptions as subs
from ..access import Access, AccessDenied
from ..calendars import to_local
from ..delivery import MAX_ATTEMPTS, STUCK_AFTER
from ..errors import UsageError
from . import access, state

FORMATS = {"pptx": "PowerPoint (.pptx)", "pdf": "PDF"}
_FLASH = "_pm_subscriptions_flash"  # session_state: what the last change did, shown after its rerun


def groups() -> tuple[str, ...]:
    """The signed-in person's groups (the roles file's group claim), kept
    with a subscription so `deliver` can resolve its owner as sign-in does."""
    if not access.signin_configured():
        return ()
    try:
        claim = access.roles().group_claim
    except UsageError:
        return ()
    found = access._user().get(claim) or []
    return (found,) if isinstance(found, str) else tuple(str(g) for g in found)


def local_time(moment: dt.datetime, zone: str | None) -> str:
    """'Mon 30 Nov 2026, 08:00 Europe/Berlin' of a UTC instant."""
    local = to_local(moment, zone)
    return f"{local:%a} {formatting.day_month_year_time(local)} {zone or 'UTC'}"


def delivery_text(found: subs.Delivery | None) -> str:
    """The latest delivery in a few words, status as a mark too (the
    reason of a failure is a column of its own)."""
    if found is None:
        return "none yet"
    if found.status == "sent":
        return f"✔ sent {found.delivery_week} (data of {found.pack_week})"
    if found.status == "failed":
        return f"✖ failed {found.delivery_week} ({found.attempts} of {MAX_ATTEMPTS} tries)"
    if found.status == "released":
        return f"↻ {found.delivery_week} to be sent again by the next run"
    return f"… being sent for {found.delivery_week} (not sent again if that run stopped)"


def _stuck(found: subs.Delivery | None, now: dt.datetime) -> bool:
    """A claim of a run that died (STUCK_AFTER or older)."""
    return found is not None and found.status == "sending" and found.updated_at <= now - STUCK_AFTER


def _reason(found: subs.Delivery | None, now: dt.datetime, zone: str | None) -> str:
    """Why the latest delivery did not go ("": it did, or it may still)."""
    if found is not None and _stuck(found, now):
        return (
            f"a run claimed week {found.delivery_week} on {local_time(found.updated_at, zone)} and stopped before "
            "saying whether the mail went; it is not sent again unless an admin sends it again"
        )
    if found is None or found.status != "failed" or not found.detail:
        return ""
    return found.detail.rsplit(" (attempt ", 1)[0]


def _tries(found: subs.Delivery) -> str:
    if found.status != "failed":
        return ""
    gave_up = "" if found.attempts < MAX_ATTEMPTS else ": not tried again this week"
    return f" ({found.attempts} of {MAX_ATTEMPTS} tries{gave_up})"


def _next(s: subs.Subscription, last: subs.Delivery | None, now: dt.datetime, zone: str | None) -> str:
    """When it goes next: the next run of `deliver` for a failure it will try again."""
    week = subs.scheduled_at(s, now, zone)[0]
    this_week = last is not None and last.delivery_week == week
    if this_week and last.status == "failed" and last.attempts < MAX_ATTEMPTS:
        return f"the next run (try {last.attempts + 1} of {MAX_ATTEMPTS})"
    if this_week and last.status == "released":
        return "the next run (sent again)"
    return local_time(subs.next_send(s, now, zone, this_week), zone)


def flash() -> None:
    """What the previous run changed, once."""
    said = st.session_state.pop(_FLASH, None)
    if said:
        st.success(said, icon=":material/check_circle:")


def listing(items: list[subs.Subscription], names: dict[str, str], zone: str | None, me: Access) -> None:
    """The subscriptions `me` manages: scope, format, when, to whom, the
    latest delivery and the next."""
    if not items:
        st.info("No subscription yet. Add one below.", icon=":material/forward_to_inbox:")
        return
    latest = subs.latest_delivery(state.current_engine(), [s.subscription_id for s in items])
    now = subs.utc_now()
    rows = []
    for s in items:
        last = latest.get(s.subscription_id)
        rows.append({
            "Scope": names.get(s.scope, s.scope), "Format": s.file_format.upper(),
            "When": f"{subs.WEEKDAYS[s.weekday]}s {s.send_time}", "Recipients": ", ".join(s.recipients), "Owner": s.owner,
            "Next": _next(s, last, now, zone), "Latest delivery": delivery_text(last),
        })  # fmt: skip
    frame = pl.DataFrame(rows)
    if not me.admin:
        frame = frame.drop("Owner")
    st.dataframe(frame, hide_index=True, width="stretch")
    failed = [
        (s, latest[s.subscription_id]) for s in items if _reason(latest.get(s.subscription_id), now, zone)
    ]
    if failed:
        st.warning(
            "\n".join(
                f"- **{formatting.plain(_label(s, names, zone))}**: {formatting.plain(_reason(d, now, zone))}{_tries(d)}."
                for s, d in failed
            ),
            icon=":material/mail_lock:",
        )


def _label(s: subs.Subscription, names: dict[str, str], zone: str | None) -> str:
    return f"{names.get(s.scope, s.scope)} · {s.file_format.upper()} · {s.schedule_text(zone)} · {', '.join(s.recipients)}"


def _fields(
    key: str, scopes: list[str], names: dict[str, str], zone: str | None, s: subs.Subscription | None
):
    """The form's widgets, filled from `s` when changing one."""
    # Two rows of two (not two columns): on a phone they stack as scope, format, day, time.
    left, right = st.columns(2)
    scope = left.selectbox("Scope", scopes, index=scopes.index(s.scope) if s and s.scope in scopes else 0,
                           format_func=lambda x: names.get(x, x), key=f"{key}_scope")  # fmt: skip
    file_format = right.radio("Format", list(FORMATS), format_func=FORMATS.get, horizontal=True,
                              index=list(FORMATS).index(s.file_format) if s else 0, key=f"{key}_format")  # fmt: skip
    left, right = st.columns(2)
    weekday = left.selectbox("Day", range(7), index=s.weekday if s else 0, format_func=lambda d: subs.WEEKDAYS[d],
                             key=f"{key}_day")  # fmt: skip
    at = dt.time(*map(int, s.send_time.split(":"))) if s else dt.time(8, 0)
    when = right.time_input(f"Time ({zone or 'UTC'}, the company's time zone)", at, step=dt.timedelta(minutes=5),
                            key=f"{key}_time")  # fmt: skip
    recipients = st.text_area("Recipients", "\n".join(s.recipients) if s else "", key=f"{key}_to",
                              placeholder="One email address per line (at most 20)", height=100)  # fmt: skip
    return scope, file_format, int(weekday), f"{when:%H:%M}", recipients


def new_subscription(me: Access, scopes: list[str], names: dict[str, str], zone: str | None) -> None:
    """The form that adds one (owned by `me`)."""
    with st.form("subscription_new", border=True):
        st.subheader("New subscription")
        scope, file_format, weekday, at, recipients = _fields("new", scopes, names, zone, None)
        if not st.form_submit_button("Subscribe", type="primary", icon=":material/add:"):
            return
    try:
        made = subs.create(state.current_engine(), me, scope, file_format, weekday, at, recipients,
                           scopes, groups=groups())  # fmt: skip
    except (UsageError, AccessDenied) as exc:
        _refused(exc, scope, "create", "Not subscribed")
        return
    access.record(
        "subscribe", "ok", scope=scope, detail=f"created {made.subscription_id}: {_summary(made, zone)}"
    )
    _done(
        f"Subscribed: {_label(made, names, zone)}. The first pack goes {local_time(subs.next_send(made, subs.utc_now(), zone, False), zone)}."
    )


def _refused(exc: Exception, scope: str, what: str, said: str, action: str = "subscribe") -> None:
    """A change the rules or the checks refused: audited, and said in one line."""
    access.record(action, "denied" if isinstance(exc, AccessDenied) else "failed", scope=scope,
                  detail=f"{what}: {exc}"[:200])  # fmt: skip
    st.error(f"{said}: {formatting.plain(str(exc))}.", icon=":material/error:")


def _summary(s: subs.Subscription, zone: str | None) -> str:
    return f"{s.file_format.upper()}, {s.schedule_text(zone)}, to {len(s.recipients)} recipient(s)"


def _done(said: str) -> None:
    st.session_state[_FLASH] = formatting.plain(said)
    st.rerun()


def change_or_delete(
    me: Access, items: list[subs.Subscription], scopes: list[str], names: dict[str, str], zone: str | None
) -> None:
    """Pick one of `items`, then save a change or delete it."""
    if not items:
        return
    st.subheader("Change or delete")
    by_id = {s.subscription_id: s for s in items}
    chosen = st.selectbox("Subscription", list(by_id), format_func=lambda i: _label(by_id[i], names, zone),
                          key="subscription_pick")  # fmt: skip
    s = by_id[chosen]
    # An admin changing another person's subscription may offer its scope even if it is not theirs.
    offered = scopes if s.scope in scopes else [s.scope, *scopes]
    with st.form(f"subscription_edit_{s.subscription_id}", border=True):
        scope, file_format, weekday, at, recipients = _fields(
            f"edit_{s.subscription_id}", offered, names, zone, s
        )
        save = st.form_submit_button("Save changes", icon=":material/save:")
    engine = state.current_engine()
    if save:
        try:
            changed = subs.update(engine, me, s, scope=scope, file_format=file_format, weekday=weekday,
                                  send_time=at, recipients=recipients, known_scopes=scopes)  # fmt: skip
        except (UsageError, AccessDenied) as exc:
            _refused(exc, scope, f"change {s.subscription_id}", "Not changed")
            return
        access.record(
            "subscribe", "ok", scope=scope, detail=f"changed {s.subscription_id}: {_summary(changed, zone)}"
        )
        _done(f"Changed: {_label(changed, names, zone)}.")
    if me.admin:
        send_again(me, s, names, zone)
    if st.button(
        "Delete this subscription", icon=":material/delete:", key=f"subscription_delete_{s.subscription_id}"
    ):
        try:
            subs.delete(engine, me, s)
        except AccessDenied as exc:
            access.record(
                "subscribe", "denied", scope=s.scope, detail=f"delete {s.subscription_id}: {exc}"[:200]
            )
            st.error(f"Not deleted: {formatting.plain(str(exc))}.", icon=":material/error:")
            return
        access.record(
            "subscribe", "ok", scope=s.scope, detail=f"deleted {s.subscription_id}: {_summary(s, zone)}"
        )
        _done(f"Deleted: {_label(s, names, zone)}.")


def send_again(me: Access, s: subs.Subscription, names: dict[str, str], zone: str | None) -> None:
    """An admin's way out of a week that did not go: this week's claim left
    by a run that died, or a week given up, released for the next run."""
    engine = state.current_engine()
    found = delivery.this_week(engine, s, subs.utc_now(), zone)
    if delivery.why_not_release(found, subs.utc_now()) is not None or found is None:
        return
    if found.status == "sending":
        st.caption(
            f"A run claimed this week's pack on {local_time(found.updated_at, zone)} and stopped before saying whether "
            "it went. If it did, sending it again means its recipients get it twice."
        )
    else:
        st.caption(
            f"This week's pack failed {found.attempts} times and is not tried again unless sent again."
        )
    if not st.button(
        "Send this week's pack again on the next run", icon=":material/forward_to_inbox:",
        key=f"subscription_again_{s.subscription_id}",
    ):  # fmt: skip
        return
    try:
        was = delivery.release(engine, me, s, zone)
    except (UsageError, AccessDenied) as exc:
        _refused(exc, s.scope, f"send {s.subscription_id} again", "Not released", "deliver")
        return
    access.record("deliver", "ok", scope=s.scope, detail=(
        f"released {s.subscription_id} {was.delivery_week} to send again (was {was.status}, "
        f"try {was.attempts} of {MAX_ATTEMPTS})"
    ))  # fmt: skip
    _done(f"This week's pack of {_label(s, names, zone)} goes again on the next run of deliver.")
