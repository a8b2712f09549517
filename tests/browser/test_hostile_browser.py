"""Imported text in a real browser (issue 20, items 1 and 4): the hostile
fixture (tests/hostile.py) shows as written — no link, image, formula or
icon is drawn from it and nothing is fetched — and its downloads carry a
safe file name and no spreadsheet formula.

AppTest sees the Markdown the app sends; only a browser shows what
Streamlit makes of it (its autolinks and icon shortcodes run on the text
after escapes are read).
"""

from __future__ import annotations

import csv
import io
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import BRAND_ID, BRAND_NAME, BRAND_PURPOSE, COMPANY_NAME, COMPANY_PURPOSE, hostile_database
from serve import CHROMIUM, CHROMIUM_ARGS, dashboard, exceptions, wait_until_run

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

HOSTILE_HOST = "127.0.0.1:9"
PAGES = [("", "This week"), ("loyalty", "Loyalty and retention"), ("impact", "Impact")]


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("hostile-browser")
    with dashboard(hostile_database(folder / "hostile.duckdb"), folder / "streamlit.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, base: str, path: str, title: str, fetched: list[str]):
    page = browser.new_page(viewport={"width": 1440, "height": 6000}, accept_downloads=True)
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(f"{base}/{path}?" + urllib.parse.urlencode({"brand": BRAND_NAME}))
    wait_until_run(page, title)
    time.sleep(1.5)  # cards and charts arrive over a few deltas
    return page


@pytest.mark.parametrize(("path", "title"), PAGES, ids=[title for _, title in PAGES])
def test_imported_text_draws_no_link_image_formula_or_icon(browser, served, path, title):
    fetched: list[str] = []
    page = open_page(browser, served, path, title, fetched)
    assert exceptions(page) == []
    drawn = page.evaluate(
        """host => ({
            links: [...document.querySelectorAll('a[href]')].map(a => a.href).filter(h => h.includes(host)),
            images: [...document.querySelectorAll('img[src]')].map(i => i.src).filter(s => s.includes(host)),
            formulas: document.querySelectorAll('.katex').length,
            chartLinks: document.querySelectorAll('.js-plotly-plot svg a, .pm-chart a').length,
            chartForeign: document.querySelectorAll(
                '.pm-chart :is(foreignObject, script, image, use, iframe, img, style)').length,
            text: document.querySelector('[data-testid=stApp]').innerText.replaceAll('\\u2060', ''),
        })""",
        HOSTILE_HOST,
    )
    assert drawn["links"] == [] and drawn["images"] == []
    assert drawn["formulas"] == 0 and drawn["chartLinks"] == 0 and drawn["chartForeign"] == 0
    assert not [url for url in fetched if HOSTILE_HOST in url]
    assert COMPANY_NAME in drawn["text"] and BRAND_NAME in drawn["text"]
    if path == "":  # the purpose banner, as written, icon shortcode and e-mail address included
        assert BRAND_PURPOSE in drawn["text"] and COMPANY_PURPOSE in drawn["text"]
    page.close()


def test_the_gri_download_has_a_safe_name_and_no_formula(browser, served):
    page = open_page(browser, served, "impact", "Impact", [])
    with page.expect_download() as download:
        page.get_by_role("button", name="GRI content index (CSV)").click()
    name = download.value.suggested_filename
    assert name.startswith("gri-content-index-HYPERLINK-http-127.0.0.1-9-x-click-") and name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows and {row["scope"] for row in rows} == {"'" + BRAND_ID}
    page.close()
