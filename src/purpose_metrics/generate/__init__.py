"""Synthetic data under the data contract (`contract.py`), of any size.

    generate("sample_data", orders=30_000, seed=7)          # CSV, ~5.7 MB, ~1 s
    generate("/tmp/big", orders=10_000_000, fmt="parquet")  # ~1 min, < 1 GB RAM

`sample_data/` is exactly `generate("sample_data")` with the defaults.

Where things are:

    story.py       the company, brands, targets, initiatives and every
                   parameter that makes the data tell its story
    calendar.py    the history's weeks and months, the shape of a year,
                   when in a week orders are placed
    tables.py      the generator: its shared state and the order tables
                   are made in; one module per table (or pair made together):
                   customers.py, orders.py, surveys.py, tickets.py,
                   messages.py, people.py (workforce, employee_surveys),
                   ledger.py, reference.py (company, brands, targets,
                   initiatives)
    columns.py     keys, typed columns with NULLs, categorical draws
    files.py       one CSV or Parquet file per table, appended chunk by chunk

Everything is vectorised numpy and written chunk by chunk (about
CHUNK_ORDERS orders a chunk), so memory stays flat whatever the size. The
same (orders, seed, end) gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..contract import TABLES
from ..progress import ProgressBar
from .files import TableWriter
from .story import DEFAULT_END
from .tables import TableGenerator

__all__ = ["CHUNK_ORDERS", "DEFAULT_END", "generate"]

CHUNK_ORDERS = 500_000


def generate(
    out_dir: str | Path,
    orders: int = 30_000,
    seed: int = 7,
    fmt: str = "csv",
    progress: bool = False,
    end: dt.date = DEFAULT_END,
) -> dict[str, int]:
    """Write a synthetic data set, one file per table; return rows per table.

    `orders` orders (cancelled included) over the two years before `end`
    (exclusive), `fmt` "csv" or "parquet". Deterministic in (orders, seed, end).
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
    if isinstance(end, str):
        end = dt.date.fromisoformat(end)
    if isinstance(end, dt.datetime):
        end = end.date()
    if orders < 0:
        raise ValueError("orders must be >= 0")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    gen = TableGenerator(orders, seed, end)
    writers = {name: TableWriter(out, table, fmt) for name, table in TABLES.items()}
    bar = ProgressBar(orders, label="generate") if progress else None
    try:
        for w0, w1 in gen.chunks(CHUNK_ORDERS):
            for name, df in gen.chunk(w0, w1).items():
                writers[name].write(df)
            if bar is not None:
                bar.update(int(gen.counts[w0:w1].sum()))
        for name, df in gen.once().items():
            writers[name].write(df)
    finally:
        for w in writers.values():
            w.close()
        if bar is not None:
            bar.close()
    return {name: w.rows for name, w in writers.items()}
