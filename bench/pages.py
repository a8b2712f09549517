"""What a person meets: every page of the dashboard opened in headless
Chromium from a fresh server, a filter changed on it, and the server's
peak memory.

A page is *drawn* when the app's script state is `notRunning`, no
`stSkeleton` is left, and every chart has drawn its SVG: a Plotly chart
(Explore) its `.main-svg`, a server-drawn chart (`.pm-chart`) its `<svg>`,
which arrives with the page. Times run from
navigation (or from the widget change) until then. The script run of a
change is timed in the page: a MutationObserver notes when the app's script
state turns `running` and back to `notRunning`.

    .venv/bin/python -m bench.pages DATABASE_URL [OUT.json]   # every page, fresh server each
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
SHOTS = ROOT / "bench" / "cache" / "pages"

from serve import CHROMIUM, CHROMIUM_ARGS, dashboard, free_port, listening_pid, vm_hwm_mb  # noqa: E402, F401

# (title, path, the change a person makes on it: a widget's test id and how)
PAGES: list[tuple[str, str]] = [
    ("This week", ""),
    ("Brands and segments", "brands"),
    ("Loyalty and retention", "loyalty"),
    ("Customer purpose", "customer_purpose"),
    ("Drivers", "drivers"),
    ("People", "people"),
    ("Impact", "impact"),
    ("Data", "data"),
]

_OBSERVER = """
() => {
  window.__pmRuns = [];
  const app = document.querySelector('[data-testid=stApp]');
  const note = () => window.__pmRuns.push([app.dataset.testScriptState, performance.now()]);
  new MutationObserver(note).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}
"""

_DRAWN = """
() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (document.querySelector('[data-testid=stSkeleton]')) return false;
  if (document.querySelector('[data-stale=true]')) return false;
  for (const chart of document.querySelectorAll('[data-testid=stPlotlyChart]')) {
    if (!chart.querySelector('.main-svg')) return false;
  }
  for (const chart of document.querySelectorAll('.pm-chart')) {
    if (!chart.querySelector('svg')) return false;
  }
  return document.querySelectorAll('h1').length > 0;
}
"""


@dataclass
class PageVisit:
    page: str
    first_view_s: float
    first_script_s: float | None = None  # the server's script run of the first view
    change: str = ""
    change_script_ms: float | None = None  # the server's script run of the change
    change_drawn_s: float | None = None
    server_peak_mb: float | None = None
    errors: list[str] = field(default_factory=list)


def _runs(log: Path) -> list[dict]:
    """The script runs the server logged (ui/runlog.py), oldest first."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def wait_drawn(page, timeout_ms: int = 300_000) -> None:
    page.wait_for_function(_DRAWN, timeout=timeout_ms, polling=50)


def errors(page) -> list[str]:
    return [e.inner_text()[:200] for e in page.query_selector_all('[data-testid="stException"]')]


def _change(page, path: str) -> str:
    """Make the change a person makes on the page; returns what it was."""
    if path == "data":  # no filter here: a tab of definitions (drawn in the browser, no rerun)
        page.get_by_role("tab", name="People").click()
        return "definitions: the People tab"
    # The brand picker (a scope change), or on Brands and segments the span of
    # weeks (a period change). Its options are radio buttons: the first one not
    # chosen (clicking the chosen one changes nothing and reruns nothing).
    groups = page.get_by_test_id("stButtonGroup")
    group = groups.filter(has_text="13 weeks" if path == "brands" else "Company").first
    option = group.locator("button[aria-checked='false']").first
    label = option.inner_text().strip()
    option.click()
    return f"{'period' if path == 'brands' else 'scope'}: {label}"


