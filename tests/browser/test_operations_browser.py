"""The running dashboard, as operated: a page never shows data older than
the cache's time to live, and a database password never reaches the page,
its HTML or the server's log.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve import CHROMIUM, CHROMIUM_ARGS, dashboard, exceptions, wait_until_run

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

CONSOLE = str(Path(sys.executable).with_name("purpose-metrics"))
PASSWORD = "Sup3r-S3cret!pw"
TTL = 4  # seconds, for the server of the freshness test


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def metric(page, metric_id: str) -> str:
    """A KPI card's value (ui/scorecards.py: one card per metric)."""
    selector = f'.pm-card[data-metric="{metric_id}"] .pm-value'
    page.wait_for_selector(selector, timeout=30_000)
    return page.inner_text(selector).strip()


def test_after_the_time_to_live_a_page_shows_what_the_database_holds(browser, example_templates, tmp_path):
    url = example_templates.copy("duckdb", tmp_path / "fresh.duckdb")
    # The week on screen is the latest whole one (W25), the one the two orders go into.
    env = {"PURPOSE_METRICS_CACHE_TTL": str(TTL), "PURPOSE_METRICS_DEFAULT_WEEK": "complete"}
    with dashboard(url, tmp_path / "streamlit.log", env=env) as base:
        page = browser.new_page(viewport={"width": 1440, "height": 8000})  # every card in view
        page.goto(base)
        wait_until_run(page, "This week")
        read = time.monotonic()
        before = int(metric(page, "orders"))
        assert f"refreshed every {TTL} s" in page.inner_text('[data-testid="stSidebar"]')
        # Another process adds two orders to the week on screen (2026-W25).
        orders = tmp_path / "orders.csv"
        orders.write_text(
            "order_id,customer_id,brand_id,ordered_at,channel,status,units,net_revenue,returned_units,"
            "refunded_amount,promised_delivery_date,delivered_at,shipping_co2e_kg,packaging_kg,"
            "packaging_recycled_kg,donation_amount,cause\n"
            "990001,,alpine,2026-06-18 10:00:00,web,completed,1,10.0,0,0.0,,,,,,0.0,\n"
            "990002,,hearth,2026-06-18 11:00:00,app,completed,1,12.0,0,0.0,,,,,,0.0,\n"
        )
        done = subprocess.run(
            [CONSOLE, "--db", url, "import", "orders", str(orders)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        time.sleep(max(0.0, read + TTL + 1 - time.monotonic()))
        page.reload()  # a new visit: nobody clicks "Refresh data"
        wait_until_run(page, "This week")
        assert exceptions(page) == []
        assert int(metric(page, "orders")) == before + 2
        page.close()


def test_a_password_in_the_database_url_reaches_neither_page_nor_log(browser, tmp_path):
    url = f"postgresql+psycopg://nobody_pm:{PASSWORD}@127.0.0.1:5432/metrics"
    log = tmp_path / "streamlit.log"
    with dashboard(url, log) as base:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(base)
        wait_until_run(page)
        page.wait_for_selector('[data-testid="stAlertContentError"]', timeout=30_000)
        error = page.inner_text('[data-testid="stAlertContentError"]')
        assert "Could not read the database at postgresql+psycopg://nobody_pm:***@127.0.0.1:5432" in error
        page.get_by_role("button", name="Retry").click()
        wait_until_run(page)
        assert exceptions(page) == []
        for shown in (page.inner_text("body"), page.content()):
            assert PASSWORD not in shown
        page.close()
    assert PASSWORD not in log.read_text()
