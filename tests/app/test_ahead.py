"""Computations a page starts ahead (ui/state.py `f.ahead`): they run on a
background thread into the shared cache, and the page's own call then gets
that result instead of computing it again."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from purpose_metrics import dburl


def _page() -> None:
    import threading
    import time

    import streamlit as st

    from purpose_metrics.ui import state

    calls: list[str] = st.session_state.setdefault("calls", [])

    @state.of_the_data()
    def slow_double(data, n: int) -> int:
        calls.append(threading.current_thread().name)
        time.sleep(0.5)  # long enough that the page's call comes while this one runs
        return 2 * n

    @state.of_the_data()
    def failing(data, n: int) -> int:
        calls.append("failing")
        raise ValueError(f"no value for {n}")

    slow_double.ahead(21)
    failing.ahead(1)
    # The page asks once the background thread has begun (on a loaded
    # machine the page could otherwise get to the cache first and compute it
    # itself); if nothing was started ahead, it asks after 10 s.
    started = time.monotonic()
    while not any(c.startswith("pm-ahead") for c in calls) and time.monotonic() - started < 10:
        time.sleep(0.01)
    st.write(f"value {slow_double(21)}")
    st.write(f"calls {calls}")
    failing(1)


def test_a_computation_started_ahead_is_the_pages_result_computed_once(monkeypatch, small_db):
    monkeypatch.setenv(dburl.ENV_URL, small_db)
    at = AppTest.from_function(_page, default_timeout=60).run()
    texts = [m.value for m in at.markdown]
    assert "value 42" in texts
    # Computed once, on the background thread: the page's call waited for it.
    done = at.session_state["calls"]
    doubled = [c for c in done if c != "failing"]
    assert len(doubled) == 1 and doubled[0].startswith("pm-ahead"), done
    # A failure ahead is not swallowed for good: the page's own call meets
    # it again (nothing was cached) and shows it as any error.
    assert done.count("failing") == 2
    assert at.exception and "no value for 1" in at.exception[0].message
