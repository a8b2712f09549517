"""The Subscriptions page (pages/subscriptions.py): create, list, change and
delete; who sees it; a brand role is offered its own brand only.

The worked example's brands are Alpine, Hearth, Stride and Tiny; its
company has no time zone, so schedules read UTC."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from purpose_metrics import audit, db, dburl
from purpose_metrics import subscriptions as subs
from purpose_metrics.access import ENV_ACCESS, Access
from tests.app.conftest import DASHBOARD, TIMEOUT, page_text
from tests.app.test_access_pages import ANALYST, AUTH, HEARTH_LEAD, ROLES

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
