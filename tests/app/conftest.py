"""AppTest fixtures: the dashboard against a temporary DuckDB.

The worked example (tests/data/small/data) goes in through the importer,
exactly as a user's files would; the app finds the database through
PURPOSE_METRICS_DATABASE_URL. Streamlit's caches are process-wide and keyed
by the database URL, so every test database gets its own entries.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from purpose_metrics import db, dburl
from purpose_metrics.ui import charts, state
from purpose_metrics.validation import import_folder

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "dashboard.py"
TIMEOUT = 60  # seconds per script run: the first one imports and computes everything
# Every page but This week (the router's default, app(url) with no page) and
# Subscriptions (shown to those who may subscribe).
PAGES = [
    "pages/brands.py",
    "pages/loyalty.py",
    "pages/customer_purpose.py",
    "pages/drivers.py",
    "pages/people.py",
    "pages/impact.py",
    "pages/data.py",
]


def _database(path: Path, folder: Path | None) -> str:
    url = f"duckdb:///{path}"
    engine = db.make_engine(url, create=True)
    db.create_schema(engine)
    if folder is not None:
        import_folder(engine, folder)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def small_db(tmp_path_factory, example_templates) -> str:
    """The spec's small example: brands alpine, hearth, stride, tiny; Jan 2025 – Jun 2026."""
    return example_templates.copy("duckdb", tmp_path_factory.mktemp("app") / "small.duckdb")


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory) -> str:
    return _database(tmp_path_factory.mktemp("app-empty") / "empty.duckdb", None)


@pytest.fixture
def app(monkeypatch) -> Callable[..., AppTest]:
    """app(url, page=None, **query) -> an AppTest that has run the router
    (and switched to `page`, e.g. "pages/brands.py") with that URL's query."""

    def open_app(url: str, page: str | None = None, **query: str | list[str]) -> AppTest:
        monkeypatch.setenv(dburl.ENV_URL, url)
        # These tests read the worked example's latest whole week, 2026-W25
        # (its data run to Sunday 28 Jun, 14:26: W26 is open). The default,
        # the open week, has tests of its own (test_this_week.py).
        monkeypatch.setenv(state.ENV_DEFAULT_WEEK, "complete")
        at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
        if page is None:
            at.query_params.update(query)
            return at.run()
        at.run()  # the router must run once before a page switch
        at.switch_page(page)
        at.query_params.update(query)
        return at.run()

    return open_app


@dataclass(frozen=True)
class Card:
    """A KPI card as a person reads it (ui/scorecards.py)."""

    metric_id: str
    label: str
    value: str
    delta: str | None
    foot: str
    sample: str
    flags: tuple[str, ...]
    text: str  # everything on the card


class _Cards(HTMLParser):
    """The KPI cards of an st.html block: the text of each part by its class."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[dict] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if "pm-card" in classes:
            self.cards.append({"metric_id": attrs.get("data-metric"), "parts": {}, "text": []})
        part = next((c for c in classes if c.startswith("pm-") and c != "pm-card"), None)
        self.stack.append(part or (self.stack[-1] if self.stack else ""))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.cards and data.strip():
            part = self.stack[-1] if self.stack else ""
            card = self.cards[-1]
            card["parts"].setdefault(part, []).append(data.strip())
            card["text"].append(data.strip())


def cards(at: AppTest) -> list[Card]:
    """Every KPI card on the page, in order."""
    parser = _Cards()
    for element in at.get("html"):
        parser.feed(element.proto.body)
    out = []
    for c in parser.cards:
        parts = {k: " ".join(v) for k, v in c["parts"].items()}
        delta = (
            " ".join(
                c["parts"].get("pm-delta", [])
                + c["parts"].get("pm-better", [])
                + c["parts"].get("pm-worse", [])
                + c["parts"].get("pm-same", [])
            )
            or None
        )
        out.append(Card(
            c["metric_id"], parts.get("pm-label", ""), parts.get("pm-value", ""), delta,
            " ".join(c["parts"].get("pm-foot", []) + c["parts"].get("pm-status", [])), parts.get("pm-small", ""),
            tuple(c["parts"].get("pm-flag", [])), " ".join(c["text"]),
        ))  # fmt: skip
    return out


_STATIC_CHART = re.compile(r'^<div class="pm-chart" data-chart="([^"]*)"')


def _elements(node) -> Iterator:
    """Every element under `node`, in page order."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _elements(child)


def chart_svgs(at: AppTest) -> list[str]:
    """The HTML of every server-drawn chart on the page (ui/charts.static_html), in page order."""
    return [m.value for m in at.markdown if _STATIC_CHART.match(str(m.value))]


def chart_specs(at: AppTest) -> list[dict]:
    """Every chart on the page, in page order, as its Plotly figure (a dict):
    a server-drawn chart's figure as show_chart keeps it in session_state,
    an interactive (Explore) chart's spec as Streamlit sends it."""
    out = []
    for node in _elements(at._tree):
        kind = getattr(node, "type", None)
        if kind == "plotly_chart":
            out.append(json.loads(node.proto.spec))
        elif kind == "markdown" and (m := _STATIC_CHART.match(str(node.value))):
            out.append(json.loads(at.session_state[charts.SPEC_KEY + html.unescape(m.group(1))]))
    return out


def page_text(at: AppTest) -> str:
    """Everything a person reads on the page, as one string (the charts' SVG aside)."""
    parts = [m.value for m in at.markdown if not _STATIC_CHART.match(str(m.value))] + [
        c.value for c in at.caption
    ]
    parts += [
        e.value
        for kind in ("title", "header", "subheader", "info", "warning", "error", "success")
        for e in at.get(kind)
    ]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    parts += [card.text for card in cards(at)]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def media(monkeypatch) -> list:
    """The in-memory media stores AppTest makes per run (where its download
    buttons' files are): a handle on each, the last one the latest run's."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import app_test

    stores: list[MemoryMediaFileStorage] = []

    class Kept(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stores.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Kept)
    return stores


@pytest.fixture
def read() -> Callable[[AppTest], str]:
    return page_text


@pytest.fixture
def database_reads(monkeypatch) -> Iterator[list[str]]:
    """Counts the app's database reads (one entry per load_dataset call),
    starting from empty caches."""
    import streamlit as st

    from purpose_metrics import reading

    st.cache_data.clear()
    st.cache_resource.clear()
    reads: list[str] = []
    real = reading.load_dataset

    def counting(engine, *args, **kwargs):
        reads.append(str(engine.url))
        return real(engine, *args, **kwargs)

    monkeypatch.setattr(reading, "load_dataset", counting)
    yield reads
    st.cache_data.clear()  # later tests must not see data read through the counter
    st.cache_resource.clear()
