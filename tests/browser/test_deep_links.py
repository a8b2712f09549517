"""A link to a page opens that page inside the dashboard, even as the very
first visit to a freshly started server: with the sidebar, its navigation
by page titles, and the page asked for.

Streamlit decides per server whether the app follows the old `pages/`
folder convention until some run calls st.navigation; before this was
handled (ui/page.ensure_router), a first visit to /loyalty ran that page on
its own, without the router, for every later deep link too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from serve import CHROMIUM, CHROMIUM_ARGS, PAGE_TITLES, dashboard, exceptions, wait_until_run

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")


TITLES = PAGE_TITLES

# Every label a sidebar navigation link shows, as soon as it is in the DOM
# (a MutationObserver from before the app's first byte): a flash of the
# pages/ folder's file names ("dashboard", "brands", ...) would be caught.
RECORD_NAV_LABELS = """
window.__pmNavSeen = [];
new MutationObserver(() => {
  for (const e of document.querySelectorAll('[data-testid="stSidebarNavLink"]')) {
    const label = e.innerText.split("\\n").pop().trim();
    if (label && !window.__pmNavSeen.includes(label)) window.__pmNavSeen.push(label);
  }
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory, example_templates) -> Iterator[str]:
    """A server nobody has visited yet (its own, not the shared one)."""
    folder = tmp_path_factory.mktemp("deep-links")
    url = example_templates.copy("duckdb", folder / "dashboard.duckdb")
    with dashboard(url, folder / "streamlit.log") as base:
        yield base


def test_the_first_visit_may_be_a_link_to_any_page(fresh_server):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for path, title in (("loyalty", "Loyalty and retention"), ("data", "Data"), ("impact", "Impact")):
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.add_init_script(RECORD_NAV_LABELS)
                page.goto(f"{fresh_server}/{path}?week=2026-W10")
                wait_until_run(page, title, timeout_ms=120_000)
                page.wait_for_timeout(1000)  # a rerun would start within this
                wait_until_run(page, title, timeout_ms=120_000)
                nav = [
                    e.inner_text().split("\n")[-1]
                    for e in page.query_selector_all('[data-testid="stSidebarNavLink"]')
                ]
                assert nav[:3] == ["This week", "Brands and segments", "Loyalty and retention"], (path, nav)
                # from the first paint on, the sidebar never listed pages/'s file names
                seen = set(page.evaluate("() => window.__pmNavSeen"))
                assert seen and seen <= set(TITLES), (path, sorted(seen - set(TITLES)))
                sidebar = page.query_selector('[data-testid="stSidebarUserContent"]').inner_text()
                assert "Data read" in sidebar, (path, sidebar[:200])
                assert exceptions(page) == []
                titles = [h.inner_text().strip() for h in page.query_selector_all("h1")]
                assert titles.count(title) == 1, titles  # the page ran once, inside the router
                if path != "data":
                    assert (
                        page.input_value('[data-testid="stSelectbox"] input') == "2026-W10"
                    )  # the link's week
                page.close()
        finally:
            browser.close()
