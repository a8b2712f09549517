"""The Subscriptions page (pages/subscriptions.py): create, list, change and
delete; who sees it; a brand role is offered its own brand only.

The worked example's brands are Alpine, Hearth, Stride and Tiny; its
company has no time zone, so schedules read UTC."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from streamlit.testing.v1 import AppTest

from purpose_metrics import audit, db, dburl, delivery, reading
from purpose_metrics import subscriptions as subs
from purpose_metrics.access import ENV_ACCESS, Access
from tests.app.conftest import DASHBOARD, TIMEOUT, page_text
from tests.app.test_access_pages import ADMIN, ANALYST, AUTH, CEO, HEARTH_LEAD, ROLES
from tests.test_delivery import Inbox, free_port

PAGE = "pages/subscriptions.py"


@pytest.fixture
def url(tmp_path, example_templates) -> str:
    """The worked example, for one test (they write subscriptions)."""
    return example_templates.copy("duckdb", tmp_path / "subs.duckdb")


@pytest.fixture
def open_page(monkeypatch, tmp_path) -> Callable[..., AppTest]:
    """open_page(url, user=None): the page in local mode, or signed in as `user`."""
    roles = tmp_path / "access.toml"
    roles.write_text(ROLES)

    def open_as(url: str, user: dict | None = None) -> AppTest:
        monkeypatch.setenv(dburl.ENV_URL, url)
        at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
        if user is not None:
            monkeypatch.setenv(ENV_ACCESS, str(roles))
            at.secrets["auth"] = dict(AUTH)
            at.user = dict(user)
        at.run()
        at.switch_page(PAGE)
        return at.run()

    return open_as


def stored(url: str) -> list[subs.Subscription]:
    engine = db.make_engine(url)
    try:
        return subs.load(engine)
    finally:
        engine.dispose()


def subscribe_actions(url: str) -> list[tuple]:
    engine = db.make_engine(url)
    try:
        rows = audit.recent(engine).filter(audit.recent(engine)["action"] == "subscribe")
        return rows.select("who", "scope", "outcome", "detail").rows()
    finally:
        engine.dispose()


def read(at: AppTest) -> str:
    """The page's text as a person reads it (Markdown escapes and word joiners out)."""
    return page_text(at).replace("\\", "").replace("\u2060", "")


def submit(at: AppTest, label: str) -> AppTest:
    (button,) = [b for b in at.button if b.label == label]
    return button.click().run()


def test_create_list_change_and_delete_in_local_mode(open_page, url):
    at = open_page(url)
    assert [t.value for t in at.title] == ["Subscriptions"]
    assert "No subscription yet" in page_text(at)
    # Local mode is the admin: every scope is offered.
    assert at.selectbox(key="new_scope").options == ["Company", "Alpine", "Hearth", "Stride", "Tiny"]

    at.selectbox(key="new_scope").set_value("hearth")
    at.radio(key="new_format").set_value("pdf")
    at.selectbox(key="new_day").set_value(4)
    at.time_input(key="new_time").set_value(dt.time(17, 30))
    at.text_area(key="new_to").input("Ana@example.com\nbo@example.org")
    at = submit(at, "Subscribe")
    assert not at.exception
    (made,) = stored(url)
    assert (made.owner, made.scope, made.file_format, made.weekday, made.send_time, made.recipients) == (
        "local", "hearth", "pdf", 4, "17:30", ("ana@example.com", "bo@example.org"),
    )  # fmt: skip
    (table,) = at.dataframe
    row = table.value.iloc[0].to_dict()
    assert row["Scope"] == "Hearth" and row["Format"] == "PDF" and row["When"] == "Fridays 17:30"
    assert row["Recipients"] == "ana@example.com, bo@example.org" and row["Latest delivery"] == "none yet"
    assert row["Owner"] == "local"  # an admin sees whose it is
    assert "Subscribed: Hearth · PDF · Fridays at 17:30 (UTC) · ana@example.com, bo@example.org." in read(at)

    at.selectbox(key=f"edit_{made.subscription_id}_day").set_value(0)
    at = submit(at, "Save changes")
    assert [(s.weekday, s.send_time) for s in stored(url)] == [(0, "17:30")]
    assert at.dataframe[0].value.iloc[0]["When"] == "Mondays 17:30"

    at = submit(at, "Delete this subscription")
    assert stored(url) == []
    assert "No subscription yet" in page_text(at) and not at.dataframe
    done = [(scope, outcome, detail.split(":")[0]) for _, scope, outcome, detail in subscribe_actions(url)]
    assert done == [
        ("hearth", "ok", f"deleted {made.subscription_id}"),
        ("hearth", "ok", f"changed {made.subscription_id}"),
        ("hearth", "ok", f"created {made.subscription_id}"),
    ]


def test_a_wrong_recipient_is_named_and_nothing_is_stored(open_page, url):
    at = open_page(url)
    at.text_area(key="new_to").input("ana@example.com, ana at example")
    at = submit(at, "Subscribe")
    assert "Not subscribed: recipient 'ana' is not an email address (name@example.com)." in read(at)
    assert stored(url) == []


