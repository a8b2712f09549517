"""How long each script run of the dashboard takes, for the benchmark.

With PURPOSE_METRICS_RUN_LOG set to a file, every run of a page appends one
JSON line to it: the page, the seconds the script ran (the server's side of
a page view or a filter change, without the browser's drawing) and when.
Unset, nothing is measured or written.

With PURPOSE_METRICS_PROFILE set to a folder, every run is also profiled
(cProfile, the script's own thread) into `<page>-<time>.prof` there: what
a slow page view or filter change spends its time on
(`python -m pstats FILE`, then `sort cumtime`, `stats 30`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENV = "PURPOSE_METRICS_RUN_LOG"
PROFILE_ENV = "PURPOSE_METRICS_PROFILE"


@contextmanager
def timed(page: str) -> Iterator[None]:
    path, folder = os.environ.get(ENV), os.environ.get(PROFILE_ENV)
    if not path and not folder:
        yield
        return
    profile = None
    if folder:
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds = time.perf_counter() - started
        if profile is not None:
            profile.disable()
            name = "".join(c if c.isalnum() else "-" for c in page.lower())
            profile.dump_stats(Path(folder) / f"{name}-{time.time():.3f}.prof")
        if path:
            line = {"page": page, "seconds": seconds, "at": time.time()}
            with open(path, "a", encoding="utf-8") as out:
                out.write(json.dumps(line) + "\n")
