"""Links that ask for what does not exist, or try to break in.

Every URL-bound widget of every page gets the same hostile value. The page
must run without an exception, say in a sentence that the link's value was
not used, and never send the value to the database: a SQLAlchemy event
records every statement and parameter the app runs (the app reads a SQLite
copy of the worked example here, where every read goes through SQLAlchemy's
cursor), and the tables keep their rows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from conftest import DASHBOARD, TIMEOUT
from streamlit.testing.v1 import AppTest

from purpose_metrics import db, dburl

PAGES = [
    "pages/this_week.py", "pages/brands.py", "pages/loyalty.py", "pages/customer_purpose.py", "pages/drivers.py",
    "pages/people.py", "pages/impact.py", "pages/data.py",
]  # fmt: skip
# Every query parameter a widget of the dashboard is bound to.
KEYS = [
    "week", "brand", "metric", "kpi", "people_kpi", "loyalty_kpi", "purpose_kpi", "impact_kpi",
    "span", "channel", "region", "segment", "cohort",
]  # fmt: skip
HOSTILE = {
    "sql": "web'); DROP TABLE orders; --",
    "long": "9" * 20_000,
    "malformed-week": "2026-W99",
    "markdown": "[click me](https://evil.example/steal) ![x](https://evil.example/t.png) :red[alarm] $x^2$",
    "controls": "\u202eevil\x00\x1b[31m<script>alert(1)</script>",
}
# What the link asked for is repeated back with its Markdown escaped (and a
# word joiner after ":", which stops Streamlit's autolinks; formatting.plain).
ESCAPED_LINK = "\\[click me\\](https\\:\u2060//evil.example/steal)"


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory, example_templates) -> str:
    return example_templates.copy("sqlite", tmp_path_factory.mktemp("hostile") / "small.sqlite")


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement with its parameters, as text, that any engine runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(f"{statement} {parameters!r}")

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def open_with(url: str, monkeypatch, page: str, value: str) -> AppTest:
    """The app opened on a link giving `value` to every parameter, then the
    page opened with the same link."""
    import streamlit as st

    st.cache_data.clear()  # so the app reads the database with the recorder on
    monkeypatch.setenv(dburl.ENV_URL, url)
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.query_params.update(dict.fromkeys(KEYS, value))
    at.run()
    assert not at.exception
    if page != PAGES[0]:
        at.switch_page(page)
        at.query_params.update(dict.fromkeys(KEYS, value))
        at.run()
    return at


@pytest.mark.parametrize("kind", list(HOSTILE))
@pytest.mark.parametrize("page", PAGES, ids=[p.split("/")[1][:-3] for p in PAGES])
def test_a_hostile_link_gets_a_message_never_an_exception_or_a_query(
    sqlite_db, monkeypatch, statements, page, kind
):
    value = HOSTILE[kind]
    before = db.table_counts(sa.create_engine(sqlite_db))
    at = open_with(sqlite_db, monkeypatch, page, value)
    assert not at.exception
    if page != "pages/data.py":  # the data page has no URL-bound widget
        assert at.warning, "no message about the link"
        assert all(w.value.endswith(("instead.", "ignored.")) for w in at.warning)
    assert statements, "the app read nothing: the recorder saw no query"
    for probe in (value, value[:12], "DROP TABLE", "evil"):
        assert not any(probe in s for s in statements), f"{probe!r} reached the database"
    assert db.table_counts(sa.create_engine(sqlite_db)) == before


def test_a_markdown_link_in_a_link_is_shown_as_text(sqlite_db, monkeypatch):
    at = open_with(sqlite_db, monkeypatch, "pages/brands.py", HOSTILE["markdown"])
    texts = [w.value for w in at.warning]
    assert any(ESCAPED_LINK in t for t in texts)
    assert not any("[click me](https" in t for t in texts)


def test_a_very_long_value_is_cut_in_the_message(sqlite_db, monkeypatch):
    at = open_with(sqlite_db, monkeypatch, "pages/this_week.py", HOSTILE["long"])
    assert "There is no brand “" + "9" * 40 + "…”; showing Company instead." in [w.value for w in at.warning]
    assert all(len(w.value) < 300 for w in at.warning)


def test_control_and_direction_characters_are_not_repeated_back(sqlite_db, monkeypatch):
    at = open_with(sqlite_db, monkeypatch, "pages/this_week.py", HOSTILE["controls"])
    shown = " ".join(w.value for w in at.warning)
    assert "There is no brand" in shown
    assert not any(ch in shown for ch in ("\u202e", "\x00", "\x1b"))
    assert "\\<script\\>" in shown
