"""Imported text is shown as written on every page (issue 20, item 1).

The worked example with hostile names, purposes and labels (tests/hostile.py)
is opened on every page, for the hostile brand and for the company. Every
Markdown the page sends (text, captions, headings, notices, widget options
that render Markdown) must carry the data's markup escaped, and every chart
must carry it as HTML entities: no link, image, formula, colour or HTML
survives. And the texts are still there, readable.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

import pytest
from conftest import DASHBOARD, TIMEOUT, chart_specs, chart_svgs
from hostile import (
    BRAND_ID,
    BRAND_NAME,
    BRAND_PURPOSE,
    COMPANY_NAME,
    COMPANY_PURPOSE,
    CUSTOMER_PURPOSE,
    HTML_LIVE,
    INITIATIVE,
    REGION,
    SEGMENT,
    as_plotly_text,
    hostile_database,
    live_markdown,
    live_plotly,
    shown,
    strings_of,
)
from streamlit.testing.v1 import AppTest

from purpose_metrics import dburl

PAGES = [
    "pages/this_week.py", "pages/brands.py", "pages/loyalty.py", "pages/customer_purpose.py",
    "pages/people.py", "pages/impact.py", "pages/data.py",
]  # fmt: skip
MARKDOWN_ELEMENTS = (
    "markdown",
    "caption",
    "title",
    "header",
    "subheader",
    "info",
    "warning",
    "error",
    "success",
)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> str:
    return hostile_database(tmp_path_factory.mktemp("hostile-text") / "hostile.duckdb")


def open_page(url: str, monkeypatch, page: str, brand: str | None = None, **query: str) -> AppTest:
    """`page` opened from the router with `query`, showing `brand` (a brand id)."""
    monkeypatch.setenv(dburl.ENV_URL, url)
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    if page != PAGES[0]:
        at.switch_page(page)
        at.query_params.update(query)
        at.run()
    if brand is not None and any(w.key == "brand" for w in at.segmented_control):
        at.segmented_control(key="brand").set_value(brand).run()
        assert at.session_state["brand"] == brand
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown_sources(at: AppTest) -> list[str]:
    """Every string the page hands to Streamlit's Markdown renderer."""
    out = [str(e.value) for kind in MARKDOWN_ELEMENTS for e in at.get(kind)]
    out += [m.label for m in at.metric]
    for group in at.get("button_group"):  # segmented controls: options are Markdown
        out += [option.content for option in group.proto.options]
    for radio in at.radio:
        out += [str(option) for option in radio.options]
    return out


def html_sources(at: AppTest) -> list[str]:
    """The HTML blocks the page sends (st.html: the KPI cards)."""
    return [str(e.proto.body) for e in at.get("html")]


def chart_strings(at: AppTest) -> list[str]:
    """Every string of every Plotly figure on the page."""
    return [s for chart in chart_specs(at) for s in strings_of(chart)]


# What a server-drawn chart is made of (charts/svg.py): no link, image,
# script, foreign HTML or reference to another element among them.
SVG_ELEMENTS = {"div", "svg", "g", "rect", "line", "path", "circle", "text", "tspan", "title", "clipPath"}
SVG_NS = "{http://www.w3.org/2000/svg}"


def svg_texts(block: str) -> list[str]:
    """The texts of a server-drawn chart's HTML (which must be well-formed
    XML of SVG_ELEMENTS, with no attribute pointing anywhere); asserts so."""
    root = ET.fromstring(block)
    texts = []
    for element in root.iter():
        tag = element.tag.removeprefix(SVG_NS)
        assert tag in SVG_ELEMENTS, f"a chart holds <{tag}>"
        for name, value in element.attrib.items():
            assert "href" not in name and not name.startswith("on"), f"a chart's <{tag}> has {name}"
            if name != "aria-label":  # the chart's title, as text
                assert "http" not in value and "javascript" not in value.lower(), f"{name}={value!r}"
        texts += [t for t in (element.text, element.tail) if t and t.strip()]
    return texts


