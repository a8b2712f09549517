"""Run one cold Monday view in this (fresh) process and print a JSON line:
seconds inside the process, peak RSS, and the row count.

    python -m bench.cold URL memory|pushdown            the bench's Monday view
    python -m bench.cold URL home-memory|home-pushdown [OUT.parquet]
                                                        the dashboard's home page
"""

from __future__ import annotations

import time

_t0 = time.perf_counter()

import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402

from bench.workloads import cold_monday, home_page, monday_view_pushdown  # noqa: E402
from purpose_metrics import db  # noqa: E402

if __name__ == "__main__":
    url, mode = sys.argv[1], sys.argv[2]
    if mode.startswith("home-"):
        rows = home_page(db.make_engine(url), mode.removeprefix("home-"))
        if len(sys.argv) > 3:
            rows.drop("trend", "trend_starts").write_parquet(sys.argv[3])
    elif mode == "pushdown":
        rows = monday_view_pushdown(db.make_engine(url))
    else:
        rows = cold_monday(url)
    print(json.dumps({
        "seconds": time.perf_counter() - _t0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rows": rows.height,
    }))
