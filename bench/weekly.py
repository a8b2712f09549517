"""The weekly routine's data: a generated data set cut into everything up
to its last week (the base, imported once) and that last week (imported
into it, as a retailer's Monday load would be).

Time-stamped tables are cut at `cutoff` by their time column; a customer
goes with the week when created in it (the generator creates every
customer before their first order); the monthly tables, targets and
initiatives stay in the base.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from purpose_metrics.contract import TABLES

WEEK_TABLES = (
    "customers",
    "orders",
    "customer_surveys",
    "support_tickets",
    "marketing_messages",
    "employee_surveys",
)


def cutoff_of(gen_dir: Path) -> dt.datetime:
    """Monday 00:00 of the ISO week holding the last order: that week is the
    one the routine imports."""
    last = pl.scan_parquet(gen_dir / "orders.parquet").select(pl.col("ordered_at").max()).collect().item()
    return dt.datetime.combine(last.date() - dt.timedelta(days=last.weekday()), dt.time())


def split(gen_dir: Path) -> tuple[Path, Path, dt.datetime]:
    """(base folder, week folder, cutoff), written once next to the data."""
    base, week = gen_dir / "base", gen_dir / "week"
    done = gen_dir / ".split"
    if not done.exists():
        cutoff = cutoff_of(gen_dir)
        base.mkdir(exist_ok=True)
        week.mkdir(exist_ok=True)
        for name, table in TABLES.items():
            src = gen_dir / f"{name}.parquet"
            if not src.exists():
                continue
            column = "created_at" if name == "customers" else table.time_column
            if name not in WEEK_TABLES:
                pl.read_parquet(src).write_parquet(base / src.name)
                continue
            scan = pl.scan_parquet(src)
            scan.filter(pl.col(column) < cutoff).sink_parquet(base / src.name)
            scan.filter(pl.col(column) >= cutoff).sink_parquet(week / src.name)
        done.write_text(cutoff.isoformat())
    return base, week, dt.datetime.fromisoformat(done.read_text())
