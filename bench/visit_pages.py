"""Visit every page of the dashboard on a database: time each first view and
save a screenshot (bench/cache/pages/). Needs /usr/bin/chromium. A time
runs from navigation until the script has finished, waited 1.5 s for late
reruns and finished again: so it includes that 1.5 s.

    .venv/bin/python -m bench.visit_pages URL TAG [memory|pushdown]

e.g. the PostgreSQL bench database with 10M orders:
    .venv/bin/python -m bench.visit_pages postgresql+psycopg://postgres@127.0.0.1:5432/pm_bench_10000000 pg10m
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
OUT = ROOT / "bench" / "cache" / "pages"
from playwright.sync_api import sync_playwright  # noqa: E402
from serve import CHROMIUM, CHROMIUM_ARGS, dashboard, exceptions, wait_until_run  # noqa: E402

url, tag = sys.argv[1], sys.argv[2]
OUT.mkdir(parents=True, exist_ok=True)
env = {"PURPOSE_METRICS_MODE": sys.argv[3]} if len(sys.argv) > 3 else {}
PAGES = [
    ("This week", ""),
    ("Brands and segments", "brands"),
    ("Loyalty and retention", "loyalty"),
    ("Customer purpose", "customer_purpose"),
    ("People", "people"),
    ("Impact", "impact"),
    ("Data", "data"),
]
with dashboard(url, OUT / f"{tag}.log", env) as base, sync_playwright() as p:
    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    for title, path in PAGES:
        t = time.perf_counter()
        page.goto(f"{base}/{path}")
        wait_until_run(page, title, timeout_ms=300_000)
        page.wait_for_timeout(1500)
        wait_until_run(page, title, timeout_ms=300_000)
        dt_ = time.perf_counter() - t
        page.screenshot(path=str(OUT / f"{tag}-{path or 'home'}.png"), full_page=True)
        errs = [e.inner_text()[:200] for e in page.query_selector_all('[data-testid="stAlert"]')]
        print(f"{title:25s} {dt_:6.1f} s  exceptions={exceptions(page)} alerts={errs[:3]}", flush=True)
    browser.close()