def test_a_brand_role_is_offered_its_brand_only_and_sees_only_its_own(open_page, url):
    engine = db.make_engine(url)
    ceo = subs.create(engine, Access(who="ceo@example.com", role="executive"), "alpine", "pptx", 0, "08:00",
                      "ceo@example.com", ["company", "alpine", "hearth", "stride", "tiny"])  # fmt: skip
    engine.dispose()
    at = open_page(url, HEARTH_LEAD)
    assert at.selectbox(key="new_scope").options == ["Hearth"]
    assert "No subscription yet" in page_text(at)  # the CEO's is not theirs to see
    at.text_area(key="new_to").input("team@example.com")
    at = submit(at, "Subscribe")
    mine = [s for s in stored(url) if s.subscription_id != ceo.subscription_id]
    assert [(s.owner, s.scope, s.owner_groups) for s in mine] == [
        ("lead@example.com", "hearth", ("staff", "brand-hearth"))
    ]
    (table,) = at.dataframe
    assert table.value["Scope"].to_list() == ["Hearth"] and "Owner" not in table.value.columns
    assert "Alpine" not in table.value.to_csv()


def test_a_viewer_has_no_subscriptions_page(open_page, url):
    # The navigation does not hold the page for a viewer: its link opens nothing of it.
    with pytest.raises(ValueError, match="Could not find a navigation page for .*subscriptions.py"):
        open_page(url, ANALYST)
    # A brand role (the same data reached) does have it.
    assert [t.value for t in open_page(url, HEARTH_LEAD).title] == ["Subscriptions"]


# --- sending a week again ------------------------------------------------------------------

AGAIN = "Send this week's pack again on the next run"


def left_this_week(url: str, status: str, attempts: int, age: dt.timedelta) -> tuple[subs.Subscription, str]:
    """The CEO's subscription (Mondays 00:00 UTC, made long ago: this week's time has passed whenever the
    test runs) with this week's delivery left as `status` `age` ago; (it, the week)."""
    engine = db.make_engine(url)
    try:
        made = subs.create(engine, Access(who="ceo@example.com", role="executive"), "company", "pptx", 0,
                           "00:00", "board@example.com", ["company", "alpine", "hearth", "stride", "tiny"],
                           now=dt.datetime(2026, 1, 1))  # fmt: skip
        now = subs.utc_now()
        week = subs.scheduled_at(made, now, None)[0]
        detail = "could not connect to mail.example.com:465: Connection refused (attempt 3 of 3)"
        with engine.begin() as conn:
            conn.execute(sa.insert(subs.DELIVERIES), [{
                "subscription_id": made.subscription_id, "delivery_week": week, "pack_week": None,
                "status": status, "attempts": attempts, "updated_at": now - age,
                "detail": detail if status == "failed" else None,
            }])  # fmt: skip
    finally:
        engine.dispose()
    return made, week


@pytest.mark.parametrize(
    ("status", "attempts", "was"),
    [
        ("sending", 1, "a run claimed week {week} on"),
        ("failed", 3, "could not connect to mail.example.com:465"),
    ],
)
def test_an_admin_sends_a_week_again_and_the_next_run_sends_it_once(open_page, url, status, attempts, was):
    made, week = left_this_week(url, status, attempts, dt.timedelta(hours=2))
    at = open_page(url, ADMIN)
    (warning,) = at.warning
    assert was.format(week=week) in read(at)
    assert [b.label for b in at.button if b.label == AGAIN] == [AGAIN]
    at = submit(at, AGAIN)
    assert not at.exception
    assert (
        "This week's pack of Company · PPTX · Mondays at 00:00 (UTC) · board@example.com goes again on the "
        "next run of deliver." in read(at)
    )
    row = at.dataframe[0].value.iloc[0].to_dict()
    assert row["Latest delivery"] == f"↻ {week} to be sent again by the next run"
    assert row["Next"] == "the next run (sent again)"
    assert not [b for b in at.button if b.label == AGAIN]  # released: nothing more to release
    engine = db.make_engine(url)
    try:
        rows = audit.recent(engine).filter(audit.recent(engine)["action"] == "deliver")
        logged = rows.select("who", "scope", "outcome", "detail").rows()
        assert logged == [("ops@example.com", "company", "ok",
                           f"released {made.subscription_id} {week} to send again (was {status}, try {attempts} of 3)")]  # fmt: skip
        # The next run sends it, once.
        inbox, port = Inbox(), free_port()
        server = Controller(inbox, hostname="127.0.0.1", port=port)
        server.start()
        try:
            settings = delivery.SmtpSettings("smtp", "127.0.0.1", port, "reports@example.com")
            load = lambda: reading.load_dataset(engine)  # noqa: E731
            assert [o.status for o in delivery.deliver(engine, settings, load=load)] == ["sent"]
            assert delivery.deliver(engine, settings, load=load) == []
        finally:
            server.stop()
    finally:
        engine.dispose()
    assert [e.rcpt_tos for e in inbox.envelopes] == [["board@example.com"]]


@pytest.mark.parametrize(
    ("user", "age", "why"),
    [
        (ADMIN, dt.timedelta(minutes=10), "a claim 10 minutes old may be a run still sending"),
        (CEO, dt.timedelta(hours=2), "the owner is not an admin"),
    ],
)
def test_no_send_again_for_a_claim_that_may_still_be_sending_or_for_a_non_admin(
    open_page, url, user, age, why
):
    made, week = left_this_week(url, "sending", 1, age)
    at = open_page(url, user)
    assert at.dataframe[0].value.iloc[0]["Latest delivery"] == (
        f"… being sent for {week} (not sent again if that run stopped)"
    )
    assert not [b for b in at.button if b.label == AGAIN], why
