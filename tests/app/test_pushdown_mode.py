"""The dashboard in every mode (PURPOSE_METRICS_MODE): every page renders,
and the Monday view shows the numbers memory mode shows."""

from __future__ import annotations

import pytest
import streamlit as st
from conftest import PAGES
from conftest import cards as cards_of

from purpose_metrics import sources


@pytest.fixture
def in_mode(monkeypatch):
    """in_mode(mode): choose the mode and forget what the other mode cached
    (a running dashboard has one mode; these tests switch it)."""

    def choose(mode: str) -> None:
        monkeypatch.setenv(sources.MODE_ENV, mode)
        st.cache_data.clear()
        st.cache_resource.clear()

    yield choose
    st.cache_data.clear()
    st.cache_resource.clear()


def sidebar(at) -> str:
    return "\n".join(c.value for c in at.sidebar.caption)


def cards(at) -> list[tuple[str, str, str | None]]:
    return [(c.label, c.value, c.delta) for c in cards_of(at)]


SIDEBAR_WORDS = {
    "pushdown": "Computed in the database (pushdown",
    "store": "From the fact store, kept current by every import",
}


@pytest.mark.parametrize("mode", ["pushdown", "store"])
def test_home_page_shows_the_same_cards_in_every_mode(app, small_db, in_mode, mode):
    in_mode("memory")
    memory = app(small_db)
    assert "Computed here, from rows read into memory" in sidebar(memory)
    memory.button_group(key="brand").set_value("alpine").run()
    in_mode(mode)
    pushed = app(small_db)
    assert SIDEBAR_WORDS[mode] in sidebar(pushed)
    pushed.button_group(key="brand").set_value("alpine").run()
    assert not pushed.exception
    assert len(cards_of(pushed)) == 38
    # Alpine in 2026-W25: 8 completed orders (orders.csv), the same on both.
    assert ("Orders", "8") in [(label, value) for label, value, _ in cards(pushed)]
    assert cards(pushed) == cards(memory)


@pytest.mark.parametrize("mode", ["pushdown", "memory"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_every_mode(app, small_db, in_mode, page, mode):
    in_mode(mode)
    at = app(small_db, page)
    assert not at.exception, page
    assert not at.error, [e.value for e in at.error]


def test_an_unknown_mode_is_a_message_not_a_traceback(app, small_db, in_mode, read):
    in_mode("turbo")
    at = app(small_db)
    assert not at.exception
    assert "unknown mode 'turbo'" in read(at)