def assert_nothing_renders(at: AppTest) -> None:
    texts = markdown_sources(at)
    live = {text: found for text in texts if (found := live_markdown(text))}
    assert not live, f"data renders as Markdown: {live}"
    charts = chart_strings(at)
    live = {text: found for text in charts if (found := live_plotly(text))}
    assert not live, f"data renders as Plotly markup: {live}"
    # The cards are HTML of their own (a sparkline is an <img> of a data URI):
    # no tag of the data's, no link or image pointing where the data say.
    fragments = [f for f in HTML_LIVE if f != "<img"] + [
        f"{attribute}={quote}http://127.0.0.1" for attribute in ("href", "src") for quote in "'\""
    ]
    blocks = html_sources(at)
    live = {block[:80]: found for block in blocks if (found := [f for f in fragments if f in block])}
    assert not live, f"data renders as HTML: {live}"
    # The charts are SVG of their own: only the elements drawing uses, and
    # the data's markup arrives as text (its characters escaped).
    for block in chart_svgs(at):
        svg_texts(block)  # well-formed, drawing elements only, no attribute pointing anywhere
        found = [f for f in HTML_LIVE if f in block]
        assert not found, f"data's HTML in a chart's SVG: {found}"


CASES = [
    pytest.param(page, scope, id=f"{scope}-{page.split('/')[1][:-3]}")
    for scope in ("brand", "company")
    for page in PAGES
]  # fmt: skip


@pytest.mark.parametrize(("page", "scope"), CASES)
def test_no_page_renders_imported_text_as_markup(hostile_db, monkeypatch, page, scope):
    at = open_page(hostile_db, monkeypatch, page, brand=BRAND_ID if scope == "brand" else None)
    assert_nothing_renders(at)
    readable = "\n".join(shown(t) for t in markdown_sources(at))
    assert COMPANY_NAME in readable  # the sidebar, as written
    if scope == "brand" and page not in ("pages/brands.py", "pages/data.py"):  # pages with a brand picker
        assert BRAND_NAME in readable  # the brand picker at least, as written
        assert not at.warning, [w.value for w in at.warning]  # the link's name was understood


def test_the_home_page_shows_purposes_and_initiatives_as_written(hostile_db, monkeypatch):
    at = open_page(hostile_db, monkeypatch, "pages/this_week.py", brand=BRAND_ID)
    readable = "\n".join(shown(t) for t in markdown_sources(at))
    for text in (BRAND_PURPOSE, COMPANY_PURPOSE):
        assert text in readable
    # The card of the KPI the initiative targets carries its flag, as entities.
    assert any(html.escape(INITIATIVE, quote=True) in block for block in html_sources(at))


def test_chart_labels_carry_names_and_categories_as_entities(hostile_db, monkeypatch):
    at = open_page(hostile_db, monkeypatch, "pages/customer_purpose.py", span="52 weeks")
    strings = chart_strings(at)
    assert any(as_plotly_text(CUSTOMER_PURPOSE.capitalize()) in s for s in strings)
    assert any(BRAND_NAME in s for s in strings)
    assert_nothing_renders(at)


def test_server_drawn_charts_show_names_and_categories_as_written(hostile_db, monkeypatch):
    at = open_page(hostile_db, monkeypatch, "pages/customer_purpose.py", span="52 weeks")
    blocks = chart_svgs(at)
    assert blocks, "no server-drawn chart on the page"
    # What a person reads on the charts and in their hovers (<title>): the texts as written.
    read = " ".join(" ".join(svg_texts(block)) for block in blocks)
    assert BRAND_NAME in read
    assert CUSTOMER_PURPOSE.capitalize() in read
    # … and none of their characters that Markdown, HTML or LaTeX reads arrives as itself.
    for block in blocks:
        assert "[phish](" not in block and "<b>gift</b>" not in block and "**BOLD**" not in block
        assert "http://127.0.0.1" not in block and "$" not in block


def test_segment_filters_from_data_are_described_as_written(hostile_db, monkeypatch):
    at = open_page(hostile_db, monkeypatch, "pages/brands.py", region=REGION, segment=SEGMENT)
    assert not at.warning, [w.value for w in at.warning]
    assert at.multiselect(key="region").value == [REGION]
    assert_nothing_renders(at)
    readable = "\n".join(shown(t) for t in markdown_sources(at))
    assert f"region: {REGION}; segment: {SEGMENT}" in readable
