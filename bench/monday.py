"""The Monday view's numbers on one database, in this (fresh) process.

    python -m bench.monday DATABASE_URL MODE

Connects, warms the connection with one trivial query (on Spark this starts
the session: the JVM and its executors), then computes what the This week
page shows: every scope's cards for the latest week (views.week_kpis, the
page's own function) from a new Dataset. Prints one JSON line on stdout:
the seconds to connect, to compute, the rows, and the bytes received on the
loopback interface while computing (what crossed the wire between this
process and the database server or the Spark executors; 0 for an embedded
file, which is read in process).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from purpose_metrics import db, reading, views


def loopback_bytes() -> int:
    """Bytes received on `lo` since boot (Linux), 0 where it cannot be read."""
    try:
        for line in Path("/proc/net/dev").read_text().splitlines():
            name, _, fields = line.partition(":")
            if name.strip() == "lo":
                return int(fields.split()[0])
    except OSError:
        pass
    return 0


def main(url: str, mode: str) -> dict:
    t = time.perf_counter()
    engine = db.make_engine(url)
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1")).all()
    connect_s = time.perf_counter() - t
    wire = loopback_bytes()
    t = time.perf_counter()
    data = reading.load_dataset(engine, mode=mode)
    rows = views.week_kpis(data, views.week_window(views.default_week(data)))
    compute_s = time.perf_counter() - t
    wire = loopback_bytes() - wire
    return {"mode": data.source.name, "connect_s": connect_s, "compute_s": compute_s,
            "rows": rows.height, "wire_bytes": wire}  # fmt: skip


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
