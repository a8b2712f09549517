"""How long each script run of the dashboard takes, for the benchmark.

With PURPOSE_METRICS_RUN_LOG set to a file, every run of a page appends one
JSON line to it: the page, the seconds the script ran (the server's side of
a page view or a filter change, without the browser's drawing) and when.
Unset, nothing is measured or written.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "PURPOSE_METRICS_RUN_LOG"


@contextmanager
def timed(page: str) -> Iterator[None]:
    path = os.environ.get(ENV)
    if not path:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        line = {"page": page, "seconds": time.perf_counter() - started, "at": time.time()}
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
