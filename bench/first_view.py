"""Where a page's first view goes: the browser's side of it.

    .venv/bin/python -m bench.first_view DATABASE_URL [PATH ...]

For each page (default: every page), twice, each time from a freshly
started server on the same port:

- **new visitor**: a browser with an empty cache (what `make bench` times);
- **returning visitor**: the same browser profile a second time, so
  Streamlit's JavaScript comes from the browser's cache, as it does for
  someone who opened the dashboard last Monday. The server is new either
  way: its caches are empty.

and splits the time from navigation until drawn (bench/pages.py's rule)
into: until the app's first script run starts (HTML, JavaScript, the
session's web socket), the script run (the server's own log), and the
rest (the browser drawing what it received: Plotly's chunk loaded and
each chart drawn). It also counts the JavaScript fetched and the main
thread's long tasks (over 50 ms), which is where a 2-core machine's
browser spends its time.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench.pages import (  # the browser-test helpers, through bench.pages
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGES,
    SHOTS,
    _run_log,
    _runs,
    dashboard,
    free_port,
    wait_drawn,
)

_MARKS = """
() => {
  window.__pm = {running: null, longTasks: 0, longCount: 0};
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) { window.__pm.longTasks += e.duration; window.__pm.longCount += 1; }
  }).observe({type: 'longtask', buffered: true});
  const watch = () => {
    const app = document.querySelector('[data-testid=stApp]');
    if (!app) return requestAnimationFrame(watch);
    const note = () => {
      if (window.__pm.running === null && app.dataset.testScriptState === 'running')
        window.__pm.running = performance.now();
    };
    note();
    new MutationObserver(note).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  };
  watch();
}
"""

_RESOURCES = """
() => {
  const js = performance.getEntriesByType('resource').filter(r => r.name.endsWith('.js'));
  return {
    js_files: js.length,
    js_transferred_kb: js.reduce((s, r) => s + (r.transferSize || 0), 0) / 1024,
    js_decoded_kb: js.reduce((s, r) => s + (r.decodedBodySize || 0), 0) / 1024,
    plotly_kb: js.filter(r => /plotly|Plotly/.test(r.name)).reduce((s, r) => s + (r.decodedBodySize || 0), 0) / 1024,
    charts: document.querySelectorAll('[data-testid=stPlotlyChart], .pm-chart').length,
    cards: document.querySelectorAll('.pm-card').length,
    long_tasks_ms: window.__pm.longTasks,
    long_task_count: window.__pm.longCount,
    script_started_ms: window.__pm.running,
  };
}
"""


def visit(context, base: str, path: str, runs: Path) -> dict:
    page = context.new_page()
    page.add_init_script(f"({_MARKS})()")
    before = len(_runs(runs))
    t = time.perf_counter()
    page.goto(f"{base}/{path}")
    wait_drawn(page)
    drawn = time.perf_counter() - t
    out = page.evaluate(_RESOURCES)
    logged = _runs(runs)[before:]
    out["drawn_s"] = drawn
    out["script_s"] = sum(r["seconds"] for r in logged) if logged else None
    started = (out["script_started_ms"] or 0) / 1000
    out["until_script_starts_s"] = started
    out["after_script_s"] = drawn - started - (out["script_s"] or 0)
    page.close()
    return out


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    url = argv[1]
    wanted = argv[2:] or [p for _, p in PAGES]
    results = {}
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        for title, path in PAGES:
            if path not in wanted and not (path == "" and "home" in wanted):
                continue
            port = free_port()
            profile = SHOTS / f"profile-{path or 'home'}"
            context = p.chromium.launch_persistent_context(
                str(profile),
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS,
                viewport={"width": 1440, "height": 900},
            )
            try:
                row = {}
                for visitor in ("new visitor", "returning visitor"):
                    runs, env = _run_log(f"first-view-{path or 'home'}")
                    with dashboard(
                        url, SHOTS / f"server-first-view-{path or 'home'}.log", env, port=port
                    ) as base:
                        row[visitor] = visit(context, base, path, runs)
                    v = row[visitor]
                    print(
                        f"  {title:22s} {visitor:17s} drawn {v['drawn_s']:5.2f} s = until the script starts "
                        f"{v['until_script_starts_s']:4.2f} + script {v['script_s'] or 0:4.2f} + drawing "
                        f"{v['after_script_s']:4.2f} · JS {v['js_transferred_kb']:6.0f} kB fetched "
                        f"({v['js_decoded_kb']:.0f} kB, Plotly {v['plotly_kb']:.0f} kB) · {v['charts']} charts · "
                        f"long tasks {v['long_tasks_ms']:5.0f} ms ({v['long_task_count']})",
                        file=sys.stderr,
                        flush=True,
                    )
                results[title] = row
            finally:
                context.close()
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