def measure_page(title: str, path: str, page, runs: Path) -> PageVisit:
    base = page.url.split("/", 3)
    before = len(_runs(runs))
    t = time.perf_counter()
    page.goto(f"{base[0]}//{base[2]}/{path}")
    wait_drawn(page)
    first = time.perf_counter() - t
    visit = PageVisit(title, first, errors=errors(page))
    logged = _runs(runs)[before:]
    visit.first_script_s = sum(r["seconds"] for r in logged) if logged else None
    before = len(_runs(runs))
    page.evaluate(_OBSERVER)
    t = time.perf_counter()
    try:
        visit.change = _change(page, path)
    except Exception as exc:  # the page has no such widget: say so in the results
        visit.change = f"none ({type(exc).__name__})"
        return visit
    if path != "data":  # a widget change reruns the script: wait for the rerun
        page.wait_for_function(
            "() => window.__pmRuns.some(r => r[0] === 'running')", timeout=60_000, polling=20
        )
    wait_drawn(page)
    visit.change_drawn_s = time.perf_counter() - t
    logged = _runs(runs)[before:]
    visit.change_script_ms = 1000 * sum(r["seconds"] for r in logged) if logged else None
    visit.errors += errors(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{path or 'home'}.png"), full_page=True)
    return visit


def _run_log(name: str) -> tuple[Path, dict[str, str]]:
    log = SHOTS / f"runs-{name}.jsonl"
    log.unlink(missing_ok=True)
    return log, {"PURPOSE_METRICS_RUN_LOG": str(log)}


def visit_each_from_fresh(url: str, env: dict[str, str] | None = None) -> list[PageVisit]:
    """Every page, each from a freshly started server and a new browser
    context (nothing cached), then one change."""
    from playwright.sync_api import sync_playwright

    out = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for title, path in PAGES:
            runs, run_env = _run_log(path or "home")
            with dashboard(url, SHOTS / f"server-{path or 'home'}.log", {**(env or {}), **run_env}) as base:
                port = int(base.rsplit(":", 1)[1])
                pid = listening_pid(port)
                context = browser.new_context(viewport={"width": 1440, "height": 900})
                page = context.new_page()
                page.goto(base + "/_stcore/health")
                visit = measure_page(title, path, page, runs)
                visit.server_peak_mb = vm_hwm_mb(pid) if pid else None
                context.close()
            out.append(visit)
            print(
                f"  {title:24s} first view {visit.first_view_s:5.2f} s "
                f"(script {visit.first_script_s or float('nan'):4.2f} s) · change ({visit.change}) script "
                f"{visit.change_script_ms or float('nan'):6.0f} ms, drawn {visit.change_drawn_s or float('nan'):5.2f} s · "
                f"server peak {visit.server_peak_mb or float('nan'):6.0f} MB {visit.errors or ''}",
                file=sys.stderr,
                flush=True,
            )
        browser.close()
    return out


def one_session_everything(url: str, env: dict[str, str] | None = None) -> dict:
    """One person on one fresh server: every page, every change; the
    server's peak memory at the end."""
    from playwright.sync_api import sync_playwright

    runs, run_env = _run_log("session")
    with (
        sync_playwright() as p,
        dashboard(url, SHOTS / "server-session.log", {**(env or {}), **run_env}) as base,
    ):
        pid = listening_pid(int(base.rsplit(":", 1)[1]))
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(base + "/_stcore/health")
        visits = [measure_page(title, path, page, runs) for title, path in PAGES]
        browser.close()
        return {"visits": [asdict(v) for v in visits], "server_peak_mb": vm_hwm_mb(pid) if pid else None}


def summary(visits: list[PageVisit]) -> dict:
    return {
        "max_first_view_s": max(v.first_view_s for v in visits),
        "median_first_view_s": statistics.median(v.first_view_s for v in visits),
        "max_change_script_ms": max((v.change_script_ms or 0) for v in visits),
        "max_change_drawn_s": max((v.change_drawn_s or 0) for v in visits),
        "max_server_peak_mb": max((v.server_peak_mb or 0) for v in visits),
    }


def main(argv: list[str]) -> int:
    url = argv[1]
    visits = visit_each_from_fresh(url)
    session = one_session_everything(url)
    result = {"fresh": [asdict(v) for v in visits], "summary": summary(visits), "session": session}
    print(json.dumps(result, indent=1))
    if len(argv) > 2:
        Path(argv[2]).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
