"""Charts on the pages are server-drawn SVG (issue 12), interactive on
request (Explore), and follow Streamlit's dark theme (issue 17)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from conftest import DASHBOARD, TIMEOUT, chart_specs, chart_svgs
from streamlit.testing.v1 import AppTest

from purpose_metrics import dburl
from purpose_metrics.charts import theme
from purpose_metrics.cli import main
from purpose_metrics.ui import state

NS = "{http://www.w3.org/2000/svg}"
# Each page with charts, a link that shows all of them, and how many it
# draws on the bundled sample's latest whole week: every builder in charts/.
CHART_PAGES = [
    ("pages/brands.py", {"across": "Region"}, 3),  # interval_chart, segment_chart, small_multiples
    ("pages/loyalty.py", {}, 3),  # trend_chart, cohort_heatmap, retention_chart
    # interval_chart by purpose, service_chart, relevance_scatter, relevance_trend_chart, trend_chart
    ("pages/customer_purpose.py", {}, 5),
    ("pages/people.py", {}, 1),
    ("pages/impact.py", {}, 1),
    ("pages/drivers.py", {}, 2),  # driver_chart, purpose_tree
]


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> str:
    """The bundled sample (`purpose-metrics init --sample`): a year of four brands."""
    url = f"duckdb:///{tmp_path_factory.mktemp('sample') / 'sample.duckdb'}"
    with pytest.MonkeyPatch.context() as env:
        env.setenv(dburl.ENV_URL, url)
        assert main(["init", "--sample"]) == 0
    return url


def backgrounds(block: str) -> set[str]:
    """The paper colour of each width's SVG in a chart's HTML."""
    root = ET.fromstring(block)
    return {svg.find(NS + "rect").get("fill") for svg in root.iter(NS + "svg")}


@pytest.mark.parametrize(
    ("page", "query", "count"), CHART_PAGES, ids=[p.split("/")[1][:-3] for p, _, _ in CHART_PAGES]
)
def test_every_chart_builder_s_figure_is_drawn_on_the_server(app, sample_db, page, query, count):
    at = app(sample_db, page, **query)
    assert not at.exception, [e.value for e in at.exception]
    blocks = chart_svgs(at)
    assert len(blocks) == count
    assert not at.get("plotly_chart")  # no chart library sent to the browser
    for block, spec in zip(blocks, chart_specs(at), strict=True):
        root = ET.fromstring(block)
        assert len(list(root.iter(NS + "svg"))) == 3  # three widths, CSS picks one
        title = "".join(
            "".join(t.itertext()) for t in root.find(f"*/*/{NS}svg").iter(NS + "text")
        )  # every text of the widest SVG
        assert spec["layout"]["title"]["text"].split("<br>")[0][:20].replace("&amp;", "&") in title


def test_explore_shows_the_same_figure_as_an_interactive_chart(app, small_db):
    at = app(small_db, "pages/people.py")
    static = chart_specs(at)[0]
    at.toggle(key="explore_trend_people_kpi").set_value(True).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1 and not chart_svgs(at)
    assert chart_specs(at)[0]["data"] == static["data"]
    at.toggle(key="explore_trend_people_kpi").set_value(False).run()
    assert not at.get("plotly_chart") and len(chart_svgs(at)) == 1


def open_themed(url: str, monkeypatch, page: str, theme_type: str | None) -> AppTest:
    monkeypatch.setenv(dburl.ENV_URL, url)
    monkeypatch.setenv(state.ENV_DEFAULT_WEEK, "complete")
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    if theme_type:
        at.context = {"theme": theme_type}
    at.run()
    at.switch_page(page)
    return at.run()


def test_with_the_dark_theme_the_charts_use_the_dark_template(small_db, monkeypatch):
    at = open_themed(small_db, monkeypatch, "pages/loyalty.py", "dark")
    assert not at.exception
    for spec in chart_specs(at):
        assert spec["layout"]["template"]["layout"]["paper_bgcolor"] == theme.DARK_PAPER
    for block in chart_svgs(at):
        assert backgrounds(block) == {theme.DARK_PAPER.lower()}
    # The average retention line, dark blue on white, is light blue on the dark paper.
    curves = chart_specs(at)[2]
    assert curves["data"][-1]["line"]["color"] == theme.DARK_SWAPS["#08306B"]
    # Explore keeps the theme.
    at.toggle(key="explore_retention_curves").set_value(True).run()
    [chart] = at.get("plotly_chart")
    assert chart_specs(at)[2]["layout"]["template"]["layout"]["paper_bgcolor"] == theme.DARK_PAPER


@pytest.mark.parametrize("theme_type", [None, "light"])
def test_without_the_dark_theme_the_charts_stay_light(small_db, monkeypatch, theme_type):
    at = open_themed(small_db, monkeypatch, "pages/loyalty.py", theme_type)
    assert not at.exception
    for block in chart_svgs(at):
        assert backgrounds(block) == {"#ffffff"}
